/*
 * Forced garbage collections: the one place that calls V8's exposed gc()
 * (bin/nodis-server starts Node with --expose-gc; without it every call
 * here does nothing and returns false, and V8's own schedule decides).
 *
 * Callers: eviction measures memory after a collection (maxmemory.ts),
 * synchronously freed big values are reclaimed inside their command
 * (keyspace/lazyfree.ts), INFO reports the data held on a small heap
 * (info/memory.ts), the idle trim compacts a fragmented heap
 * (heap-guard.ts), and MEMORY PURGE.
 *
 * Options switch a V8 flag on for this one collection only:
 * - sweepNow: sweep on this thread too (concurrent sweeping off), so the
 *   freed pages are back and the heap figures final when it returns, and
 *   the time is spent inside the caller;
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

/** Run one full collection now. False when gc is not exposed. */
export function fullGc(opts: GcOptions = {}): boolean {
  const gc = exposedGc();
  if (gc === null) return false;
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
