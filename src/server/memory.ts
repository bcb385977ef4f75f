/*
 * Memory accounting for INFO memory, MEMORY STATS, maxmemory and the heap
 * guard (one key's MEMORY USAGE is keyspace/value-memory.ts).
 *
 * Nodis does not own an allocator: "used memory" is what V8 reports as
 * live (heap used + memory held outside the heap by Buffers), "rss" is the
 * process's resident set. The peak is sampled by the cron (as Redis's
 * serverCron does) and whenever a report is produced; the startup figure is
 * taken when the command families are set up. Overhead is estimated from
 * the client buffers and a per-key constant for the hash table entries, the
 * dataset being the rest, so that the ratios Redis reports stay meaningful.
 */
import { perServer } from './per-server';
import * as v8 from 'v8';
import { PerformanceObserver, performance, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import type { Server } from './server';
import { fullGc, forcedGcCount, collectionIsCheap, gcAvailable } from '../util/gc';

/** Estimated bytes a hash table entry costs besides the key and value (entry + bucket + clock). */
const DICT_ENTRY_OVERHEAD = 48;
/** Estimated bytes of an expires entry. */
const EXPIRE_ENTRY_OVERHEAD = 40;

interface MemState {
  startup: number;
  peak: number;
}

const state = perServer((): MemState => {
  const used = usedMemory();
  return { startup: used, peak: used };
});

/**
 * Bytes in use: V8's heap in use plus off-heap buffers, without the young
 * generation and without the program itself (cheap: no /proc read, about
 * 1 µs). Objects that live on are promoted out of the young generation
 * within two scavenges, while most of what a command allocates and drops
 * dies there: leaving it out keeps the figure (INFO used_memory, what
 * maxmemory compares with) close to the data held rather than to the
 * garbage of the last milliseconds. The program grows as V8 compiles code
 * paths on first use (tens of KB for a command never run before) and its
 * machine code comes and goes as functions are optimized and collected
 * (the code space moves by a hundred KB within seconds); Redis's
 * used_memory does not count its code either, so it is left out: the code
 * spaces as they are at each reading, and the rest of the program
 * (bytecode, code metadata in the old space, script sources) as read from
 * V8 (a heap walk of ~0.2 ms) when a report or an eviction collects
 * garbage, and by the cron.
 */
let programBytes = 0;

/**
 * Memory outside the heap that is not the dataset's: the in-process Lua
 * engine's fixed wasm heap (Redis keeps Lua's memory out of used_memory
 * too, reporting it as used_memory_lua). Subsystems register a reader.
 */
const excludedExternal: (() => number)[] = [];
export function excludeFromUsedMemory(reader: () => number): void {
  excludedExternal.push(reader);
}

const CODE_SPACES = ['code_space', 'code_large_object_space'];
/** Heap spaces left out of used memory whatever they hold: the young generation and machine code. */
const EXCLUDED_SPACES = ['new_space', 'new_large_object_space', ...CODE_SPACES];

/** Bytes now in the given heap spaces. */
function spaceBytes(names: readonly string[]): number {
  let bytes = 0;
  for (const sp of v8.getHeapSpaceStatistics()) {
    if (names.includes(sp.space_name)) bytes += sp.space_used_size;
  }
  return bytes;
}

/** Re-read the size of the compiled program outside the code spaces (bytecode, code metadata, script sources). */
export function refreshProgramBytes(): void {
  const c = v8.getHeapCodeStatistics();
  const program = c.code_and_metadata_size + c.bytecode_and_metadata_size + c.external_script_source_size;
  programBytes = Math.max(0, program - spaceBytes(CODE_SPACES));
}

export function usedMemory(): number {
  const h = v8.getHeapStatistics();
  const excluded = spaceBytes(EXCLUDED_SPACES);
  let external = h.external_memory;
  for (let i = 0; i < excludedExternal.length; i++) external -= excludedExternal[i]();
  return Math.max(0, h.used_heap_size - excluded - programBytes) + Math.max(0, external);
}

export function recordStartupMemory(server: Server): void {
  refreshProgramBytes();
  state(server);
}

let lastProgramRefresh = 0;

/** Cron hook: keep the peak up to date. */
export function samplePeakMemory(server: Server): void {
  // once a second is enough to follow what V8 compiles (or flushes) as code paths warm up
  // (real time: a rate limit on sampling the heap, not time a client sees pass)
  const now = Date.now();
  if (now - lastProgramRefresh >= 1000) {
    lastProgramRefresh = now;
    refreshProgramBytes();
  }
  const s = state(server);
  const used = usedMemory();
  if (used > s.peak) s.peak = used;
}

export interface MemoryReport {
  used: number;
  rss: number;
  peak: number;
  peakPerc: number;
  startup: number;
  overhead: number;
  dataset: number;
  datasetPerc: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  clientsNormal: number;
  keys: number;
  bytesPerKey: number;
  dbs: { id: number; overheadMain: number; overheadExpires: number }[];
  allocatorAllocated: number;
  allocatorActive: number;
  allocatorResident: number;
  allocatorFragRatio: number;
  allocatorFragBytes: number;
  allocatorRssRatio: number;
  allocatorRssBytes: number;
  rssOverheadRatio: number;
  rssOverheadBytes: number;
  fragRatio: number;
  fragBytes: number;
}

/**
 * Collect garbage so that the next usedMemory() is the data held: swept
 * on this thread too, so that the heap figures are final when it returns,
 * and on a small heap twice, as a collection run inside a command can
 * leave up to a few hundred KB in the old generation that the next one
 * frees (measured: a single collection left such a surplus in ~4% of
 * readings; on a big heap that is noise). False when gc is not exposed.
 */
export function collectForReading(): boolean {
  if (!fullGc({ sweepNow: true })) return false;
  if (collectionIsCheap()) fullGc({ sweepNow: true });
  refreshProgramBytes();
  return true;
}

/** A report collects garbage first when memory in use grew by more than this since the last one that did. */
const REPORT_GC_GROWTH = 16 * 1024;
/** ...within a budget: reports spend at most this many ms per second collecting (10%) */
const REPORT_GC_BUDGET_MS = 100;
let gcBudget = REPORT_GC_BUDGET_MS;
let gcBudgetAt = 0;
/** used memory right after the last report's collection, the count of forced collections and the clock then */
let lastCollectedReading = -1;
let lastCollectedGcCount = -1;
let lastCollectedAt = 0;
/** V8 ran a full collection of its own (the memory reducer's, when idle) since that reading */
let autoGcSinceReading = false;
let gcWatch: PerformanceObserver | null = null;

/** Follow V8's own full collections: they free data without the figure above knowing. */
function watchFullCollections(): void {
  if (gcWatch !== null) return;
  gcWatch = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } | null }).detail?.kind;
      // ours ended before the reading that followed it; only later ones matter
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR && e.startTime > lastCollectedAt) autoGcSinceReading = true;
    }
  });
  gcWatch.observe({ entryTypes: ['gc'] });
}

