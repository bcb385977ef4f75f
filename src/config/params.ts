/*
 * The parameter table: every configuration parameter of Redis 7.0.15 with
 * its alias, type, default (as CONFIG GET prints it), limits and flags.
 *
 * Invariants:
 * - `field` is the camelCase of the canonical name ('-' and '_' are word
 *   separators); Config has exactly one typed field per entry.
 * - Defaults are written in Redis's textual form and parsed by the same code
 *   as any other value, so CONFIG GET of a fresh server equals the fixture.
 * - Limits are bigint so that range errors print Redis's exact bounds.
 * Behaviour that is not plain parsing (special types, validations, value
 * normalisation) lives in codec.ts and config.ts, keyed by name.
 */
import { INT_MAX, INT_MIN, LLONG_MAX, UINT_MAX, ULLONG_MAX } from './values';

export const IMMUTABLE = 1 << 0;
export const PROTECTED = 1 << 1;
export const SENSITIVE = 1 << 2;
export const HIDDEN = 1 << 3;
export const DENY_LOADING = 1 << 4;
export const MULTI_ARG = 1 << 5;
export const DEBUG = 1 << 6;
/** CONFIG REWRITE drops the line when the value is the empty string (Redis's EMPTY_STRING_IS_NULL) */
export const EMPTY_IS_NULL = 1 << 7;

export type ParamType = 'bool' | 'int' | 'memory' | 'percent' | 'octal' | 'enum' | 'string' | 'special';

export interface ParamDef {
  name: string;
  alias: string | null;
  /** property of Config holding the live value */
  field: string;
  type: ParamType;
  flags: number;
  /** default value in CONFIG GET form */
  def: string;
  min: bigint;
  max: bigint;
  /** enum choices, in Redis's order (the error message lists them so) */
  values: string[];
}

