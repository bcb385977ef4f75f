/*
 * Freeing values as Redis's lazyfree options say: synchronously (in the
 * command or cycle that drops the value) or in the background.
 *
 * In Redis a value leaving the keyspace is freed at once, inside the command
 * (DEL, an overwrite), the expire cycle or the eviction loop, unless its
 * lazyfree option (lazyfree-lazy-user-del, -server-del, -expire, -eviction;
 * UNLINK always) is yes and freeing it is more than LAZYFREE_THRESHOLD
 * allocations of work: then a background thread frees it and
 * lazyfreed_objects counts it. Freeing a big value synchronously takes time
 * (a million-member set: a hundred milliseconds or so), which the latency monitor
 * and SLOWLOG record, and used_memory drops right away.
 *
 * In JavaScript dropping the last reference is O(1) and the garbage
 * collector reclaims the memory whenever it next runs, so without more the
 * synchronous case would look free and the memory figures would stay up.
 * To keep the behaviour honest:
 * - a value freed synchronously whose free effort is above the threshold
 *   adds its estimated size (MEMORY USAGE's estimate) to `pending`;
 * - at the end of the command (dispatch), right after each expired key's
 *   deletion (timed as Redis's expire-del latency event, and inside the
 *   expire cycle's time) and after each eviction, reclaim() runs a full
 *   collection when what was freed is big against the heap: at least
 *   RECLAIM_MIN_BYTES and at least 1/16 of the heap in use (which counts
 *   the garbage not collected yet: after a burst of writes, several times
 *   the live data). The collection marks the live heap and sweeps every
 *   page, the freed value's included, on this thread: its cost is in the
 *   order of the heap's size, so requiring the value to be a good part of
 *   the heap keeps it in the order of the value's size (what freeing costs
 *   Redis) and bounds a loop of such deletions (each one shrinks the heap
 *   by 1/16 or more). The time is spent where Redis spends it, so the
 *   latency monitor (expire-cycle, expire-del, command), SLOWLOG and INFO
 *   see it there. It is usually less than Redis's, which frees element by
 *   element (a million-member set built by a script: 10-30 ms here, Redis
 *   160 ms on the same machine);
 * - a value freed lazily is not the command's business: it is counted in
 *   lazyfree_pending_objects, and the next cron tick (Redis's background
 *   thread) runs the collection under the same size rule, outside any
 *   command, then moves the count to lazyfreed_objects. Smaller values are
 *   left to the collector's own schedule.
 * A flushed database is handled the same way, its size estimated from a
 * few sampled entries (FLUSHDB/FLUSHALL ASYNC count all its keys as
 * lazily freed objects, as Redis does).
 * Needs gc exposed (bin/nodis-server passes --expose-gc); without it the
 * collector alone decides.
 */
import * as v8 from 'v8';
import type { RedisObject, RedisValue } from './values';
import type { Dict } from '../types/dict';
import type { ListValue } from '../types/list';
import type { SetValue } from '../types/set';
import type { HashValue } from '../types/hash';
import type { ZSet } from '../types/zset';
import type { ConsumerGroup, StreamValue } from '../types/stream';
import { fullGc } from '../util/gc';
import { valueMemoryUsage } from './value-memory';

/** Redis's LAZYFREE_THRESHOLD: values costing more allocations than this are freed in the background when lazy. */
const LAZYFREE_THRESHOLD = 64;
/** A synchronous free smaller than this never forces a collection. */
const RECLAIM_MIN_BYTES = 4 * 1024 * 1024;
/** ...nor one below this fraction of the heap in use. */
const RECLAIM_HEAP_FRACTION = 1 / 16;

/**
 * Redis's lazyfreeGetFreeEffort: how many allocations freeing the value
 * takes (strings are never passed: one). Compact encodings (listpack,
 * intset) and ByteStrings are one.
 */