/**
 * used_memory for a report. On a small heap (where a collection costs a
 * few ms) a report collects garbage first, so that the figure is the data
 * held, as in Redis, and what maxmemory compares with is the figure INFO
 * showed: a limit set from a reading plus a margin means the same to both.
 * Between collections the figure is off by the old generation's garbage
 * and V8's allocation buffers, a few hundred KB within milliseconds of a
 * collection: more than the margins tests and operators set, so a
 * schedule by time alone (every 100 ms) left INFO read twice in a row
 * wrong. A report collects when the figure grew by more than 16 KB since
 * the last collected reading, or another collection ran since (an
 * eviction's, a reclaim's, or one V8 ran of its own accord, seen through a
 * PerformanceObserver of 'gc' entries) and so may have freed data whose
 * place garbage took; an unchanged figure (an idle server polled) needs
 * none. The time spent is bounded: reports collect within a budget of
 * 100 ms per second, so that clients reading INFO as they connect
 * (ioredis), many at once, do not spend more than a tenth of the time.
 */
function reportedUsedMemory(): number {
  if (!gcAvailable() || !collectionIsCheap()) return usedMemory();
  watchFullCollections();
  const used = usedMemory();
  const undisturbed = lastCollectedGcCount === forcedGcCount() && !autoGcSinceReading;
  if (undisturbed && used <= lastCollectedReading + REPORT_GC_GROWTH) return used;
  const now = performance.now();
  gcBudget = Math.min(REPORT_GC_BUDGET_MS, gcBudget + ((now - gcBudgetAt) * REPORT_GC_BUDGET_MS) / 1000);
  gcBudgetAt = now;
  if (gcBudget <= 0) return used;
  collectForReading();
  lastCollectedAt = performance.now();
  gcBudget -= lastCollectedAt - now;
  lastCollectedReading = usedMemory();
  lastCollectedGcCount = forcedGcCount();
  autoGcSinceReading = false;
  return lastCollectedReading;
}

/**
 * Settle used_memory before a report builds anything: a collection keeps
 * (and promotes out of the young generation) whatever is live when it runs,
 * such as the report's own sections half built. The report's own reading
 * then finds nothing grown and needs no collection.
 */
export function prepareMemoryReport(): void {
  reportedUsedMemory();
}

export function memoryReport(server: Server): MemoryReport {
  const st = state(server);
  // the same measure eviction uses (without the young generation's garbage)
  const used = reportedUsedMemory();
  const m = process.memoryUsage();
  if (used > st.peak) st.peak = used;
  let clientsNormal = 0;
  for (const c of server.clients.values()) clientsNormal += c.reply.buf.length + c.parser.pendingBytes;
  let keys = 0;
  let dictOverhead = 0;
  const dbs: MemoryReport['dbs'] = [];
  for (const db of server.keyspace.dbs) {
    const main = db.size * DICT_ENTRY_OVERHEAD;
    const exp = db.expires.size * EXPIRE_ENTRY_OVERHEAD;
    keys += db.size;
    dictOverhead += main + exp;
    if (db.size > 0 || db.expires.size > 0) dbs.push({ id: db.id, overheadMain: main, overheadExpires: exp });
  }
  let overhead = st.startup + clientsNormal + dictOverhead;
  if (overhead > used) overhead = used;
  const dataset = used - overhead;
  const net = used - st.startup;
  const allocated = used;
  const active = m.heapTotal + m.external;
  const resident = m.rss;
  return {
    used,
    rss: m.rss,
    peak: st.peak,
    peakPerc: st.peak > 0 ? (used * 100) / st.peak : 0,
    startup: st.startup,
    overhead,
    dataset,
    datasetPerc: net > 0 ? (dataset * 100) / net : 0,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
    clientsNormal,
    keys,
    bytesPerKey: keys > 0 ? Math.floor(net / keys) : 0,
    dbs,
    allocatorAllocated: allocated,
    allocatorActive: active,
    allocatorResident: resident,
    allocatorFragRatio: allocated > 0 ? active / allocated : 0,
    allocatorFragBytes: active - allocated,
    allocatorRssRatio: active > 0 ? resident / active : 0,
    allocatorRssBytes: resident - active,
    rssOverheadRatio: resident > 0 ? m.rss / resident : 0,
    rssOverheadBytes: m.rss - resident,
    fragRatio: used > 0 ? m.rss / used : 0,
    fragBytes: m.rss - used,
  };
}
