/*
 * INFO: the report, section by section, in Redis 7.0's order and format.
 *
 * Each section builder returns its "field:value" lines. Sections are named
 * case-insensitively; "default" expands to the default set, "all" adds
 * every section but the module-generated ones, "everything" adds those
 * too; unknown names are ignored; each section appears once, in the fixed
 * order, separated by an empty line.
 *
 * Modules that own a figure INFO shows (persistence, replication,
 * scripting...) plug it in on their server's host (server/module-host.ts)
 * without touching this module: provideInfoField(field, fn) replaces the
 * value of one field, provideInfoSection(name, fn) replaces the body of a
 * whole section (for sections whose set of fields varies, such as
 * replication on a replica). Without such a module the field shows what an
 * idle Redis with that feature unused shows (mostly 0).
 */
import { persistenceState } from '../persistence/persistence';
import { migrateCachedSockets } from '../commands/migrate';
import * as os from 'os';
import type { Server } from '../server/server';
import { REDIS_VERSION } from '../server/server';
import type { Command } from '../command-model/table';
import type { InfoValue } from '../server/module-host';
import { lruClock } from '../keyspace/keyspace';
import { bytesToHuman, fixed, secUsec, safeInfoString, trimmedF } from './format';
import { memoryReport, prepareMemoryReport } from '../server/memory';

/** The value a module gives for a field, or the fallback. */
export function infoField(server: Server, field: string, fallback: InfoValue): InfoValue {
  const p = server.host.infoFields.get(field);
  return p === undefined ? fallback : p(server);
}

type Lines = [string, InfoValue][];

function render(server: Server, lines: Lines): string {
  const fieldProviders = server.host.infoFields;
  const extraLines = server.host.infoExtraLines;
  let out = '';
  for (const [k, v] of lines) {
    const p = fieldProviders.get(k);
    out += `${k}:${p === undefined ? v : p(server)}\r\n`;
    if (extraLines.size > 0) {
      const extra = extraLines.get(k);
      if (extra !== undefined) out += extra(server);
    }
  }
  return out;
}

const BUILD_ID = 'd6b5a3f3f7b0c1e2';

function serverSection(server: Server): Lines {
  const clock = server.clock;
  const now = clock.now();
  const uptime = Math.floor(now / 1000) - Math.floor(server.startTime / 1000);
  const cfg = server.config;
  const usec = Math.floor((clock.mono() + clock.offset) * 1000);
  const platform = process.platform;
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', BUILD_ID],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', 64],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', platform === 'linux' ? 'epoll' : platform === 'win32' ? 'iocp' : 'kqueue'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', cfg.port],
    ['server_time_usec', usec],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', cfg.hz],
    ['configured_hz', cfg.hz],
    ['lru_clock', lruClock(now)],
    ['executable', server.executable],
    ['config_file', cfg.configFile ?? ''],
    ['io_threads_active', 0],
  ];
}

function clientsSection(server: Server): Lines {
  let maxIn = 0;
  let maxOut = 0;
  let blocked = 0;
  for (const c of server.clients.values()) {
    // blocking commands set c.blocked; commands held by CLIENT PAUSE count too, as in Redis
    if (c.blocked || c.pausedArgv !== null) blocked++;
    const i = c.parser.pendingBytes;
    if (i > maxIn) maxIn = i;
    const o = c.reply.len;
    if (o > maxOut) maxOut = o;
  }
  return [
    ['connected_clients', server.clients.size],
    ['cluster_connections', 0],
    ['maxclients', server.config.maxclients],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', blocked],
    ['tracking_clients', server.tracking.clients],
    ['clients_in_timeout_table', 0],
  ];
}

function memorySection(server: Server): Lines {
  const r = memoryReport(server);
  const total = os.totalmem();
  const maxmemory = server.config.maxmemory;
  return [
    ['used_memory', r.used],
    ['used_memory_human', bytesToHuman(r.used)],
    ['used_memory_rss', r.rss],
    ['used_memory_rss_human', bytesToHuman(r.rss)],
    ['used_memory_peak', r.peak],
    ['used_memory_peak_human', bytesToHuman(r.peak)],
    ['used_memory_peak_perc', `${fixed(r.peakPerc, 2)}%`],
    ['used_memory_overhead', r.overhead],
    ['used_memory_startup', r.startup],
    ['used_memory_dataset', r.dataset],
    ['used_memory_dataset_perc', `${fixed(r.datasetPerc, 2)}%`],
    ['allocator_allocated', r.allocatorAllocated],
    ['allocator_active', r.allocatorActive],
    ['allocator_resident', r.allocatorResident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', server.config.maxmemoryPolicy],
    ['allocator_frag_ratio', fixed(r.allocatorFragRatio, 2)],
    ['allocator_frag_bytes', r.allocatorFragBytes],
    ['allocator_rss_ratio', fixed(r.allocatorRssRatio, 2)],
    ['allocator_rss_bytes', r.allocatorRssBytes],
    ['rss_overhead_ratio', fixed(r.rssOverheadRatio, 2)],
    ['rss_overhead_bytes', r.rssOverheadBytes],
    ['mem_fragmentation_ratio', fixed(r.fragRatio, 2)],
    ['mem_fragmentation_bytes', r.fragBytes],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', r.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', server.keyspace.lazyfree.pendingObjects],
    ['lazyfreed_objects', server.keyspace.lazyfree.lazyfreedObjects],
  ];
}

