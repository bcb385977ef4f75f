/*
 * Dict: the hash table behind the keyspace (and later the hashtable
 * encodings of hashes, sets and sorted sets).
 *
 * Why not a JS Map: Redis semantics need three things a Map cannot give.
 * 1. SCAN: a stateless cursor that never misses an element present for the
 *    whole iteration, across inserts, deletes and resizes. We use Redis's
 *    reverse-binary cursor over a power-of-two bucket array, which has that
 *    guarantee for any sequence of grows and shrinks.
 * 2. Uniform random sampling in O(1) (RANDOMKEY, active expiry, eviction).
 * 3. Cheap per-entry metadata (the LRU/LFU clock) without a second map.
 *
 * Layout: entries live in parallel arrays indexed by an entry id (keys,
 * values, chain link, optional 32-bit clock); hashes are recomputed when the
 * table resizes rather than stored. Buckets hold the
 * id of the first entry of their chain, -1 when empty. Freed ids form a free
 * list threaded through `next`. Entry ids are stable until the table
 * compacts, which only happens on a shrink and never while an iteration is in
 * progress (see `iterating`).
 *
 * Invariants: size = number of live ids; every live id is in exactly one
 * chain, the one of bucket (hash & mask); keys[id] === undefined iff the id
 * is free.
 */

const MIN_BUCKETS = 4;

let seed = (Math.random() * 0x7fffffff) | 0;

/** Set the hash seed (tests use this to get reproducible layouts). */
export function setDictHashSeed(s: number): void {
  seed = s | 0;
}

/** 32-bit hash of a latin1 string: FNV-1a with a seed, then murmur3's finalizer. */
export function hashString(s: string): number {
  let h = seed ^ 0x811c9dc5;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function rev32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  v = (v >>> 16) | (v << 16);
  return v >>> 0;
}

export class Dict<V> {
  private keys: (string | undefined)[] = [];
  private vals: (V | undefined)[] = [];
  private next: Int32Array;
  /** Per-entry clock (LRU time or LFU counter); only allocated when asked for. */
  private clock: Uint32Array | null;
  private buckets: Int32Array;
  private mask: number;
  /** ids [0, used) have been handed out at least once */
  private used = 0;
  private freeHead = -1;
  private _size = 0;
  /** >0 while an id-based iteration is running: no compaction then */
  private iterating = 0;

  constructor(withClock = false) {
    this.next = new Int32Array(MIN_BUCKETS);
    this.clock = withClock ? new Uint32Array(MIN_BUCKETS) : null;
    this.buckets = new Int32Array(MIN_BUCKETS).fill(-1);
    this.mask = MIN_BUCKETS - 1;
  }

  get size(): number {
    return this._size;
  }

  /** Number of buckets (for DEBUG HTSTATS style reporting). */
  get bucketCount(): number {
    return this.buckets.length;
  }

