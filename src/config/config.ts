/*
 * Server configuration: the live value of every Redis 7.0 parameter, as a
 * typed field named by the camelCase of the parameter's canonical name
 * (`hz`, `slowlogMaxLen`, `maxmemoryPolicy`, `clientOutputBufferLimit`...),
 * plus the operations behind CONFIG GET/SET and the config file loader.
 *
 * Invariants:
 * - every field always holds a valid value (parsing happens before any
 *   assignment; CONFIG SET restores every old value if anything fails);
 * - listeners registered with onChange() run after a value changed (at
 *   startup, applyAll() runs each once); a listener returning a string
 *   refuses the change and CONFIG SET rolls everything back;
 * - numbers are JS numbers; values beyond 2^53 (e.g. maxmemory
 *   18446744073709551615) keep their exact text for CONFIG GET.
 * The parameter table is params.ts, value codecs codec.ts, the file and
 * command-line loader conf-file.ts, CONFIG REWRITE rewrite.ts.
 */
import { type ParamDef, PARAMS, HIDDEN, IMMUTABLE, PROTECTED, MULTI_ARG, lookupParam } from './params';
import { parseValue, formatObufLimits, changeDir } from './codec';
import { defaultObufLimits, type ClientOutputBufferLimits, type SavePoint } from './values';
import { stringMatch as globMatch, hasGlobChars } from '../util/glob';

export type { ClientOutputBufferLimits, SavePoint, ObufLimit } from './values';

/** Called after a parameter changed; a returned string refuses the change (CONFIG SET fails with it). */
export type ConfigListener = (config: Config) => string | void;

