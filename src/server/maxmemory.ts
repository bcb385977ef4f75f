/*
 * maxmemory: keeping the memory in use under the limit by evicting keys
 * (Redis's performEvictions), or refusing commands that may grow memory
 * with Redis's OOM error when nothing can be evicted (maxmemory-policy
 * noeviction, or no candidate keys left).
 *
 * Measuring. Memory in use is V8's heap in use plus off-heap buffers, the
 * figure INFO reports as used_memory. That figure includes garbage until
 * the next collection, so when it crosses the limit a full collection is
 * run first (at most every 100 ms, when the process was started with
 * --expose-gc, as bin/nodis-server does) and the heap measured again.
 * Between collections the memory an eviction frees is not visible in the
 * heap figure yet: each evicted key's estimated size (MEMORY USAGE's
 * estimate) is counted as freed until the next collection resets it.
 *
 * Choosing keys, as Redis: the LRU, LFU and volatile-ttl policies keep a
 * pool of the best 16 candidates, refilled by sampling maxmemory-samples
 * keys of every database (all keys, or only keys with a TTL for volatile-*)
 * and evict the one idle longest (least frequently used, nearest to
 * expiring); the random policies pick a random key, visiting databases in
 * turn. Each eviction deletes the key (UNLINK with lazyfree-lazy-eviction),
 * counts evicted_keys, signals the key, sends the 'evicted' event and
 * propagates the deletion.
 *
 * Refusing. With the limit still exceeded, denyoom commands are refused;
 * inside MULTI every command but EXEC, DISCARD, QUIT and RESET is (queueing
 * takes memory too), and EXEC is when a queued command was denyoom.
 */
import { perServer } from './per-server';
import type { Server } from './server';
import type { Database } from '../keyspace/database';
import type { ModuleHost } from './module-host';
import { CMD_DENYOOM } from '../command-model/table';
import { usedMemory, collectForReading } from './memory';
import { valueMemoryUsage } from '../keyspace/value-memory';
import { OOM_ERROR } from './heap-guard';
import { collectionIsCheap } from '../util/gc';

const POOL_SIZE = 16;
const GC_INTERVAL_MS = 100;
/** the smallest cost counted for an evicted key (its dict entry and key) */
const MIN_KEY_COST = 64;

interface Candidate {
  score: number;
  db: Database;
  key: string;
}

/** What evicting key frees, as far as MEMORY USAGE can tell; -1 when the key is gone. */
function evictionCost(db: Database, key: string): number {
  const value = db.dict.get(key);
  if (value === undefined) return -1;
  try {
    return Math.max(MIN_KEY_COST, valueMemoryUsage(key, value, 5));
  } catch {
    return MIN_KEY_COST; // an estimate is enough
  }
}

class Evictor {
  private readonly server: Server;
  private pool: Candidate[] = [];
  private nextDb = 0;
  /** estimated bytes evicted since the last full collection */
  private freedSinceGc = 0;
  private lastGc = 0;
  /** the last collection found memory under the limit: the reading that called for it was noise */
  private lastGcFalseAlarm = false;

  constructor(server: Server) {
    this.server = server;
  }

  /** Memory in use as far as eviction can tell. */
  used(): number {
    return Math.max(0, usedMemory() - this.freedSinceGc);
  }

  /**
   * A full collection, then a fresh reading. At most every GC_INTERVAL_MS,
   * which bounds the time spent collecting while keys are being evicted,
   * except on a small heap after a false alarm. V8 counts the old
   * generation's current allocation buffer as used as soon as it hands it
   * out (up to a few hundred KB after a collection): between collections a
   * reading may cross the limit with no more data held, and acting on it
   * would evict or refuse for nothing. When the last collection showed
   * such a reading to be noise, the next one is checked the same way,
   * which costs a few ms on a small heap and happens about once per
   * allocation buffer, not per command.
   */
  private collect(limit: number): void {
    // real time: a rate limit on forced collections, not time a client sees pass
    const now = Date.now();
    const allowed = now - this.lastGc >= GC_INTERVAL_MS || (this.lastGcFalseAlarm && collectionIsCheap());
    // as INFO does, so that what is measured next is final (dead Buffers released included)
    if (!allowed || !collectForReading()) return;
    this.lastGc = now;
    this.freedSinceGc = 0;
    this.lastGcFalseAlarm = this.used() <= limit;
  }

