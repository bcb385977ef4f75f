/*
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP.
 *
 * The work is done by Config (src/config/): this module only checks
 * arguments, redacts sensitive values from what the slowlog and MONITOR
 * see, and writes replies. Its install() installs the hooks that make
 * parameter changes take effect (src/server/config-apply.ts).
 */
import type { ModuleHost } from '../server/module-host';
import type { HandlerMap } from '../command-model/table';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { lookupParam, SENSITIVE } from '../config/params';
import { rewriteConfigFile } from '../config/rewrite';
import { installConfigHooks } from '../server/config-apply';

const REDACTED = '(redacted)';

function configGet(c: Client, argv: string[]): void {
  const pairs = c.server.config.getMatching(argv.slice(2));
  c.reply.mapHeader(pairs.length);
  for (const [k, v] of pairs) {
    c.reply.bulk(k);
    c.reply.bulk(v);
  }
}

function isLocal(c: Client): boolean {
  const s = c.socket;
  if (s === null) return true;
  if (s.remoteAddress === undefined) return true;
  const a = s.remoteAddress;
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1' || a.startsWith('127.');
}

function configSet(c: Client, argv: string[]): void {
  if (argv.length % 2 === 1) {
    c.error("ERR wrong number of arguments for 'config|set' command");
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    pairs.push([argv[i], argv[i + 1]]);
    const d = lookupParam(argv[i]);
    if (d !== undefined && (d.flags & SENSITIVE)) argv[i + 1] = REDACTED;
  }
  const cfg = c.server.config;
  const allowProtected = cfg.enableProtectedConfigs === 'yes' || (cfg.enableProtectedConfigs === 'local' && isLocal(c));
  const err = cfg.setFromCommand(pairs, allowProtected);
  if (err !== null) c.error(err);
  else c.reply.ok();
}

/** Reset what INFO's stats, commandstats, errorstats and latencystats show (not the slowlog). */
export function resetStats(server: Server): void {
  server.stats.reset();
  const ks = server.keyspace.stats;
  ks.expiredKeys = 0;
  ks.expiredStalePerc = 0;
  ks.expiredTimeCapReachedCount = 0;
  ks.expireCycleCpuMilliseconds = 0;
  ks.evictedKeys = 0;
  ks.keyspaceHits = 0;
  ks.keyspaceMisses = 0;
  server.keyspace.lazyfree.lazyfreedObjects = 0;
  for (const cmd of server.commands.all()) {
    cmd.stats.calls = 0;
    cmd.stats.usec = 0;
    cmd.stats.rejectedCalls = 0;
    cmd.stats.failedCalls = 0;
    cmd.stats.latency.reset();
  }
}

function configResetStat(c: Client): void {
  resetStats(c.server);
  c.reply.ok();
}

function configRewrite(c: Client): void {
  const server = c.server;
  if (server.config.configFile === null) {
    c.error('ERR The server is running without a config file');
    return;
  }
  const err = rewriteConfigFile(server.config);
  if (err !== null) {
    server.log.warning(`CONFIG REWRITE failed: ${err}`);
    c.error(`ERR Rewriting config file: ${err}`);
    return;
  }
  server.log.notice('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

function configHelp(c: Client): void {
  const lines = [
    'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
    'HELP',
    '    Prints this help.',
  ];
  c.reply.arrayHeader(lines.length);
  for (const l of lines) c.reply.simple(l);
}

export const handlers: HandlerMap = {
  'config|get': configGet,
  'config|set': configSet,
  'config|resetstat': configResetStat,
  'config|rewrite': configRewrite,
  'config|help': configHelp,
};

export function install(host: ModuleHost): void {
  installConfigHooks(host.server);
  // DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every parameter, defaults included
  host.debug.configRewriteForceAll = () => {
    // Redis's fopen(NULL) fails with EFAULT when there is no config file
    const err = host.config.configFile === null ? 'Bad address' : rewriteConfigFile(host.config, true);
    return err === null ? null : `ERR CONFIG-REWRITE-FORCE-ALL failed: ${err}`;
  };
}