export class Config {
  /** bind */
  bind: string[] = ['*', '-::*'];
  /** bind-source-addr */
  bindSourceAddr: string = '';
  /** port */
  port: number = 6379;
  /** tcp-backlog */
  tcpBacklog: number = 511;
  /** unixsocket */
  unixsocket: string = '';
  /** unixsocketperm */
  unixsocketperm: number = 0;
  /** timeout */
  timeout: number = 0;
  /** tcp-keepalive */
  tcpKeepalive: number = 300;
  /** socket-mark-id */
  socketMarkId: number = 0;
  /** protected-mode */
  protectedMode: boolean = true;
  /** daemonize */
  daemonize: boolean = false;
  /** supervised */
  supervised: string = 'no';
  /** pidfile */
  pidfile: string = '';
  /** loglevel */
  loglevel: string = 'notice';
  /** logfile */
  logfile: string = '';
  /** syslog-enabled */
  syslogEnabled: boolean = false;
  /** syslog-ident */
  syslogIdent: string = 'redis';
  /** syslog-facility */
  syslogFacility: string = 'local0';
  /** crash-log-enabled */
  crashLogEnabled: boolean = true;
  /** crash-memcheck-enabled */
  crashMemcheckEnabled: boolean = true;
  /** databases */
  databases: number = 16;
  /** always-show-logo */
  alwaysShowLogo: boolean = false;
  /** set-proc-title */
  setProcTitle: boolean = true;
  /** proc-title-template */
  procTitleTemplate: string = '{title} {listen-addr} {server-mode}';
  /** ignore-warnings */
  ignoreWarnings: string = '';
  /** enable-protected-configs */
  enableProtectedConfigs: string = 'no';
  /** enable-debug-command */
  enableDebugCommand: string = 'no';
  /** enable-module-command */
  enableModuleCommand: string = 'no';
  /** disable-thp */
  disableThp: boolean = true;
  /** hz */
  hz: number = 10;
  /** dynamic-hz */
  dynamicHz: boolean = true;
  /** io-threads */
  ioThreads: number = 1;
  /** io-threads-do-reads */
  ioThreadsDoReads: boolean = false;
  /** server_cpulist */
  serverCpulist: string = '';
  /** bio_cpulist */
  bioCpulist: string = '';
  /** aof_rewrite_cpulist */
  aofRewriteCpulist: string = '';
  /** bgsave_cpulist */
  bgsaveCpulist: string = '';
  /** oom-score-adj */
  oomScoreAdj: string = 'no';
  /** oom-score-adj-values */
  oomScoreAdjValues: number[] = [0, 200, 800];
  /** jemalloc-bg-thread */
  jemallocBgThread: boolean = true;
  /** shutdown-on-sigint */
  shutdownOnSigint: string = 'default';
  /** shutdown-on-sigterm */
  shutdownOnSigterm: string = 'default';
  /** shutdown-timeout */
  shutdownTimeout: number = 10;
  /** watchdog-period */
  watchdogPeriod: number = 0;
  /** use-exit-on-panic */
  useExitOnPanic: boolean = false;
  /** save */
  save: SavePoint[] = [[3600, 1], [300, 100], [60, 10000]];
  /** stop-writes-on-bgsave-error */
  stopWritesOnBgsaveError: boolean = true;
  /** rdbcompression */
  rdbcompression: boolean = true;
  /** rdbchecksum */
  rdbchecksum: boolean = true;
  /** sanitize-dump-payload */
  sanitizeDumpPayload: string = 'no';
  /** dbfilename */
  dbfilename: string = 'dump.rdb';
  /** rdb-del-sync-files */
  rdbDelSyncFiles: boolean = false;
  /** dir (absolute) */
  dir: string = process.cwd();
  /**
   * Whether setting `dir` changes the process's working directory, as in
   * redis-server (nodis-server: one server per process). Embedded servers
   * (several to a process) leave the process alone and resolve their files
   * against `dir`. Not a parameter.
   */
  chdir = true;
  /** rdb-save-incremental-fsync */
  rdbSaveIncrementalFsync: boolean = true;
  /** rdb-key-save-delay */
  rdbKeySaveDelay: number = 0;
  /** key-load-delay */
  keyLoadDelay: number = 0;
  /** loading-process-events-interval-bytes */
  loadingProcessEventsIntervalBytes: number = 2 * 1024 * 1024;
  /** replicaof (alias slaveof) */
  replicaof: string = '';
  /** masterauth */
  masterauth: string = '';
  /** masteruser */
  masteruser: string = '';
  /** replica-serve-stale-data (alias slave-serve-stale-data) */
  replicaServeStaleData: boolean = true;
  /** replica-read-only (alias slave-read-only) */
  replicaReadOnly: boolean = true;
  /** repl-diskless-sync */
  replDisklessSync: boolean = true;
  /** repl-diskless-sync-delay */
  replDisklessSyncDelay: number = 5;
  /** repl-diskless-sync-max-replicas */
  replDisklessSyncMaxReplicas: number = 0;
  /** repl-diskless-load */
  replDisklessLoad: string = 'disabled';
  /** repl-ping-replica-period (alias repl-ping-slave-period) */
  replPingReplicaPeriod: number = 10;
  /** repl-timeout */
  replTimeout: number = 60;
  /** repl-disable-tcp-nodelay */
  replDisableTcpNodelay: boolean = false;
  /** repl-backlog-size */
  replBacklogSize: number = 1 * 1024 * 1024;
  /** repl-backlog-ttl */
  replBacklogTtl: number = 3600;
  /** replica-priority (alias slave-priority) */
  replicaPriority: number = 100;
  /** replica-announced */
  replicaAnnounced: boolean = true;
  /** min-replicas-to-write (alias min-slaves-to-write) */
  minReplicasToWrite: number = 0;
  /** min-replicas-max-lag (alias min-slaves-max-lag) */
  minReplicasMaxLag: number = 10;
  /** replica-announce-ip (alias slave-announce-ip) */
  replicaAnnounceIp: string = '';
  /** replica-announce-port (alias slave-announce-port) */
  replicaAnnouncePort: number = 0;
  /** replica-ignore-maxmemory (alias slave-ignore-maxmemory) */
  replicaIgnoreMaxmemory: boolean = true;
  /** replica-lazy-flush (alias slave-lazy-flush) */
  replicaLazyFlush: boolean = false;
  /** replica-ignore-disk-write-errors */
  replicaIgnoreDiskWriteErrors: boolean = false;
  /** propagation-error-behavior */
  propagationErrorBehavior: string = 'ignore';
  /** tracking-table-max-keys */
  trackingTableMaxKeys: number = 1000000;
  /** acllog-max-len */
  acllogMaxLen: number = 128;
  /** aclfile */
  aclfile: string = '';
  /** acl-pubsub-default */
  aclPubsubDefault: string = 'resetchannels';
  /** requirepass */
  requirepass: string = '';
  /** maxclients */
  maxclients: number = 10000;
  /** maxmemory */
  maxmemory: number = 0;
  /** maxmemory-policy */
  maxmemoryPolicy: string = 'noeviction';
  /** maxmemory-samples */
  maxmemorySamples: number = 5;
  /** maxmemory-eviction-tenacity */
  maxmemoryEvictionTenacity: number = 10;
  /** lfu-log-factor */
  lfuLogFactor: number = 10;
  /** lfu-decay-time */
  lfuDecayTime: number = 1;
  /** maxmemory-clients */
  maxmemoryClients: number = 0;
  /** lazyfree-lazy-eviction */
  lazyfreeLazyEviction: boolean = false;
  /** lazyfree-lazy-expire */
  lazyfreeLazyExpire: boolean = false;
  /** lazyfree-lazy-server-del */
  lazyfreeLazyServerDel: boolean = false;
  /** lazyfree-lazy-user-del */
  lazyfreeLazyUserDel: boolean = false;
  /** lazyfree-lazy-user-flush */
  lazyfreeLazyUserFlush: boolean = false;
  /** client-output-buffer-limit */
  clientOutputBufferLimit: ClientOutputBufferLimits = defaultObufLimits();
  /** client-query-buffer-limit */
  clientQueryBufferLimit: number = 1024 * 1024 * 1024;
  /** proto-max-bulk-len */
  protoMaxBulkLen: number = 512 * 1024 * 1024;
  /** appendonly */
  appendonly: boolean = false;
  /** appendfilename */
  appendfilename: string = 'appendonly.aof';
  /** appenddirname */
  appenddirname: string = 'appendonlydir';
  /** appendfsync */
  appendfsync: string = 'everysec';
  /** no-appendfsync-on-rewrite */
  noAppendfsyncOnRewrite: boolean = false;
  /** auto-aof-rewrite-percentage */
  autoAofRewritePercentage: number = 100;
  /** auto-aof-rewrite-min-size */
  autoAofRewriteMinSize: number = 64 * 1024 * 1024;
  /** aof-load-truncated */
  aofLoadTruncated: boolean = true;
  /** aof-use-rdb-preamble */
  aofUseRdbPreamble: boolean = true;
  /** aof-timestamp-enabled */
  aofTimestampEnabled: boolean = false;
  /** aof-rewrite-incremental-fsync */
  aofRewriteIncrementalFsync: boolean = true;
  /** aof-disable-auto-gc */
  aofDisableAutoGc: boolean = false;
  /** busy-reply-threshold (alias lua-time-limit) */
  busyReplyThreshold: number = 5000;
  /** cluster-enabled */
  clusterEnabled: boolean = false;
  /** cluster-config-file */
  clusterConfigFile: string = 'nodes.conf';
  /** cluster-node-timeout */
  clusterNodeTimeout: number = 15000;
  /** cluster-port */
  clusterPort: number = 0;
  /** cluster-replica-validity-factor (alias cluster-slave-validity-factor) */
  clusterReplicaValidityFactor: number = 10;
  /** cluster-migration-barrier */
  clusterMigrationBarrier: number = 1;
  /** cluster-allow-replica-migration */
  clusterAllowReplicaMigration: boolean = true;
  /** cluster-require-full-coverage */
  clusterRequireFullCoverage: boolean = true;
  /** cluster-replica-no-failover (alias cluster-slave-no-failover) */
  clusterReplicaNoFailover: boolean = false;
  /** cluster-allow-reads-when-down */
  clusterAllowReadsWhenDown: boolean = false;
  /** cluster-allow-pubsubshard-when-down */
  clusterAllowPubsubshardWhenDown: boolean = true;
  /** cluster-link-sendbuf-limit */
  clusterLinkSendbufLimit: number = 0;
  /** cluster-announce-hostname */
  clusterAnnounceHostname: string = '';
  /** cluster-preferred-endpoint-type */
  clusterPreferredEndpointType: string = 'ip';
  /** cluster-announce-ip */
  clusterAnnounceIp: string = '';
  /** cluster-announce-port */
  clusterAnnouncePort: number = 0;
  /** cluster-announce-bus-port */
  clusterAnnounceBusPort: number = 0;
  /** cluster-announce-tls-port */
  clusterAnnounceTlsPort: number = 0;
  /** slowlog-log-slower-than */
  slowlogLogSlowerThan: number = 10000;
  /** slowlog-max-len */
  slowlogMaxLen: number = 128;
  /** latency-monitor-threshold */
  latencyMonitorThreshold: number = 0;
  /** latency-tracking */
  latencyTracking: boolean = true;
  /** latency-tracking-info-percentiles */
  latencyTrackingInfoPercentiles: number[] = [50, 99, 99.9];
  /** notify-keyspace-events */
  notifyKeyspaceEvents: string = '';
  /** hash-max-listpack-entries (alias hash-max-ziplist-entries) */
  hashMaxListpackEntries: number = 512;
  /** hash-max-listpack-value (alias hash-max-ziplist-value) */
  hashMaxListpackValue: number = 64;
  /** list-max-listpack-size (alias list-max-ziplist-size) */
  listMaxListpackSize: number = -2;
  /** list-compress-depth */
  listCompressDepth: number = 0;
  /** set-max-intset-entries */
  setMaxIntsetEntries: number = 512;
  /** zset-max-listpack-entries (alias zset-max-ziplist-entries) */
  zsetMaxListpackEntries: number = 128;
  /** zset-max-listpack-value (alias zset-max-ziplist-value) */
  zsetMaxListpackValue: number = 64;
  /** hll-sparse-max-bytes */
  hllSparseMaxBytes: number = 3000;
  /** stream-node-max-bytes */
  streamNodeMaxBytes: number = 4096;
  /** stream-node-max-entries */
  streamNodeMaxEntries: number = 100;
  /** activerehashing */
  activerehashing: boolean = true;
  /** active-expire-effort */
  activeExpireEffort: number = 1;
  /** activedefrag */
  activedefrag: boolean = false;
  /** active-defrag-ignore-bytes */
  activeDefragIgnoreBytes: number = 100 * 1024 * 1024;
  /** active-defrag-threshold-lower */
  activeDefragThresholdLower: number = 10;
  /** active-defrag-threshold-upper */
  activeDefragThresholdUpper: number = 100;
  /** active-defrag-cycle-min */
  activeDefragCycleMin: number = 1;
  /** active-defrag-cycle-max */
  activeDefragCycleMax: number = 25;
  /** active-defrag-max-scan-fields */
  activeDefragMaxScanFields: number = 1000;
  /** tls-port */
  tlsPort: number = 0;
  /** tls-cert-file */
  tlsCertFile: string = '';
  /** tls-key-file */
  tlsKeyFile: string = '';
  /** tls-key-file-pass */
  tlsKeyFilePass: string = '';
  /** tls-client-cert-file */
  tlsClientCertFile: string = '';
  /** tls-client-key-file */
  tlsClientKeyFile: string = '';
  /** tls-client-key-file-pass */
  tlsClientKeyFilePass: string = '';
  /** tls-dh-params-file */
  tlsDhParamsFile: string = '';
  /** tls-ca-cert-file */
  tlsCaCertFile: string = '';
  /** tls-ca-cert-dir */
  tlsCaCertDir: string = '';
  /** tls-auth-clients */
  tlsAuthClients: string = 'yes';
  /** tls-replication */
  tlsReplication: boolean = false;
  /** tls-cluster */
  tlsCluster: boolean = false;
  /** tls-protocols */
  tlsProtocols: string = '';
  /** tls-ciphers */
  tlsCiphers: string = '';
  /** tls-ciphersuites */
  tlsCiphersuites: string = '';
  /** tls-prefer-server-ciphers */
  tlsPreferServerCiphers: boolean = false;
  /** tls-session-caching */
  tlsSessionCaching: boolean = true;
  /** tls-session-cache-size */
  tlsSessionCacheSize: number = 20480;
  /** tls-session-cache-timeout */
  tlsSessionCacheTimeout: number = 300;