  /** The entry id of key, or -1. */
  find(key: string): number {
    const h = hashString(key);
    let id = this.buckets[h & this.mask];
    const keys = this.keys;
    const next = this.next;
    while (id >= 0) {
      if (keys[id] === key) return id;
      id = next[id];
    }
    return -1;
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  get(key: string): V | undefined {
    const id = this.find(key);
    return id < 0 ? undefined : this.vals[id];
  }

  keyAt(id: number): string {
    return this.keys[id] as string;
  }

  valueAt(id: number): V {
    return this.vals[id] as V;
  }

  setValueAt(id: number, v: V): void {
    this.vals[id] = v;
  }

  clockAt(id: number): number {
    return this.clock === null ? 0 : this.clock[id];
  }

  setClockAt(id: number, c: number): void {
    if (this.clock !== null) this.clock[id] = c;
  }

  /** Insert or replace. Returns the entry id. */
  set(key: string, v: V): number {
    const id = this.put(key, v);
    this.displaced = undefined;
    return id;
  }

  /**
   * The value the last put() replaced, undefined after an insert. The
   * caller reads and clears it (it would otherwise keep the value alive).
   */
  displaced: V | undefined = undefined;

  /** set() that leaves the replaced value in `displaced`. Returns the entry id. */
  put(key: string, v: V): number {
    const h = hashString(key);
    let id = this.buckets[h & this.mask];
    while (id >= 0) {
      if (this.keys[id] === key) {
        this.displaced = this.vals[id];
        this.vals[id] = v;
        return id;
      }
      id = this.next[id];
    }
    this.displaced = undefined;
    return this.insertNew(key, h, v);
  }

  /** Insert a key known to be absent. Returns the entry id. */
  add(key: string, v: V): number {
    return this.insertNew(key, hashString(key), v);
  }

  private insertNew(key: string, h: number, v: V): number {
    let id: number;
    if (this.freeHead >= 0) {
      id = this.freeHead;
      this.freeHead = this.next[id];
    } else {
      if (this.used === this.next.length) this.growSlab();
      id = this.used++;
    }
    this.keys[id] = key;
    this.vals[id] = v;
    if (this.clock !== null) this.clock[id] = 0;
    const b = h & this.mask;
    this.next[id] = this.buckets[b];
    this.buckets[b] = id;
    this._size++;
    if (this._size > this.buckets.length) this.rehash(this.buckets.length * 2);
    return id;
  }

  private growSlab(): void {
    const cap = Math.max(MIN_BUCKETS, Math.ceil(this.next.length * 1.5));
    const nn = new Int32Array(cap);
    nn.set(this.next);
    this.next = nn;
    if (this.clock !== null) {
      const nc = new Uint32Array(cap);
      nc.set(this.clock);
      this.clock = nc;
    }
  }

  /** Remove key. Returns true if it was there. */
  delete(key: string): boolean {
    const id = this.unchain(key);
    if (id < 0) return false;
    this.release(id);
    return true;
  }

  /** Remove key. Returns its value, undefined if it was not there. */
  take(key: string): V | undefined {
    const id = this.unchain(key);
    if (id < 0) return undefined;
    const v = this.vals[id];
    this.release(id);
    return v;
  }

  /** Unlink key's entry from its chain; returns its id or -1. */
  private unchain(key: string): number {
    const h = hashString(key);
    const b = h & this.mask;
    let prev = -1;
    let id = this.buckets[b];
    while (id >= 0) {
      if (this.keys[id] === key) {
        if (prev < 0) this.buckets[b] = this.next[id];
        else this.next[prev] = this.next[id];
        return id;
      }
      prev = id;
      id = this.next[id];
    }
    return -1;
  }

  /** Put an unchained id on the free list. */
  private release(id: number): void {
    this.keys[id] = undefined;
    this.vals[id] = undefined;
    this.next[id] = this.freeHead;
    this.freeHead = id;
    this._size--;
    this.maybeShrink();
  }

  private maybeShrink(): void {
    if (this.iterating > 0) return;
    const nb = this.buckets.length;
    if (nb > MIN_BUCKETS && this._size * 10 < nb) {
      let target = MIN_BUCKETS;
      while (target < this._size) target *= 2;
      this.compact();
      this.rehash(target);
    }
  }

  /** Move live entries to ids [0, size) and drop the free list. */
  private compact(): void {
    const n = this._size;
    const keys: (string | undefined)[] = new Array(n);
    const vals: (V | undefined)[] = new Array(n);
    const cap = Math.max(MIN_BUCKETS, n);
    const clock = this.clock !== null ? new Uint32Array(cap) : null;
    let j = 0;
    for (let i = 0; i < this.used; i++) {
      if (this.keys[i] === undefined) continue;
      keys[j] = this.keys[i];
      vals[j] = this.vals[i];
      if (clock !== null) clock[j] = (this.clock as Uint32Array)[i];
      j++;
    }
    this.keys = keys;
    this.vals = vals;
    this.clock = clock;
    this.next = new Int32Array(cap);
    this.used = n;
    this.freeHead = -1;
  }

  private rehash(nbuckets: number): void {
    const buckets = new Int32Array(nbuckets).fill(-1);
    const mask = nbuckets - 1;
    const keys = this.keys;
    const next = this.next;
    for (let id = 0; id < this.used; id++) {
      if (keys[id] === undefined) continue;
      // hashes are recomputed rather than stored: 4 bytes less per entry
      const b = hashString(keys[id] as string) & mask;
      next[id] = buckets[b];
      buckets[b] = id;
    }
    this.buckets = buckets;
    this.mask = mask;
  }

  /** Remove everything. */
  clear(): void {
    this.keys = [];
    this.vals = [];
    this.next = new Int32Array(MIN_BUCKETS);
    if (this.clock !== null) this.clock = new Uint32Array(MIN_BUCKETS);
    this.buckets = new Int32Array(MIN_BUCKETS).fill(-1);
    this.mask = MIN_BUCKETS - 1;
    this.used = 0;
    this.freeHead = -1;
    this._size = 0;
  }

  /** A uniformly random live entry id, or -1 when empty. */
  randomId(): number {
    if (this._size === 0) return -1;
    // Live ids are dense in [0, used) except for freed ones; the table
    // compacts when it shrinks, so the hit rate stays reasonable.
    for (;;) {
      const id = Math.floor(Math.random() * this.used);
      if (this.keys[id] !== undefined) return id;
    }
  }

  /**
   * Visit the entries of the bucket(s) the cursor designates and return the
   * next cursor (0 when the iteration is complete). Reverse-binary
   * increment: every element present for the whole scan is reported at
   * least once whatever resizes happen between calls.
   */
  scan(cursor: number, visit: (key: string, value: V, id: number) => void): number {
    if (this._size === 0) return 0;
    const mask = this.mask;
    let v = cursor >>> 0;
    this.iterating++;
    try {
      let id = this.buckets[v & mask];
      while (id >= 0) {
        const nxt = this.next[id];
        visit(this.keys[id] as string, this.vals[id] as V, id);
        id = nxt;
      }
    } finally {
      this.iterating--;
    }
    v = (v | ~mask) >>> 0;
    v = rev32(v);
    v = (v + 1) >>> 0;
    v = rev32(v);
    return v;
  }

  /** Iterate all live entries. The callback must not insert; deleting the visited key is allowed. */
  forEach(fn: (key: string, value: V, id: number) => void): void {
    this.iterating++;
    try {
      const end = this.used;
      for (let id = 0; id < end; id++) {
        const k = this.keys[id];
        if (k !== undefined) fn(k, this.vals[id] as V, id);
      }
    } finally {
      this.iterating--;
    }
    this.maybeShrink();
  }

  /** Visit the first `limit` live entries in id order (sampling: MEMORY USAGE). The callback must not modify the dict. */
  forFirst(limit: number, fn: (key: string, value: V) => void): void {
    let seen = 0;
    for (let id = 0; id < this.used && seen < limit; id++) {
      const k = this.keys[id];
      if (k === undefined) continue;
      fn(k, this.vals[id] as V);
      seen++;
    }
  }

  /** All keys, as a new array. */
  keyList(): string[] {
    const out: string[] = [];
    for (let id = 0; id < this.used; id++) {
      const k = this.keys[id];
      if (k !== undefined) out.push(k);
    }
    return out;
  }

  *entries(): IterableIterator<[string, V]> {
    this.iterating++;
    try {
      for (let id = 0; id < this.used; id++) {
        const k = this.keys[id];
        if (k !== undefined) yield [k, this.vals[id] as V];
      }
    } finally {
      this.iterating--;
    }
  }
}
