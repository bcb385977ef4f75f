/*
 * Forced garbage collections: the one place that calls V8's exposed gc()
 * (bin/nodis-server starts Node with --expose-gc; without it every call
 * here does nothing and returns false, and V8's own schedule decides).
 *
 * Callers: eviction measures memory after a collection (maxmemory.ts),
 * synchronously freed big values are reclaimed inside their command
 * (keyspace/lazyfree.ts), INFO reports the data held on a small heap
 * (server/memory.ts), the idle trim compacts a fragmented heap
 * (heap-guard.ts), and MEMORY PURGE.
 *
 * Options switch a V8 flag on for this one collection only:
 * - sweepNow: sweep on this thread too (concurrent sweeping off), so the
 *   freed pages are back, the dead Buffers' memory released and the heap
 *   and external figures final when it returns, and the time is spent
 *   inside the caller (swept concurrently, a dropped Buffer still counts
 *   in external_memory right after the collection);
 * - compact: evacuate every fragmented page, not only the worst ones.
 */
import * as v8 from 'v8';

export interface GcOptions {
  sweepNow?: boolean;
  compact?: boolean;
}

function exposedGc(): (() => void) | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as () => void) : null;
}

/** Whether collections can be forced in this process. */
export function gcAvailable(): boolean {
  return exposedGc() !== null;
}

/** Below this much heap in use a full collection takes a few milliseconds. */
const CHEAP_GC_HEAP = 16 * 1024 * 1024;

/** Whether a full collection now would be cheap (a small heap). */
export function collectionIsCheap(): boolean {
  return v8.getHeapStatistics().used_heap_size <= CHEAP_GC_HEAP;
}

let forcedCount = 0;

/** How many collections fullGc() has run (a figure taken after one is stale once another ran). */
export function forcedGcCount(): number {
  return forcedCount;
}

/** Run one full collection now. False when gc is not exposed. */
export function fullGc(opts: GcOptions = {}): boolean {
  const gc = exposedGc();
  if (gc === null) return false;
  forcedCount++;
  if (opts.sweepNow) v8.setFlagsFromString('--no-concurrent-sweeping');
  if (opts.compact) v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    if (opts.compact) v8.setFlagsFromString('--no-compact-on-every-full-gc');
    if (opts.sweepNow) v8.setFlagsFromString('--concurrent-sweeping');
  }
  return true;
}