  /** absolute path of the config file given on the command line, if any */
  configFile: string | null = null;
  /** rename-command directives, in order: [from, to] ('' = removed) */
  renamedCommands: [string, string][] = [];
  /** `user` directives (argument lists), kept for the ACL subsystem */
  userDirectives: string[][] = [];
  /** `loadmodule` directives (path, args...) */
  loadModules: string[][] = [];
  /** module configuration directives (name with a dot -> value) */
  moduleConfigs = new Map<string, string>();
  /** the ACL subsystem can supply the `user` lines CONFIG REWRITE writes */
  aclRewriteLines: (() => string[]) | null = null;
  /** exact text of numeric values beyond 2^53, by field */
  private exactNumbers = new Map<string, string>();
  private listeners = new Map<string, ConfigListener[]>();
  /** while reading config files: the first `save` line replaces the defaults, later ones add */
  private saveLoaded = false;

  /** Register a listener for a parameter (canonical name or alias). */
  onChange(name: string, fn: ConfigListener): void {
    const d = lookupParam(name);
    if (d === undefined) throw new Error(`unknown config parameter ${name}`);
    const list = this.listeners.get(d.name) ?? [];
    list.push(fn);
    this.listeners.set(d.name, list);
  }

  /** Run every listener once (server startup), returning the first error. */
  applyAll(): string | null {
    for (const [, fns] of this.listeners) {
      for (const fn of fns) {
        const r = fn(this);
        if (typeof r === 'string') return r;
      }
    }
    return null;
  }