  /** Evict until under the limit. False when the limit is still exceeded. */
  perform(): boolean {
    const server = this.server;
    const limit = server.config.maxmemory;
    if (limit <= 0) return true;
    if (this.used() <= limit) return true;
    this.collect(limit);
    if (this.used() <= limit) return true;
    const policy = server.config.maxmemoryPolicy;
    if (policy === 'noeviction') return false;
    const ks = server.keyspace;
    const lazy = server.config.lazyfreeLazyEviction;
    let evicted = 0;
    while (this.used() > limit) {
      const pick = policy.endsWith('random') ? this.randomKey(policy === 'volatile-random') : this.poolKey(policy);
      if (pick === null) break;
      // (no local keeps the value: it may be collected below)
      const cost = evictionCost(pick.db, pick.key);
      if (cost < 0) continue;
      ks.deleteEvicted(pick.db, pick.key, lazy);
      this.freedSinceGc += cost;
      evicted++;
      // a big value evicted synchronously (lazyfree-lazy-eviction no) is reclaimed at once
      if (ks.lazyfree.pending !== 0 && ks.lazyfree.reclaim()) {
        this.freedSinceGc = 0;
        this.lastGc = Date.now();
      }
      // every so often look at the real heap again
      if ((evicted & 1023) === 0) this.collect(limit);
    }
    return this.used() <= limit;
  }

  /** allkeys-random / volatile-random: a random key, databases in turn. */
  private randomKey(volatile: boolean): Candidate | null {
    const dbs = this.server.keyspace.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[this.nextDb];
      this.nextDb = (this.nextDb + 1) % dbs.length;
      const dict = volatile ? db.expires : db.dict;
      if (dict.size === 0) continue;
      const id = dict.randomId();
      if (id < 0) continue;
      return { score: 0, db, key: dict.keyAt(id) };
    }
    return null;
  }

  /** LRU, LFU, volatile-ttl: refill the pool from every database, take its best. */
  private poolKey(policy: string): Candidate | null {
    const ks = this.server.keyspace;
    const volatile = policy.startsWith('volatile');
    const samples = Math.max(1, this.server.config.maxmemorySamples);
    for (;;) {
      let keysInDbs = 0;
      for (const db of ks.dbs) {
        const dict = volatile ? db.expires : db.dict;
        if (dict.size === 0) continue;
        keysInDbs += dict.size;
        const n = Math.min(samples, dict.size);
        for (let s = 0; s < n; s++) {
          const id = dict.randomId();
          if (id < 0) continue;
          const key = dict.keyAt(id);
          this.offer({ score: this.score(policy, db, key), db, key });
        }
      }
      if (keysInDbs === 0) return null;
      // best candidate last; skip those deleted since they were sampled
      while (this.pool.length > 0) {
        const best = this.pool.pop()!;
        const dict = volatile ? best.db.expires : best.db.dict;
        if (dict.has(best.key)) return best;
      }
    }
  }

  /** Higher is a better candidate (Redis's "idle"). */
  private score(policy: string, db: Database, key: string): number {
    const ks = this.server.keyspace;
    if (policy === 'volatile-ttl') return Number.MAX_SAFE_INTEGER - (db.expires.get(key) ?? 0);
    const id = db.dict.find(key);
    if (id < 0) return -1;
    const clock = db.dict.clockAt(id);
    if (policy.endsWith('lfu')) return 255 - ks.lfuCounter(clock);
    return ks.idleTimeMs(clock);
  }

  /** Insert into the pool kept sorted by score, at most POOL_SIZE entries (dropping the worst). */
  private offer(c: Candidate): void {
    const pool = this.pool;
    for (const p of pool) if (p.key === c.key && p.db === c.db) return;
    let i = 0;
    while (i < pool.length && pool[i].score <= c.score) i++;
    if (pool.length >= POOL_SIZE) {
      if (i === 0) return;
      pool.splice(i, 0, c);
      pool.shift();
    } else {
      pool.splice(i, 0, c);
    }
  }
}

const evictorOf = perServer((server) => new Evictor(server));

/** Evict now if over the limit (CONFIG SET maxmemory, the cron). False: still over it. */
export function performEvictions(server: Server): boolean {
  return evictorOf(server).perform();
}

export function installMaxmemory(host: ModuleHost): void {
  const server = host.server;
  evictorOf(server);
  server.config.onChange('maxmemory', (cfg) => {
    if (cfg.maxmemory <= 0 || !server.isListening()) return;
    const used = usedMemory();
    if (cfg.maxmemory < used) {
      server.log.warning(`WARNING: the new maxmemory value set via CONFIG SET (${cfg.maxmemory}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`);
    }
    performEvictions(server);
  });
  host.addCommandGate((srv, c, cmd) => {
    if (srv.config.maxmemory <= 0 || c.isMaster) return false;
    const ok = performEvictions(srv);
    if (ok) return false;
    const name = cmd.name;
    const flags = name === 'exec' ? c.multi.cmdFlags : cmd.flags;
    // queueing in MULTI takes memory too: only EXEC, DISCARD, QUIT and RESET pass
    const inMulti = c.multi.queued >= 0 && name !== 'exec' && name !== 'discard' && name !== 'quit' && name !== 'reset';
    if ((flags & CMD_DENYOOM) === 0 && !inMulti) return false;
    return OOM_ERROR;
  }, (srv) => srv.config.maxmemory > 0);
}