export function camelCase(name: string): string {
  return name.replace(/[-_]+([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase());
}

function p(type: ParamType, name: string, alias: string | null, flags: number, def: string,
  min = 0n, max = 0n, values: string[] = []): ParamDef {
  return { name, alias, field: camelCase(name), type, flags, def, min, max, values };
}
const bool = (name: string, alias: string | null, flags: number, def: 'yes' | 'no') => p('bool', name, alias, flags, def);
const int = (name: string, alias: string | null, flags: number, min: bigint, max: bigint, def: string) =>
  p('int', name, alias, flags, def, min, max);
const mem = (name: string, alias: string | null, flags: number, min: bigint, max: bigint, def: string) =>
  p('memory', name, alias, flags, def, min, max);
const en = (name: string, alias: string | null, flags: number, values: string[], def: string) =>
  p('enum', name, alias, flags, def, 0n, 0n, values);
const str = (name: string, alias: string | null, flags: number, def: string) => p('string', name, alias, flags, def);
const special = (name: string, alias: string | null, flags: number, def: string) => p('special', name, alias, flags, def);

const YES_NO_LOCAL = ['no', 'yes', 'local'];
const SHUTDOWN_ON_SIG = ['default', 'save', 'nosave', 'now', 'force'];
const PORT_MAX = 65535n;
const N = EMPTY_IS_NULL;

export const PARAMS: ParamDef[] = [
  // general
  special('bind', null, MULTI_ARG, '* -::*'),
  str('bind-source-addr', null, N, ''),
  int('port', null, 0, 0n, PORT_MAX, '6379'),
  int('tcp-backlog', null, IMMUTABLE, 0n, INT_MAX, '511'),
  str('unixsocket', null, IMMUTABLE | N, ''),
  p('octal', 'unixsocketperm', null, IMMUTABLE, '0', 0n, 0o777n),
  int('timeout', null, 0, 0n, INT_MAX, '0'),
  int('tcp-keepalive', null, 0, 0n, INT_MAX, '300'),
  int('socket-mark-id', null, IMMUTABLE, 0n, UINT_MAX, '0'),
  bool('protected-mode', null, 0, 'yes'),
  bool('daemonize', null, IMMUTABLE, 'no'),
  en('supervised', null, IMMUTABLE, ['upstart', 'systemd', 'auto', 'no'], 'no'),
  str('pidfile', null, IMMUTABLE | N, ''),
  en('loglevel', null, 0, ['debug', 'verbose', 'notice', 'warning'], 'notice'),
  str('logfile', null, IMMUTABLE, ''),
  bool('syslog-enabled', null, IMMUTABLE, 'no'),
  str('syslog-ident', null, IMMUTABLE, 'redis'),
  en('syslog-facility', null, IMMUTABLE, ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], 'local0'),
  bool('crash-log-enabled', null, 0, 'yes'),
  bool('crash-memcheck-enabled', null, 0, 'yes'),
  int('databases', null, IMMUTABLE, 1n, INT_MAX, '16'),
  bool('always-show-logo', null, IMMUTABLE, 'no'),
  bool('set-proc-title', null, IMMUTABLE, 'yes'),
  str('proc-title-template', null, 0, '{title} {listen-addr} {server-mode}'),
  str('ignore-warnings', null, 0, ''),
  en('enable-protected-configs', null, IMMUTABLE, YES_NO_LOCAL, 'no'),
  en('enable-debug-command', null, IMMUTABLE, YES_NO_LOCAL, 'no'),
  en('enable-module-command', null, IMMUTABLE, YES_NO_LOCAL, 'no'),
  bool('disable-thp', null, IMMUTABLE, 'yes'),
  int('hz', null, 0, 0n, INT_MAX, '10'),
  bool('dynamic-hz', null, 0, 'yes'),
  int('io-threads', null, DEBUG | IMMUTABLE, 1n, 128n, '1'),
  bool('io-threads-do-reads', null, DEBUG | IMMUTABLE, 'no'),
  str('server_cpulist', null, IMMUTABLE | N, ''),
  str('bio_cpulist', null, IMMUTABLE | N, ''),
  str('aof_rewrite_cpulist', null, IMMUTABLE | N, ''),
  str('bgsave_cpulist', null, IMMUTABLE | N, ''),
  en('oom-score-adj', null, 0, ['no', 'yes', 'relative', 'absolute'], 'no'),
  special('oom-score-adj-values', null, MULTI_ARG, '0 200 800'),
  bool('jemalloc-bg-thread', null, 0, 'yes'),
  en('shutdown-on-sigint', null, MULTI_ARG, SHUTDOWN_ON_SIG, 'default'),
  en('shutdown-on-sigterm', null, MULTI_ARG, SHUTDOWN_ON_SIG, 'default'),
  int('shutdown-timeout', null, 0, 0n, INT_MAX, '10'),
  int('watchdog-period', null, HIDDEN, 0n, INT_MAX, '0'),
  bool('use-exit-on-panic', null, HIDDEN, 'no'),

  // snapshotting
  special('save', null, MULTI_ARG, '3600 1 300 100 60 10000'),
  bool('stop-writes-on-bgsave-error', null, 0, 'yes'),
  bool('rdbcompression', null, 0, 'yes'),
  bool('rdbchecksum', null, IMMUTABLE, 'yes'),
  en('sanitize-dump-payload', null, 0, ['no', 'yes', 'clients'], 'no'),
  str('dbfilename', null, PROTECTED, 'dump.rdb'),
  bool('rdb-del-sync-files', null, 0, 'no'),
  special('dir', null, PROTECTED | DENY_LOADING, ''),
  bool('rdb-save-incremental-fsync', null, 0, 'yes'),
  int('rdb-key-save-delay', null, HIDDEN, INT_MIN, INT_MAX, '0'),
  int('key-load-delay', null, HIDDEN, INT_MIN, INT_MAX, '0'),
  int('loading-process-events-interval-bytes', null, HIDDEN, 1024n, INT_MAX, '2097152'),

  // replication
  special('replicaof', 'slaveof', IMMUTABLE | MULTI_ARG, ''),
  str('masterauth', null, SENSITIVE | N, ''),
  str('masteruser', null, N, ''),
  bool('replica-serve-stale-data', 'slave-serve-stale-data', 0, 'yes'),
  bool('replica-read-only', 'slave-read-only', DEBUG, 'yes'),
  bool('repl-diskless-sync', null, DENY_LOADING, 'yes'),
  int('repl-diskless-sync-delay', null, 0, 0n, INT_MAX, '5'),
  int('repl-diskless-sync-max-replicas', null, 0, 0n, INT_MAX, '0'),
  en('repl-diskless-load', null, DENY_LOADING, ['disabled', 'on-empty-db', 'swapdb'], 'disabled'),
  int('repl-ping-replica-period', 'repl-ping-slave-period', 0, 1n, INT_MAX, '10'),
  int('repl-timeout', null, 0, 1n, INT_MAX, '60'),
  bool('repl-disable-tcp-nodelay', null, 0, 'no'),
  mem('repl-backlog-size', null, 0, 1n, LLONG_MAX, '1048576'),
  int('repl-backlog-ttl', null, 0, 0n, LLONG_MAX, '3600'),
  int('replica-priority', 'slave-priority', 0, 0n, INT_MAX, '100'),
  bool('replica-announced', null, 0, 'yes'),
  int('min-replicas-to-write', 'min-slaves-to-write', 0, 0n, INT_MAX, '0'),
  int('min-replicas-max-lag', 'min-slaves-max-lag', 0, 0n, INT_MAX, '10'),
  str('replica-announce-ip', 'slave-announce-ip', N, ''),
  int('replica-announce-port', 'slave-announce-port', 0, 0n, PORT_MAX, '0'),
  bool('replica-ignore-maxmemory', 'slave-ignore-maxmemory', 0, 'yes'),
  bool('replica-lazy-flush', 'slave-lazy-flush', 0, 'no'),
  bool('replica-ignore-disk-write-errors', null, 0, 'no'),
  en('propagation-error-behavior', null, 0, ['ignore', 'panic', 'panic-on-replicas'], 'ignore'),

  // keys tracking, security
  int('tracking-table-max-keys', null, 0, 0n, LLONG_MAX, '1000000'),
  int('acllog-max-len', null, 0, 0n, LLONG_MAX, '128'),
  str('aclfile', null, IMMUTABLE | N, ''),
  en('acl-pubsub-default', null, 0, ['allchannels', 'resetchannels'], 'resetchannels'),
  str('requirepass', null, SENSITIVE | N, ''),

  // clients, memory management
  int('maxclients', null, 0, 1n, UINT_MAX, '10000'),
  mem('maxmemory', null, 0, 0n, ULLONG_MAX, '0'),
  en('maxmemory-policy', null, 0,
    ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
    'noeviction'),
  int('maxmemory-samples', null, 0, 1n, INT_MAX, '5'),
  int('maxmemory-eviction-tenacity', null, 0, 0n, 100n, '10'),
  int('lfu-log-factor', null, 0, 0n, INT_MAX, '10'),
  int('lfu-decay-time', null, 0, 0n, INT_MAX, '1'),
  p('percent', 'maxmemory-clients', null, 0, '0', -100n, LLONG_MAX),
  bool('lazyfree-lazy-eviction', null, 0, 'no'),
  bool('lazyfree-lazy-expire', null, 0, 'no'),
  bool('lazyfree-lazy-server-del', null, 0, 'no'),
  bool('lazyfree-lazy-user-del', null, 0, 'no'),
  bool('lazyfree-lazy-user-flush', null, 0, 'no'),
  special('client-output-buffer-limit', null, MULTI_ARG, 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'),
  mem('client-query-buffer-limit', null, 0, 1024n * 1024n, LLONG_MAX, '1073741824'),
  mem('proto-max-bulk-len', null, 0, 1024n * 1024n, LLONG_MAX, '536870912'),

  // append only file
  bool('appendonly', null, DENY_LOADING, 'no'),
  str('appendfilename', null, IMMUTABLE, 'appendonly.aof'),
  str('appenddirname', null, IMMUTABLE, 'appendonlydir'),
  en('appendfsync', null, 0, ['everysec', 'always', 'no'], 'everysec'),
  bool('no-appendfsync-on-rewrite', null, 0, 'no'),
  int('auto-aof-rewrite-percentage', null, 0, 0n, INT_MAX, '100'),
  mem('auto-aof-rewrite-min-size', null, 0, 0n, LLONG_MAX, '67108864'),
  bool('aof-load-truncated', null, 0, 'yes'),
  bool('aof-use-rdb-preamble', null, 0, 'yes'),
  bool('aof-timestamp-enabled', null, 0, 'no'),
  bool('aof-rewrite-incremental-fsync', null, 0, 'yes'),
  bool('aof-disable-auto-gc', null, 0, 'no'),

  // scripting, shutdown
  int('busy-reply-threshold', 'lua-time-limit', 0, 0n, LLONG_MAX, '5000'),

  // cluster
  bool('cluster-enabled', null, IMMUTABLE, 'no'),
  str('cluster-config-file', null, IMMUTABLE, 'nodes.conf'),
  int('cluster-node-timeout', null, 0, 0n, LLONG_MAX, '15000'),
  int('cluster-port', null, IMMUTABLE, 0n, PORT_MAX, '0'),
  int('cluster-replica-validity-factor', 'cluster-slave-validity-factor', 0, 0n, INT_MAX, '10'),
  int('cluster-migration-barrier', null, 0, 0n, INT_MAX, '1'),
  bool('cluster-allow-replica-migration', null, 0, 'yes'),
  bool('cluster-require-full-coverage', null, 0, 'yes'),
  bool('cluster-replica-no-failover', 'cluster-slave-no-failover', 0, 'no'),
  bool('cluster-allow-reads-when-down', null, 0, 'no'),
  bool('cluster-allow-pubsubshard-when-down', null, 0, 'yes'),
  mem('cluster-link-sendbuf-limit', null, 0, 0n, ULLONG_MAX, '0'),
  str('cluster-announce-hostname', null, N, ''),
  en('cluster-preferred-endpoint-type', null, 0, ['ip', 'hostname', 'unknown-endpoint'], 'ip'),
  str('cluster-announce-ip', null, N, ''),
  int('cluster-announce-port', null, 0, 0n, PORT_MAX, '0'),
  int('cluster-announce-bus-port', null, 0, 0n, PORT_MAX, '0'),
  int('cluster-announce-tls-port', null, 0, 0n, PORT_MAX, '0'),

  // monitoring
  int('slowlog-log-slower-than', null, 0, -1n, LLONG_MAX, '10000'),
  int('slowlog-max-len', null, 0, 0n, LLONG_MAX, '128'),
  int('latency-monitor-threshold', null, 0, 0n, LLONG_MAX, '0'),
  bool('latency-tracking', null, 0, 'yes'),
  special('latency-tracking-info-percentiles', null, MULTI_ARG, '50 99 99.9'),
  special('notify-keyspace-events', null, 0, ''),

  // data structures
  int('hash-max-listpack-entries', 'hash-max-ziplist-entries', 0, 0n, LLONG_MAX, '512'),
  mem('hash-max-listpack-value', 'hash-max-ziplist-value', 0, 0n, LLONG_MAX, '64'),
  int('list-max-listpack-size', 'list-max-ziplist-size', 0, INT_MIN, INT_MAX, '-2'),
  int('list-compress-depth', null, 0, 0n, INT_MAX, '0'),
  int('set-max-intset-entries', null, 0, 0n, LLONG_MAX, '512'),
  int('zset-max-listpack-entries', 'zset-max-ziplist-entries', 0, 0n, LLONG_MAX, '128'),
  mem('zset-max-listpack-value', 'zset-max-ziplist-value', 0, 0n, LLONG_MAX, '64'),
  mem('hll-sparse-max-bytes', null, 0, 0n, LLONG_MAX, '3000'),
  mem('stream-node-max-bytes', null, 0, 0n, LLONG_MAX, '4096'),
  int('stream-node-max-entries', null, 0, 0n, LLONG_MAX, '100'),
  bool('activerehashing', null, 0, 'yes'),
  int('active-expire-effort', null, 0, 1n, 10n, '1'),

  // active defragmentation
  bool('activedefrag', null, DEBUG, 'no'),
  mem('active-defrag-ignore-bytes', null, 0, 1n, LLONG_MAX, '104857600'),
  int('active-defrag-threshold-lower', null, 0, 0n, 1000n, '10'),
  int('active-defrag-threshold-upper', null, 0, 0n, 1000n, '100'),
  int('active-defrag-cycle-min', null, 0, 1n, 99n, '1'),
  int('active-defrag-cycle-max', null, 0, 1n, 99n, '25'),
  int('active-defrag-max-scan-fields', null, 0, 1n, LLONG_MAX, '1000'),

  // TLS
  int('tls-port', null, 0, 0n, PORT_MAX, '0'),
  str('tls-cert-file', null, N, ''),
  str('tls-key-file', null, N, ''),
  str('tls-key-file-pass', null, SENSITIVE | N, ''),
  str('tls-client-cert-file', null, N, ''),
  str('tls-client-key-file', null, N, ''),
  str('tls-client-key-file-pass', null, SENSITIVE | N, ''),
  str('tls-dh-params-file', null, N, ''),
  str('tls-ca-cert-file', null, N, ''),
  str('tls-ca-cert-dir', null, N, ''),
  en('tls-auth-clients', null, 0, ['no', 'yes', 'optional'], 'yes'),
  bool('tls-replication', null, 0, 'no'),
  bool('tls-cluster', null, 0, 'no'),
  str('tls-protocols', null, N, ''),
  str('tls-ciphers', null, N, ''),
  str('tls-ciphersuites', null, N, ''),
  bool('tls-prefer-server-ciphers', null, 0, 'no'),
  bool('tls-session-caching', null, 0, 'yes'),
  int('tls-session-cache-size', null, 0, 0n, INT_MAX, '20480'),
  int('tls-session-cache-timeout', null, 0, 0n, INT_MAX, '300'),
];

/** name or alias (lower case) -> definition */
export const PARAM_BY_NAME = new Map<string, ParamDef>();
for (const d of PARAMS) {
  PARAM_BY_NAME.set(d.name, d);
  if (d.alias !== null) PARAM_BY_NAME.set(d.alias, d);
}

export function lookupParam(name: string): ParamDef | undefined {
  return PARAM_BY_NAME.get(name.toLowerCase());
}