  private field(d: ParamDef): unknown {
    return (this as unknown as Record<string, unknown>)[d.field];
  }

  private setField(d: ParamDef, v: unknown): void {
    (this as unknown as Record<string, unknown>)[d.field] = v;
  }

  /** The value as CONFIG GET prints it. */
  formatValue(d: ParamDef): string {
    const v = this.field(d);
    switch (d.type) {
      case 'bool': return v ? 'yes' : 'no';
      case 'int':
      case 'memory':
        return this.exactNumbers.get(d.field) ?? String(v);
      case 'percent': {
        const n = v as number;
        return n < 0 ? `${-n}%` : this.exactNumbers.get(d.field) ?? String(n);
      }
      case 'octal': return (v as number).toString(8);
      case 'enum':
      case 'string':
        return v as string;
      case 'special':
        switch (d.name) {
          case 'save': return (v as SavePoint[]).map(([s, c]) => `${s} ${c}`).join(' ');
          case 'bind': return (v as string[]).join(' ');
          case 'client-output-buffer-limit': return formatObufLimits(v as ClientOutputBufferLimits);
          case 'oom-score-adj-values':
          case 'latency-tracking-info-percentiles':
            return (v as number[]).map((x) => String(x)).join(' ');
          default: return v as string;
        }
    }
  }

