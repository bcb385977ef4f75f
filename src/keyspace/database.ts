/*
 * Database: one numbered keyspace (SELECT n). Owns the main dict and the
 * expires dict, and implements lookups with lazy expiry.
 *
 * Invariants:
 * - every key in `expires` is also in `dict`;
 * - a key whose expiry time is <= keyspace.now is logically absent: every
 *   lookup goes through expireIfNeeded() first, which deletes it (on a
 *   primary) and signals it through the keyspace's write path;
 * - the per-entry clock column of `dict` holds the LRU time (or LFU
 *   counter), updated by read and write lookups unless told not to touch.
 */
import { Dict } from '../types/dict';
import type { RedisValue } from './values';
import type { Keyspace } from './keyspace';
import { NOTIFY_NEW } from './notify-flags';

export class Database {
  readonly id: number;
  readonly keyspace: Keyspace;
  dict: Dict<RedisValue> = new Dict<RedisValue>(true);
  expires: Dict<number> = new Dict<number>();
  /** Running average TTL of sampled volatile keys (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /** Where the active expiry cycle resumes scanning this database. */
  expiresCursor = 0;

  constructor(id: number, keyspace: Keyspace) {
    this.id = id;
    this.keyspace = keyspace;
  }

  get size(): number {
    return this.dict.size;
  }

  /** Absolute expiry time in ms, or -1. */
  getExpire(key: string): number {
    if (this.expires.size === 0) return -1;
    const t = this.expires.get(key);
    return t === undefined ? -1 : t;
  }

  /**
   * Delete the key if it has expired. Returns true when the key is
   * (logically) expired. On a replica the key is only reported as expired.
   */
  expireIfNeeded(key: string): boolean {
    if (this.expires.size === 0) return false;
    const when = this.expires.get(key);
    if (when === undefined || when > this.keyspace.now) return false;
    if (this.keyspace.loading) return false;
    if (this.keyspace.isReplica || this.keyspace.expiresPaused) return true;
    this.keyspace.deleteExpired(this, key);
    return true;
  }

  /** Lookup for reading: lazy expiry, hit/miss statistics, LRU touch. */
  lookupRead(key: string, touch = true): RedisValue | undefined {
    if (this.expires.size > 0 && this.expireIfNeeded(key)) {
      this.keyspace.stats.keyspaceMisses++;
      this.keyspace.keyMiss(this, key);
      return undefined;
    }
    const id = this.dict.find(key);
    if (id < 0) {
      this.keyspace.stats.keyspaceMisses++;
      this.keyspace.keyMiss(this, key);
      return undefined;
    }
    this.keyspace.stats.keyspaceHits++;
    if (touch) this.keyspace.touchEntry(this.dict, id);
    return this.dict.valueAt(id);
  }

  /** Lookup for writing: lazy expiry and LRU touch, no hit/miss statistics. */
  lookupWrite(key: string): RedisValue | undefined {
    if (this.expires.size > 0) this.expireIfNeeded(key);
    const id = this.dict.find(key);
    if (id < 0) return undefined;
    this.keyspace.touchEntry(this.dict, id);
    return this.dict.valueAt(id);
  }

  /** Lookup with no side effects but lazy expiry (EXISTS-like internal checks, TYPE uses lookupRead). */
  peek(key: string): RedisValue | undefined {
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /** True when the key exists (after lazy expiry). */
  exists(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /**
   * setKey: store a value, replacing any old one. Unless keepTtl, an existing
   * expiry is removed. Signals the modification. The caller still sends the
   * keyspace notification, since its name depends on the command.
   */
  setKey(key: string, value: RedisValue, keepTtl = false): void {
    const dict = this.dict;
    const id = dict.put(key, value);
    this.keyspace.touchEntry(dict, id);
    const old = dict.displaced;
    if (old === undefined) {
      // a new key (Redis's dbAdd): the "new" event comes before the command's own
      if (this.keyspace.notifyFlags & NOTIFY_NEW) this.keyspace.notify(NOTIFY_NEW, 'new', key, this.id);
    } else {
      dict.displaced = undefined;
      if (typeof old !== 'string') this.keyspace.lazyfree.freed(old, this.keyspace.lazyfreeLazyServerDel);
      if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    }
    this.keyspace.signalModified(this, key);
  }

  /** Add a key known to be absent (the caller looked it up). */
  add(key: string, value: RedisValue): void {
    const id = this.dict.add(key, value);
    this.keyspace.touchEntry(this.dict, id);
    if (this.keyspace.notifyFlags & NOTIFY_NEW) this.keyspace.notify(NOTIFY_NEW, 'new', key, this.id);
    this.keyspace.signalModified(this, key);
  }

  /** Replace the value of an existing key in place (with a different value), keeping its TTL. */
  overwrite(key: string, value: RedisValue): void {
    const dict = this.dict;
    dict.put(key, value);
    const old = dict.displaced;
    if (old !== undefined) {
      dict.displaced = undefined;
      if (typeof old !== 'string') this.keyspace.lazyfree.freed(old, this.keyspace.lazyfreeLazyServerDel);
    }
    this.keyspace.signalModified(this, key);
  }

  /**
   * Delete a key (and its expiry) and free its value: synchronously, or in
   * the background when `lazy` (keyspace/lazyfree.ts); the default is
   * lazyfree-lazy-server-del's. Returns true if it existed. Signals the
   * modification.
   */
  delete(key: string, lazy: boolean = this.keyspace.lazyfreeLazyServerDel): boolean {
    if (this.remove(key, lazy) === undefined) return false;
    this.keyspace.signalModified(this, key);
    return true;
  }

  /**
   * Take a key out with its expiry and free its value (lazily when `lazy`),
   * signalling nothing: the common part of delete() and the keyspace's
   * deletions of expired and evicted keys, which signal in their own order.
   * Returns the value removed (already handed to lazyfree), or undefined.
   */
  remove(key: string, lazy: boolean): RedisValue | undefined {
    const v = this.dict.take(key);
    if (v === undefined) return undefined;
    if (this.expires.size > 0) this.expires.delete(key);
    if (typeof v !== 'string') this.keyspace.lazyfree.freed(v, lazy);
    return v;
  }

  /**
   * Take a key out (and its expiry) without freeing its value, which lives
   * on elsewhere (RENAME, MOVE). Signals the modification.
   */
  detach(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size > 0) this.expires.delete(key);
    this.keyspace.signalModified(this, key);
    return true;
  }

  /** Set an absolute expiry (ms) on an existing key. */
  setExpire(key: string, when: number): void {
    this.expires.set(key, when);
    const ks = this.keyspace;
    if (ks.isReplica && !ks.applyingMasterStream) ks.rememberReplicaKeyWithExpire(this, key);
  }

  /** Remove a key's expiry. Returns true if it had one. */
  removeExpire(key: string): boolean {
    if (this.expires.size === 0) return false;
    return this.expires.delete(key);
  }

  /** Drop every key; returns how many there were. */
  clear(): number {
    const n = this.dict.size;
    this.dict = new Dict<RedisValue>(true);
    this.expires = new Dict<number>();
    this.avgTtl = 0;
    this.expiresCursor = 0;
    return n;
  }
}
