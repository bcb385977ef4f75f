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
      default: {
        // placeholder: any other known parameter by its camelCase field, typed by its default
        const field = name.replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());
        const rec = c as unknown as Record<string, unknown>;
        const cur = rec[field];
        if (typeof cur === 'number') rec[field] = Number(v);
        else if (typeof cur === 'boolean') rec[field] = v === 'yes';
        else if (typeof cur === 'string') rec[field] = v;
        break;
      }
    }
  }
  return c;
}

/** A configuration error: `message` is the full text Redis prints before exiting with status 1. */
export class ConfigError extends Error {}
