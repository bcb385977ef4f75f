/*
 * Memory accounting for INFO memory, MEMORY STATS and MEMORY USAGE.
 *
 * Nodis does not own an allocator: "used memory" is what V8 reports as
 * live (heap used + memory held outside the heap by Buffers), "rss" is the
 * process's resident set. The peak is sampled by the cron (as Redis's
 * serverCron does) and whenever a report is produced; the startup figure is
 * taken when the command families are set up. Overhead is estimated from
 * the client buffers and a per-key constant for the hash table entries, the
 * dataset being the rest, so that the ratios Redis reports stay meaningful.
 */
import { perServer } from '../server/per-server';
import * as v8 from 'v8';
import type { Server } from '../server/server';
import type { RedisValue } from '../keyspace/values';
import { fullGc } from '../server/gc';

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
 * garbage of the last milliseconds. The program's bytecode and machine
 * code grow as V8 compiles code paths on first use (tens of KB for a
 * command never run before); Redis's used_memory does not count its code
 * either, so they are left out: `programBytes` is read from V8 (a heap
 * walk of ~0.2 ms) when a report or an eviction collects garbage, and by
 * the cron.
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

/** Re-read the size of the compiled program (bytecode, machine code, script sources). */
export function refreshProgramBytes(): void {
  const c = v8.getHeapCodeStatistics();
  programBytes = c.code_and_metadata_size + c.bytecode_and_metadata_size + c.external_script_source_size;
}

export function usedMemory(): number {
  const h = v8.getHeapStatistics();
  let young = 0;
  for (const sp of v8.getHeapSpaceStatistics()) {
    if (sp.space_name === 'new_space' || sp.space_name === 'new_large_object_space') young += sp.space_used_size;
  }
  let external = h.external_memory;
  for (let i = 0; i < excludedExternal.length; i++) external -= excludedExternal[i]();
  return Math.max(0, h.used_heap_size - young - programBytes) + Math.max(0, external);
}

export function recordStartupMemory(server: Server): void {
  refreshProgramBytes();
  state(server);
}

/** Cron hook: keep the peak up to date. */
export function samplePeakMemory(server: Server): void {
  // once a second is enough to follow what V8 compiles (or flushes) as code paths warm up
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

/** Below this much heap in use a full collection takes a few milliseconds. */
const CHEAP_GC_HEAP = 16 * 1024 * 1024;
let lastReportGc = 0;
let lastProgramRefresh = 0;

/**
 * Collect garbage before a report when that is cheap (a small heap, not
 * more than every 100 ms), so that used_memory is the data held, as in
 * Redis, and what maxmemory compares with is the figure INFO showed: a
 * limit set from a reading plus a margin means the same to both.
 */
function collectIfCheap(): void {
  const now = Date.now();
  if (now - lastReportGc < 100 || v8.getHeapStatistics().used_heap_size > CHEAP_GC_HEAP) return;
  lastReportGc = now;
  refreshProgramBytes();
  // swept on this thread too, so that the heap figures are final when it returns
  fullGc({ sweepNow: true });
}

export function memoryReport(server: Server): MemoryReport {
  const st = state(server);
  collectIfCheap();
  const m = process.memoryUsage();
  // the same measure eviction uses (without the young generation's garbage)
  const used = usedMemory();
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

/** Values of other types may report their own size; else a sampled estimate is used. */
interface SizedValue {
  memoryUsage(samples: number): number;
}

function hasMemoryUsage(v: unknown): v is SizedValue {
  return typeof (v as { memoryUsage?: unknown }).memoryUsage === 'function';
}

/** jemalloc's size class for an allocation of n bytes (so that figures match Redis's). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  let base = 128;
  while (base * 2 < n) base *= 2;
  const q = base / 4;
  return Math.ceil(n / q) * q;
}

/** Header size of an sds string of this length (sdshdr8/16/32/64). */
function sdsHeader(len: number): number {
  return len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
}

/** Bytes Redis's object for a string value takes (robj + sds, or robj alone for integers). */
function stringValueBytes(value: string): number {
  const n = value.length;
  if (n <= 20 && /^(-?[1-9]\d*|0)$/.test(value)) {
    const v = Number(value);
    if (Number.isSafeInteger(v) || BigInt(value) <= 9223372036854775807n) return 16;
  }
  if (n <= 44) return jemallocSize(16 + 3 + n + 1); // embstr: one allocation
  return 16 + jemallocSize(sdsHeader(n) + n + 1);
}

/** MEMORY USAGE: bytes of the key, its value and its table entry, as Redis computes them. */
export function valueMemoryUsage(key: string, value: RedisValue, samples: number): number {
  let valueBytes: number;
  if (typeof value === 'string') {
    valueBytes = stringValueBytes(value);
  } else if (value.kind === 'string') {
    const cap = (value as unknown as { buf: Buffer }).buf.length;
    valueBytes = 16 + jemallocSize(sdsHeader(cap) + cap + 1);
  } else if (hasMemoryUsage(value)) {
    valueBytes = value.memoryUsage(samples);
  } else {
    valueBytes = 16;
  }
  // key: sdshdr5 below 32 bytes, then as values; plus the dictEntry (24 bytes)
  const keyHdr = key.length < 32 ? 1 : sdsHeader(key.length);
  return valueBytes + jemallocSize(keyHdr + key.length + 1) + 24;
}
