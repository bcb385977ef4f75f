/*
 * nodis-server's command line: `nodis-server [/path/to/redis.conf]
 * [--directive value ...]`, -v/--version, -h/--help, exactly as
 * redis-server. Loads the configuration (a bad one exits 1 with Redis's
 * message), logs the startup banner that tools wait for (" PID: <pid>",
 * "Ready to accept connections"), and shuts down cleanly on SIGTERM/SIGINT.
 */
import * as fs from 'fs';
import { loadConfig, ConfigError } from './config/config';
import { type Server, REDIS_VERSION, NODIS_VERSION } from './server/server';
import { composeServer } from './compose';
import { loadDataFromDisk } from './persistence/startup';

function usage(): void {
  process.stderr.write(
    'Usage: ./redis-server [/path/to/redis.conf] [options] [-]\n' +
    '       ./redis-server - (read config from stdin)\n' +
    '       ./redis-server -v or --version\n' +
    '       ./redis-server -h or --help\n' +
    '       ./redis-server --test-memory <megabytes>\n' +
    '\n' +
    'Examples:\n' +
    '       ./redis-server (run the server with default conf)\n' +
    '       ./redis-server /etc/redis/6379.conf\n' +
    '       ./redis-server --port 7777\n' +
    '       ./redis-server --port 7777 --replicaof 127.0.0.1 8888\n' +
    '       ./redis-server /etc/myredis.conf --loglevel verbose -\n' +
    '       ./redis-server /etc/myredis.conf --loglevel verbose\n' +
    '\n' +
    'Sentinel mode:\n' +
    '       ./redis-server /etc/sentinel.conf --sentinel\n',
  );
}

export function versionString(): string {
  return `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=nodis-${NODIS_VERSION}`;
}

function logo(server: Server): string {
  const port = server.boundPort || server.config.port;
  return [
    '',
    '                 _._',
    `            _.-\`\`__ ''-._            Nodis ${NODIS_VERSION}, compatible with Redis ${REDIS_VERSION}`,
    "       _.-``    `.  `_.  ''-._       64 bit, running on Node.js " + process.version,
    `   .-\`\` .-\`\`\`.  \`\`\`\\/    _.,_ ''-._   Running in standalone mode`,
    `  (    '      ,       .-\`  | \`,    )  Port: ${port}`,
    `  |\`-._\`-...-\` __...-.\`\`-._|'\` _.-'|  PID: ${process.pid}`,
    "  |    `-._   `._    /     _.-'    |",
    "   `-._    `-._  `-./  _.-'    _.-'",
    '',
  ].join('\n') + '\n';
}

export async function main(args: string[]): Promise<void> {
  // like redis-server, only the first argument is checked for these
  if (args[0] === '-v' || args[0] === '--version') {
    process.stdout.write(versionString() + '\n');
    process.exit(0);
  }
  if (args[0] === '-h' || args[0] === '--help') {
    usage();
    process.exit(0);
  }
  let config;
  try {
    config = loadConfig(args);
  } catch (e) {
    if (e instanceof ConfigError) {
      (e.toStdout ? process.stdout : process.stderr).write(e.message);
      process.exit(1);
    }
    throw e;
  }
  const server = composeServer(config);
  const log = server.log;
  log.role = 'C';
  log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`);
  if (config.configFile === null) {
    log.warning(`Warning: no config file specified, using the default config. In order to specify a config file use ${process.argv[1] ?? 'nodis-server'} /path/to/redis.conf`);
  } else {
    log.warning('Configuration loaded');
  }
  log.role = 'M';
  try {
    await server.listen();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    log.warning(`Warning: Could not create server TCP listening socket ${config.bind.join(' ')}:${config.port}: ${err.message}`);
    log.warning(`Failed listening on port ${config.port} (TCP), aborting.`);
    process.exit(1);
  }
  log.raw(logo(server));
  if (config.pidfile !== '') {
    try {
      fs.writeFileSync(config.pidfile, `${process.pid}\n`);
    } catch {
      /* Redis ignores an unwritable pid file */
    }
  }
  log.warning('Server initialized');
  if (!loadDataFromDisk(server)) process.exit(1);
  server.startCron();
  log.notice('Ready to accept connections');
  const onSignal = (sig: string) => {
    log.warning(`Received ${sig} scheduling shutdown...`);
    setImmediate(() => server.shutdownOnSignal(sig === 'SIGINT' ? 'SIGINT' : 'SIGTERM'));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
