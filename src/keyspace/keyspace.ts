/*
 * Keyspace: the set of numbered databases plus the single write path every
 * modification goes through.
 *
 * Commands change data through Database methods, which call back here:
 * - signalModified(db, key): the key changed (WATCH invalidation, client
 *   tracking, wake-ups of clients blocked on the key). Listeners subscribe
 *   with onModified().
 * - notify(class, event, key, dbid): a keyspace notification, filtered by
 *   notify-keyspace-events before any listener runs.
 * - propagate(dbid, argv): the effect of a command as it must reach the AOF
 *   and replicas (for example DEL of an expired key).
 * - dirty: changes since the last save.
 *
 * `now` is the time commands see: the dispatcher sets it once per command
 * (so a command sees a single instant), and scripts will freeze it.
 */
import { performance } from 'node:perf_hooks';
import { Database } from './database';
import type { Dict } from '../types/dict';
import { NOTIFY_EXPIRED, NOTIFY_EVICTED, NOTIFY_GENERIC, NOTIFY_KEY_MISS } from './notify-flags';
import { Lazyfree, estimatedDictBytes } from './lazyfree';

export type ModifiedListener = (db: Database, key: string) => void;
export type NotifyListener = (type: number, event: string, key: string, dbid: number) => void;
/** replacesCommand: the running command rewrote its own propagation (false for side effects such as expired-key deletions) */
export type PropagateListener = (dbid: number, argv: string[], replacesCommand: boolean) => void;
export type FlushListener = (dbid: number) => void;
export type SwapListener = (a: Database, b: Database) => void;

export interface KeyspaceStats {
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
  expireCycleCpuMilliseconds: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export type MaxmemoryPolicyKind = 'lru' | 'lfu' | 'other';

/** Where a key modification comes from (Keyspace.modifiedSource). */
export const SOURCE_CLIENT = 0;
export const SOURCE_SERVER = 1;
export const SOURCE_FLUSH = 2;

export class Keyspace {
  readonly dbs: Database[] = [];
  /** Time in ms that the current command sees (the server sets it from server.clock; real time only for a standalone Keyspace). */
  now = Date.now();
  /** Changes since the last successful save. */
  dirty = 0;
  /** A file is being loaded: keys are not expired on access (as in Redis). */
  loading = false;
  /** A replica is applying its master's stream (keys it writes expire by the master's DELs). */
  applyingMasterStream = false;
  /**
   * Keys a writable replica's own clients gave a TTL: the replica expires
   * those itself (Redis's slaveKeysWithExpire), the master's wait for DEL.
   */
  private replicaKeysWithExpire: Map<Database, Set<string>> | null = null;
  /** Replicas do not delete expired keys on access; the primary sends DELs. */
  isReplica = false;
  /** CLIENT PAUSE in effect: expired keys read as missing but are not deleted (no lazy or active expiry) */
  expiresPaused = false;
  /** lazyfree-lazy-expire: expired keys are propagated as UNLINK */
  lazyfreeLazyExpire = false;
  /** lazyfree-lazy-server-del: how overwritten and internally deleted values are freed */
  lazyfreeLazyServerDel = false;
  /** freeing values synchronously or lazily (keyspace/lazyfree.ts) */
  readonly lazyfree = new Lazyfree();
  /** told how long freeing an expired key's big value took, in ms (the latency monitor's expire-del) */
  expireDelLatency: ((ms: number) => void) | null = null;
  /** notify-keyspace-events flags */
  notifyFlags = 0;
  /**
   * Who is behind the signalModified() in progress: the running command, the
   * server itself (expiry, eviction), or a flush (FLUSHDB/FLUSHALL signal
   * each key for WATCH only). Client tracking reads it.
   */
  modifiedSource = SOURCE_CLIENT;
  /** how entries' clocks are maintained */
  clockMode: MaxmemoryPolicyKind = 'lru';
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  stats: KeyspaceStats = {
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReachedCount: 0,
    expireCycleCpuMilliseconds: 0,
    evictedKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
  };

  private modifiedListeners: ModifiedListener[] = [];
  private notifyListeners: NotifyListener[] = [];
  private propagateListeners: PropagateListener[] = [];
  private flushListeners: FlushListener[] = [];
  private swapListeners: SwapListener[] = [];

  constructor(databases: number) {
    for (let i = 0; i < databases; i++) this.dbs.push(new Database(i, this));
  }

  onModified(fn: ModifiedListener): void {
    this.modifiedListeners.push(fn);
  }

  onNotify(fn: NotifyListener): void {
    this.notifyListeners.push(fn);
  }

