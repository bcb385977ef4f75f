/*
 * Server configuration: the live values of every redis.conf parameter.
 *
 * PLACEHOLDER: this minimal version only knows a handful of parameters; the
 * full table (every Redis 7.0 parameter, aliases, validation, CONFIG
 * GET/SET/REWRITE) replaces it. The typed fields below are what the rest of
 * the server reads on hot paths and must keep their names.
 */

export class Config {
  port = 6379;
  bind: string[] = ['*', '-::*'];
  databases = 16;
  requirepass = '';
  maxclients = 10000;
  timeout = 0;
  tcpKeepalive = 300;
  protoMaxBulkLen = 512 * 1024 * 1024;
  clientQueryBufferLimit = 1024 * 1024 * 1024;
  hz = 10;
  slowlogLogSlowerThan = 10000;
  slowlogMaxLen = 128;
  latencyMonitorThreshold = 0;
  loglevel = 'notice';
  logfile = '';
  pidfile = '';
  unixsocket = '';
  unixsocketperm = 0;
  enableDebugCommand = 'no';
  alwaysShowLogo = false;
  latencyTracking = true;
  maxmemory = 0;
  maxmemoryPolicy = 'noeviction';
  dir = process.cwd();
  /** path of the config file given on the command line, if any */
  configFile: string | null = null;
}

/** Parse `nodis-server [config-file] [--name value ...]` (placeholder). */
export function loadConfig(args: string[]): Config {
  const c = new Config();
  let i = 0;
  if (args.length > 0 && !args[0].startsWith('--')) {
    c.configFile = args[0];
    i = 1;
  }
  for (; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) continue;
    const name = a.slice(2);
    const v = args[i + 1] ?? '';
    i++;
    switch (name) {
      case 'port': c.port = Number(v); break;
      case 'bind': c.bind = v.split(' '); break;
      case 'requirepass': c.requirepass = v; break;
      case 'enable-debug-command': c.enableDebugCommand = v; break;
      case 'logfile': c.logfile = v; break;
      case 'proto-max-bulk-len': c.protoMaxBulkLen = parseMemory(v); break;
      case 'client-query-buffer-limit': c.clientQueryBufferLimit = parseMemory(v); break;
      case 'maxmemory': c.maxmemory = parseMemory(v); break;
      case 'maxmemory-policy': c.maxmemoryPolicy = v.toLowerCase(); break;
      default: break;
    }
  }
  return c;
}

/** "512mb" style sizes (placeholder: b, k, kb, m, mb, g, gb, any case). */
function parseMemory(v: string): number {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(v);
  if (m === null) throw new ConfigError(`invalid memory value ${v}\n`);
  const mul: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return Number(m[1]) * (m[2] ? mul[m[2].toLowerCase()] : 1);
}

/** A configuration error: `message` is the full text Redis prints before exiting with status 1. */
export class ConfigError extends Error {}