function persistenceSection(server: Server): Lines {
  const ps = persistenceState(server);
  const child = ps.child;
  // (real time: how long the save child has been running, as persistence.ts times it)
  const nowSec = Math.floor(Date.now() / 1000);
  return [
    ['loading', ps.loading ? 1 : 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', child !== null && child.keysTotal > 0 ? ((child.keysProcessed / child.keysTotal) * 100).toFixed(2) : '0.00'],
    ['current_save_keys_processed', child !== null ? child.keysProcessed : 0],
    ['current_save_keys_total', child !== null ? child.keysTotal : 0],
    ['rdb_changes_since_last_save', server.keyspace.dirty],
    ['rdb_bgsave_in_progress', ps.bgsaveInProgress ? 1 : 0],
    ['rdb_last_save_time', server.lastSave],
    ['rdb_last_bgsave_status', ps.lastBgsaveOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', ps.lastBgsaveTimeSec],
    ['rdb_current_bgsave_time_sec', ps.bgsaveInProgress ? nowSec - ps.bgsaveStart : -1],
    ['rdb_saves', ps.rdbSaves],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', ps.lastLoadKeysExpired],
    ['rdb_last_load_keys_loaded', ps.lastLoadKeysLoaded],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
}

/** Redis's instantaneous metrics are integers (the average of the samples, truncated). */
function instant(server: Server, name: string): number {
  return Math.trunc(server.stats.instantaneous(name));
}

function statsSection(server: Server): Lines {
  const st = server.stats;
  const ks = server.keyspace.stats;
  return [
    ['total_connections_received', st.numConnections],
    ['total_commands_processed', st.numCommands],
    ['instantaneous_ops_per_sec', instant(server, 'commands')],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', fixed(Math.fround(instant(server, 'net_input') / 1024), 2)],
    ['instantaneous_output_kbps', fixed(Math.fround(instant(server, 'net_output') / 1024), 2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', fixed(ks.expiredStalePerc * 100, 2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', Math.floor(ks.expireCycleCpuMilliseconds)],
    ['evicted_keys', ks.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', server.pubsub.channels.size],
    ['pubsub_patterns', server.pubsub.patterns.size],
    ['pubsubshard_channels', server.pubsub.shardChannels.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', migrateCachedSockets(server)],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', server.tracking.table.size],
    ['tracking_total_items', server.tracking.totalItems],
    ['tracking_total_prefixes', server.tracking.prefixes.size],
    ['unexpected_error_replies', st.unexpectedErrorReplies],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', st.totalReadsProcessed],
    ['total_writes_processed', st.totalWritesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', st.replyBufferShrinks],
    ['reply_buffer_expands', st.replyBufferExpands],
  ];
}

function replicationSection(server: Server): Lines {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', server.replId],
    ['master_replid2', server.replId2],
    ['master_repl_offset', server.masterReplOffset],
    ['second_repl_offset', server.secondReplOffset],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuSection(): Lines {
  const u = process.cpuUsage();
  // the main thread does nearly all the work; Node 20 cannot tell it apart
  const thread = u;
  return [
    ['used_cpu_sys', secUsec(u.system)],
    ['used_cpu_user', secUsec(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', secUsec(thread.system)],
    ['used_cpu_user_main_thread', secUsec(thread.user)],
  ];
}

/** "cmdstat_<name>:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=.." for every used command. */
function commandstatsBody(server: Server): string {
  let out = '';
  for (const cmd of server.commands.all()) {
    const s = cmd.stats;
    if (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0) continue;
    const perCall = s.calls === 0 ? 0 : Math.fround(Math.fround(s.usec) / Math.fround(s.calls));
    out += `cmdstat_${safeInfoString(cmd.fullName)}:calls=${s.calls},usec=${s.usec},usec_per_call=${fixed(perCall, 2)},rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}\r\n`;
  }
  return out;
}

function errorstatsBody(server: Server): string {
  const codes = [...server.stats.errorCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const code of codes) out += `errorstat_${safeInfoString(code)}:count=${server.stats.errorCounts.get(code)}\r\n`;
  return out;
}

/** latency-tracking-info-percentiles, whatever form the configuration keeps it in. */
export function trackingPercentiles(server: Server): number[] {
  const v: unknown = (server.config as unknown as Record<string, unknown>).latencyTrackingInfoPercentiles;
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'string') return v.split(/\s+/).filter((x) => x !== '').map(Number);
  return [50, 99, 99.9];
}

/**
 * Redis keeps latencies in an HDR histogram (nanoseconds, 2 significant
 * figures) and reports a bucket's highest equivalent value: 15000 ns shows
 * as 15.039 µs. Our histogram answers in microseconds; this maps its answer
 * onto the same grid so that the figures read like Redis's.
 */
export function hdrHighestEquivalentUsec(usec: number): number {
  const ns = Math.max(1, Math.round(usec * 1000));
  if (ns < 256) return ns / 1000;
  const shift = Math.floor(Math.log2(ns)) - 7;
  const width = 2 ** shift;
  return ((Math.floor(ns / width) + 1) * width - 1) / 1000;
}

function latencyLine(name: string, cmd: Command, percentiles: number[]): string {
  let out = `latency_percentiles_usec_${safeInfoString(name)}:`;
  for (let i = 0; i < percentiles.length; i++) {
    if (i > 0) out += ',';
    out += `p${trimmedF(percentiles[i])}=${fixed(hdrHighestEquivalentUsec(cmd.stats.latency.percentile(percentiles[i])), 3)}`;
  }
  return out + '\r\n';
}

function latencystatsBody(server: Server): string {
  if (!server.config.latencyTracking) return '';
  const ps = trackingPercentiles(server);
  let out = '';
  for (const cmd of server.commands.all()) {
    if (cmd.stats.latency.total === 0) continue;
    out += latencyLine(cmd.fullName, cmd, ps);
  }
  return out;
}

function keyspaceBody(server: Server): string {
  let out = '';
  for (const db of server.keyspace.dbs) {
    const keys = db.size;
    const vkeys = db.expires.size;
    if (keys || vkeys) out += `db${db.id}:keys=${keys},expires=${vkeys},avg_ttl=${Math.floor(db.avgTtl)}\r\n`;
  }
  return out;
}

interface SectionDef {
  name: string;
  title: string;
  inDefault: boolean;
  body: (server: Server) => string;
}

const SECTIONS: SectionDef[] = [
  { name: 'server', title: 'Server', inDefault: true, body: (s) => render(s, serverSection(s)) },
  { name: 'clients', title: 'Clients', inDefault: true, body: (s) => render(s, clientsSection(s)) },
  { name: 'memory', title: 'Memory', inDefault: true, body: (s) => render(s, memorySection(s)) },
  { name: 'persistence', title: 'Persistence', inDefault: true, body: (s) => render(s, persistenceSection(s)) },
  { name: 'stats', title: 'Stats', inDefault: true, body: (s) => render(s, statsSection(s)) },
  { name: 'replication', title: 'Replication', inDefault: true, body: (s) => render(s, replicationSection(s)) },
  { name: 'cpu', title: 'CPU', inDefault: true, body: (s) => render(s, cpuSection()) },
  { name: 'modules', title: 'Modules', inDefault: true, body: () => '' },
  { name: 'commandstats', title: 'Commandstats', inDefault: false, body: commandstatsBody },
  { name: 'errorstats', title: 'Errorstats', inDefault: true, body: errorstatsBody },
  { name: 'latencystats', title: 'Latencystats', inDefault: false, body: latencystatsBody },
  { name: 'cluster', title: 'Cluster', inDefault: true, body: (s) => render(s, [['cluster_enabled', 0]]) },
  { name: 'keyspace', title: 'Keyspace', inDefault: true, body: keyspaceBody },
];

/** Names accepted for a section besides its own ("module_list" is the default set's name for modules). */
const ALIASES: Record<string, string> = { module_list: 'modules' };

/**
 * The INFO text for the given arguments (the words after INFO). An empty
 * list means the default sections.
 */
export function infoString(server: Server, args: readonly string[]): string {
  const wanted = new Set<string>();
  let all = false;
  if (args.length === 0) {
    for (const s of SECTIONS) if (s.inDefault) wanted.add(s.name);
  } else {
    for (const a of args) {
      const l = a.toLowerCase();
      if (l === 'default') {
        for (const s of SECTIONS) if (s.inDefault) wanted.add(s.name);
      } else if (l === 'all' || l === 'everything') {
        all = true;
      } else {
        wanted.add(ALIASES[l] ?? l);
      }
    }
  }
  // before any section is built (see prepareMemoryReport)
  if (all || wanted.has('memory')) prepareMemoryReport();
  let out = '';
  let n = 0;
  for (const s of SECTIONS) {
    if (!all && !wanted.has(s.name)) continue;
    if (n++ > 0) out += '\r\n';
    const provider = server.host.infoSections.get(s.name);
    out += `# ${s.title}\r\n${provider !== undefined ? provider(server) : s.body(server)}`;
  }
  return out;
}

/** The value of one field, parsed back from its section (for tests and tools). */
export function infoFieldValue(server: Server, section: string, field: string): string | null {
  const text = infoString(server, [section]);
  for (const line of text.split('\r\n')) {
    if (line.startsWith(field + ':')) return line.slice(field.length + 1);
  }
  return null;
}