  onPropagate(fn: PropagateListener): void {
    this.propagateListeners.push(fn);
  }

  /** Called with the db id (or -1 for all) whenever databases are flushed or swapped. */
  onFlush(fn: FlushListener): void {
    this.flushListeners.push(fn);
  }

  /**
   * Called by SWAPDB right after two databases exchanged their contents
   * (before the flush listeners): `a` now holds what `b` held and vice
   * versa. WATCH needs both sides to decide which watched keys changed.
   */
  onSwap(fn: SwapListener): void {
    this.swapListeners.push(fn);
  }

  signalModified(db: Database, key: string): void {
    const ls = this.modifiedListeners;
    for (let i = 0; i < ls.length; i++) ls[i](db, key);
  }

  notify(type: number, event: string, key: string, dbid: number): void {
    if ((this.notifyFlags & type) === 0) return;
    const ls = this.notifyListeners;
    for (let i = 0; i < ls.length; i++) ls[i](type, event, key, dbid);
  }

  /**
   * A command's effect as replicas and the AOF must see it. Calling this
   * replaces the command's own argv in the stream (Redis's
   * rewriteClientCommandVector / alsoPropagate + preventCommandPropagation).
   */
  propagate(dbid: number, argv: string[]): void {
    const ls = this.propagateListeners;
    for (let i = 0; i < ls.length; i++) ls[i](dbid, argv, true);
  }

  /** A side effect to propagate in addition to the command (expired-key deletions). */
  propagateSideEffect(dbid: number, argv: string[]): void {
    const ls = this.propagateListeners;
    for (let i = 0; i < ls.length; i++) ls[i](dbid, argv, false);
  }

  signalFlushed(dbid: number): void {
    const ls = this.flushListeners;
    for (let i = 0; i < ls.length; i++) ls[i](dbid);
  }