function freeEffort(v: RedisObject): number {
  switch (v.kind) {
    case 'list':
      return (v as ListValue).nodeCount;
    case 'set':
    case 'hash':
    case 'zset': {
      const enc = v.encoding();
      return enc === 'listpack' || enc === 'intset' ? 1 : (v as SetValue | HashValue | ZSet).size;
    }
    case 'stream': {
      const s = v as StreamValue;
      let effort = s.nodes.length + 1;
      if (s.groups !== null && s.groups.size > 0) {
        // as Redis: the first group's PEL stands for every group's
        const first = s.groups.values().next().value as ConsumerGroup;
        effort += s.groups.size * (1 + first.pel.size);
      }
      return effort;
    }
    default:
      return 1;
  }
}

/** MEMORY USAGE's estimate of a value (without its key): what freeing it gives back. */
function estimatedBytes(v: RedisValue): number {
  return valueMemoryUsage('', v, 5);
}

/** Entries sampled to estimate a whole dict (a flushed database). */
const FLUSH_SAMPLES = 16;

/** Estimated bytes of a dict's keys and values, from a few random entries. */
export function estimatedDictBytes(dict: Dict<RedisValue>): number {
  const n = dict.size;
  if (n === 0) return 0;
  const samples = Math.min(n, FLUSH_SAMPLES);
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const id = dict.randomId();
    const v = dict.valueAt(id);
    sum += valueMemoryUsage(dict.keyAt(id), v, 5);
  }
  return (sum / samples) * n;
}

/**
 * Run a full collection if `freed` bytes are worth it (see the module
 * comment). With sweepNow the collection also sweeps on this thread
 * (concurrent sweeping off for it), so that the freed pages are back to
 * the system, and the time spent, when it returns; otherwise V8's threads
 * sweep in the background.
 */
function collectFor(freed: number, sweepNow: boolean): boolean {
  if (freed < RECLAIM_MIN_BYTES) return false;
  if (freed < v8.getHeapStatistics().used_heap_size * RECLAIM_HEAP_FRACTION) return false;
  return fullGc({ sweepNow });
}

export class Lazyfree {
  /** INFO lazyfreed_objects: big values freed in the background */
  lazyfreedObjects = 0;
  /** INFO lazyfree_pending_objects: big values waiting for the background */
  pendingObjects = 0;
  /** estimated bytes of the values waiting for the background */
  private pendingLazy = 0;
  /** estimated bytes of big values freed synchronously since the last reclaim point */
  pending = 0;

  /** A value left the keyspace for good; `lazy` is its lazyfree option (true for UNLINK). */
  freed(v: RedisObject, lazy: boolean): void {
    const effort = freeEffort(v);
    if (effort <= LAZYFREE_THRESHOLD) return;
    if (lazy) {
      this.pendingObjects++;
      this.pendingLazy += estimatedBytes(v);
    } else {
      this.pending += estimatedBytes(v);
    }
  }

  /** A non-empty database was flushed: `keys` keys of about `bytes` bytes, freed lazily (FLUSHDB ASYNC) or not. */
  flushed(keys: number, bytes: number, lazy: boolean): void {
    if (lazy) {
      // Redis counts every key of an asynchronously flushed database
      this.pendingObjects += keys;
      this.pendingLazy += bytes;
    } else {
      this.pending += bytes;
    }
  }

  /**
   * A reclaim point: collect now when what was freed synchronously is big.
   * Returns true when a collection ran.
   */
  reclaim(): boolean {
    const freed = this.pending;
    this.pending = 0;
    return collectFor(freed, true);
  }

  /** The background's turn (a cron tick, outside any command): reclaim the values freed lazily. */
  background(): void {
    if (this.pendingObjects === 0) return;
    const freed = this.pendingLazy;
    this.pendingLazy = 0;
    collectFor(freed, false);
    this.lazyfreedObjects += this.pendingObjects;
    this.pendingObjects = 0;
  }
}