  /** CONFIG GET value of a parameter by name or alias, or undefined. */
  getValue(name: string): string | undefined {
    const d = lookupParam(name);
    return d === undefined ? undefined : this.formatValue(d);
  }

  /** Copy of the typed value (for rollback). */
  private snapshot(d: ParamDef): { v: unknown; exact: string | undefined } {
    const v = this.field(d);
    const copy = Array.isArray(v) ? v.map((x: unknown) => (Array.isArray(x) ? x.slice() : x))
      : d.name === 'client-output-buffer-limit' ? structuredClone(v) : v;
    return { v: copy, exact: this.exactNumbers.get(d.field) };
  }

  private restore(d: ParamDef, s: { v: unknown; exact: string | undefined }): void {
    this.setField(d, s.v);
    if (s.exact === undefined) this.exactNumbers.delete(d.field);
    else this.exactNumbers.set(d.field, s.exact);
    if (d.name === 'dir' && this.chdir) changeDir(s.v as string, this.dir, true);
  }

  /**
   * Parse and store a value. `loading` is true while reading config files
   * (repeated `save` lines accumulate). Returns an error text or null.
   */
  setParam(d: ParamDef, args: string[], loading: boolean): string | null {
    const r = parseValue(d, args);
    if (!r.ok) return r.err;
    let v = r.value;
    if (typeof v === 'bigint') {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) this.exactNumbers.set(d.field, String(v < 0n && d.type === 'percent' ? -v : v));
      else this.exactNumbers.delete(d.field);
      v = n;
    }
    switch (d.name) {
      case 'hz':
        v = Math.min(500, Math.max(1, v as number));
        break;
      case 'repl-backlog-size':
        // Redis never keeps a backlog smaller than 16kb
        if (!loading && (v as number) < 16384) v = 16384;
        break;
      case 'activedefrag':
        if (v === true) {
          return 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution';
        }
        break;
      case 'proc-title-template':
        if (!this.validProcTitleTemplate(v as string)) return 'template format is invalid or contains unknown variables';
        break;
      case 'save':
        // `save ""` always clears; otherwise lines after the first one add points
        if (loading && this.saveLoaded && !(args.length === 1 && args[0] === '')) v = [...this.save, ...(v as SavePoint[])];
        if (loading) this.saveLoaded = true;
        break;
      case 'client-output-buffer-limit': {
        const { set, seen } = v as { set: ClientOutputBufferLimits; seen: (keyof ClientOutputBufferLimits)[] };
        const merged = structuredClone(this.clientOutputBufferLimit);
        for (const k of seen) merged[k] = set[k];
        v = merged;
        break;
      }
      case 'dir': {
        const r = changeDir(v as string, this.dir, this.chdir);
        if ('err' in r) return r.err;
        v = r.dir;
        break;
      }
      default:
        break;
    }
    this.setField(d, v);
    return null;
  }

  /** Redis expands the template with an empty title: it must know every {variable} and not come out blank. */
  private validProcTitleTemplate(t: string): boolean {
    const vars: Record<string, string> = {
      title: '',
      'listen-addr': `${this.bind[0] ?? '*'}:${this.port}`,
      'server-mode': '',
      port: String(this.port),
      'tls-port': String(this.tlsPort),
      unixsocket: this.unixsocket,
      'config-file': this.configFile ?? '',
    };
    let out = '';
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== '{') {
        out += t[i];
        continue;
      }
      const end = t.indexOf('}', i);
      if (end < 0) return false;
      const name = t.slice(i + 1, end);
      if (!(name in vars)) return false;
      out += vars[name];
      i = end;
    }
    return out.replace(/^ +| +$/g, '') !== '';
  }

  /**
   * CONFIG GET: parameters matching any of the patterns (glob patterns skip
   * hidden parameters), each reply key once, as [name, value] pairs.
   */
  getMatching(patterns: string[]): [string, string][] {
    const matches = new Map<string, ParamDef>();
    for (const pat of patterns) {
      if (!hasGlobChars(pat)) {
        if (matches.has(pat)) continue;
        const d = lookupParam(pat);
        if (d !== undefined) matches.set(pat, d);
        continue;
      }
      for (const d of PARAMS) {
        if (d.flags & HIDDEN) continue;
        for (const name of d.alias === null ? [d.name] : [d.name, d.alias]) {
          if (!matches.has(name) && globMatch(pat, name, true)) matches.set(name, d);
        }
      }
    }
    const out: [string, string][] = [];
    for (const [name, d] of matches) out.push([name, this.formatValue(d)]);
    return out;
  }

  /**
   * CONFIG SET name value [name value ...]: all or nothing. Returns null on
   * success or the error reply text (without the leading '-').
   * `allowProtected` says whether enable-protected-configs lets this client
   * change protected parameters.
   */
  setFromCommand(pairs: [string, string][], allowProtected: boolean): string | null {
    const defs: ParamDef[] = [];
    let unknown: string | null = null;
    let errArg: string | null = null;
    let errStr: string | null = null;
    const argNames: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const name = pairs[i][0];
      const d = lookupParam(name);
      if (d === undefined) {
        if (unknown === null && errStr === null) unknown = name;
        continue;
      }
      if (unknown !== null || errStr !== null) continue;
      if ((d.flags & IMMUTABLE) || ((d.flags & PROTECTED) && !allowProtected)) {
        errStr = (d.flags & IMMUTABLE) ? "can't set immutable config" : "can't set protected config";
        errArg = name;
        continue;
      }
      // a parameter and its alias are distinct entries for this check, as in Redis
      const key = name.toLowerCase() === d.name ? d.name : name.toLowerCase();
      if (argNames.includes(key)) {
        errStr = 'duplicate parameter';
        errArg = name;
        continue;
      }
      argNames.push(key);
      defs.push(d);
    }
    if (unknown !== null) return `ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`;
    if (errStr !== null) return `ERR CONFIG SET failed (possibly related to argument '${errArg}') - ${errStr}`;

    const olds = defs.map((d) => this.snapshot(d));
    const oldText = defs.map((d) => this.formatValue(d));
    const changed: ParamDef[] = [];
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i];
      const value = pairs[i][1];
      const args = (d.flags & MULTI_ARG) ? (value === '' ? [] : value.split(' ')) : [value];
      const err = this.setParam(d, args, false);
      if (err !== null) {
        for (let j = i; j >= 0; j--) this.restore(defs[j], olds[j]);
        return `ERR CONFIG SET failed (possibly related to argument '${pairs[i][0].toLowerCase()}') - ${err}`;
      }
      if (this.formatValue(d) !== oldText[i]) changed.push(d);
    }
    const ran = new Set<ConfigListener>();
    for (const d of changed) {
      for (const fn of this.listeners.get(d.name) ?? []) {
        if (ran.has(fn)) continue;
        ran.add(fn);
        const r = fn(this);
        if (typeof r === 'string') {
          for (let j = defs.length - 1; j >= 0; j--) this.restore(defs[j], olds[j]);
          for (const f of ran) f(this);
          const idx = defs.indexOf(d);
          return `ERR CONFIG SET failed (possibly related to argument '${pairs[idx][0].toLowerCase()}') - ${r}`;
        }
      }
    }
    return null;
  }
}

/** A configuration error: `message` is the full text Redis prints (to stderr) before exiting with status 1. */
export class ConfigError extends Error {
  /** Redis logs some fatal errors (an unreadable config file) to stdout rather than stderr */
  constructor(message: string, readonly toStdout = false) {
    super(message);
  }
}

export { loadConfig } from './conf-file';
export { PARAMS, lookupParam, type ParamDef } from './params';
export { defaultObufLimits };