  keyMiss(db: Database, key: string): void {
    if (this.notifyFlags & NOTIFY_KEY_MISS) this.notify(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
  }

  /** Delete an expired key and tell everyone: notification, watchers, AOF/replicas, stats. */
  rememberReplicaKeyWithExpire(db: Database, key: string): void {
    if (this.replicaKeysWithExpire === null) this.replicaKeysWithExpire = new Map();
    let set = this.replicaKeysWithExpire.get(db);
    if (set === undefined) {
      set = new Set();
      this.replicaKeysWithExpire.set(db, set);
    }
    set.add(key);
  }

  /** Replica cron: expire the keys written with a TTL by the replica's own clients. */
  expireReplicaKeys(now: number): void {
    const all = this.replicaKeysWithExpire;
    if (all === null) return;
    for (const [db, keys] of all) {
      for (const key of keys) {
        const when = db.expires.get(key);
        if (when === undefined) keys.delete(key);
        else if (when <= now) {
          keys.delete(key);
          this.deleteExpired(db, key);
        }
      }
      if (keys.size === 0) all.delete(db);
    }
    if (all.size === 0) this.replicaKeysWithExpire = null;
  }

  forgetReplicaKeysWithExpire(): void {
    this.replicaKeysWithExpire = null;
  }

  /** signalModified for a change the server made itself (expiry, eviction): tracking sees no client behind it. */
  private signalModifiedByServer(db: Database, key: string): void {
    this.modifiedSource = SOURCE_SERVER;
    try {
      this.signalModified(db, key);
    } finally {
      this.modifiedSource = SOURCE_CLIENT;
    }
  }

  deleteExpired(db: Database, key: string): void {
    // the value is not kept in a variable: this frame must not keep it alive through the collection
    if (typeof db.remove(key, this.lazyfreeLazyExpire) === 'object' && this.lazyfree.pending !== 0) {
      // real time: the latency of freeing memory, not time a client sees pass
      const t0 = performance.now();
      this.lazyfree.reclaim();
      if (this.expireDelLatency !== null) this.expireDelLatency(performance.now() - t0);
    }
    this.stats.expiredKeys++;
    this.notify(NOTIFY_EXPIRED, 'expired', key, db.id);
    this.signalModifiedByServer(db, key);
    this.propagateSideEffect(db.id, [this.lazyfreeLazyExpire ? 'UNLINK' : 'DEL', key]);
  }

  /**
   * Delete a key chosen by maxmemory eviction and tell everyone as Redis's
   * performEvictions does: stats, watchers and client tracking (as a server
   * side change), the "evicted" notification, DEL/UNLINK to AOF/replicas.
   * For the eviction code to call; nothing in the keyspace evicts by itself.
   */
  deleteEvicted(db: Database, key: string, lazy: boolean): void {
    db.remove(key, lazy);
    this.stats.evictedKeys++;
    this.signalModifiedByServer(db, key);
    this.notify(NOTIFY_EVICTED, 'evicted', key, db.id);
    this.propagateSideEffect(db.id, [lazy ? 'UNLINK' : 'DEL', key]);
  }

  /** Update an entry's access clock (LRU seconds or LFU counter). */
  touchEntry(dict: Dict<unknown>, id: number): void {
    if (this.clockMode === 'lfu') {
      dict.setClockAt(id, this.lfuTouch(dict.clockAt(id)));
    } else {
      dict.setClockAt(id, lruClock(this.now));
    }
  }

  /** LFU: decay by elapsed minutes, then a logarithmic increment (Redis's LFULogIncr). */
  private lfuTouch(v: number): number {
    const nowMin = Math.floor(this.now / 60000) & 0xffff;
    let counter = v & 0xff;
    const ldt = v >>> 8;
    // clock 0: an entry just inserted. Redis creates objects with the
    // initial counter and does not count the creation as an access.
    if (v === 0) return ((nowMin << 8) | LFU_INIT_VAL) >>> 0;
    if (this.lfuDecayTime > 0) {
      const elapsed = nowMin >= ldt ? nowMin - ldt : 65535 - ldt + nowMin;
      const periods = Math.floor(elapsed / this.lfuDecayTime);
      counter = periods > counter ? 0 : counter - periods;
    }
    if (counter < 255) {
      const r = Math.random();
      const base = Math.max(0, counter - LFU_INIT_VAL);
      const p = 1.0 / (base * this.lfuLogFactor + 1);
      if (r < p) counter++;
    }
    return ((nowMin << 8) | counter) >>> 0;
  }

  /** Idle time in ms of an entry (OBJECT IDLETIME), from its LRU clock. */
  idleTimeMs(clock: number): number {
    const now = lruClock(this.now);
    const secs = now >= clock ? now - clock : LRU_CLOCK_MAX - clock + now;
    return secs * 1000;
  }

  /** The LFU counter of an entry after decay (OBJECT FREQ). */
  lfuCounter(clock: number): number {
    if (clock === 0) return LFU_INIT_VAL;
    const nowMin = Math.floor(this.now / 60000) & 0xffff;
    const ldt = clock >>> 8;
    let counter = clock & 0xff;
    if (this.lfuDecayTime > 0) {
      const elapsed = nowMin >= ldt ? nowMin - ldt : 65535 - ldt + nowMin;
      const periods = Math.floor(elapsed / this.lfuDecayTime);
      counter = periods > counter ? 0 : counter - periods;
    }
    return counter;
  }

  /** Total keys in every database. */
  totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /** FLUSHDB / FLUSHALL. dbid -1 flushes all. Returns keys removed. */
  flush(dbid: number, lazy = false): number {
    let removed = 0;
    const targets = dbid < 0 ? this.dbs : [this.dbs[dbid]];
    for (const db of targets) {
      if (db.size > 0) {
        this.lazyfree.flushed(db.size, estimatedDictBytes(db.dict), lazy);
        // every key of the flushed databases counts as modified for WATCH
        if (this.modifiedListeners.length > 0) {
          this.modifiedSource = SOURCE_FLUSH;
          try {
            for (const key of db.dict.keyList()) this.signalModified(db, key);
          } finally {
            this.modifiedSource = SOURCE_CLIENT;
          }
        }
      }
      removed += db.clear();
    }
    this.signalFlushed(dbid);
    return removed;
  }

  /** SWAPDB: exchange the contents of two databases. */
  swap(a: number, b: number): void {
    const da = this.dbs[a];
    const db = this.dbs[b];
    const dict = da.dict;
    const expires = da.expires;
    const avg = da.avgTtl;
    da.dict = db.dict;
    da.expires = db.expires;
    da.avgTtl = db.avgTtl;
    db.dict = dict;
    db.expires = expires;
    db.avgTtl = avg;
    da.expiresCursor = 0;
    db.expiresCursor = 0;
    for (const fn of this.swapListeners) fn(da, db);
    this.signalFlushed(a);
    this.signalFlushed(b);
  }

  /** Notify a generic event (DEL, EXPIRE, RENAME...) helper. */
  notifyGeneric(event: string, key: string, dbid: number): void {
    this.notify(NOTIFY_GENERIC, event, key, dbid);
  }
}

export const LFU_INIT_VAL = 5;
const LRU_CLOCK_MAX = (1 << 24) - 1;
/** Redis's LRU clock: seconds, 24 bits. */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / 1000) & LRU_CLOCK_MAX;
}
