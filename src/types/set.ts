/*
 * SetValue: the set type, with Redis 7.0's two encodings (7.0 has no
 * listpack sets).
 *
 * - "intset": every member is the canonical decimal form of a 64-bit
 *   integer (what string2ll accepts) and there are at most
 *   set-max-intset-entries of them. Kept as a sorted array of the member
 *   strings, ordered by numeric value (compareIntStrings), so iteration
 *   order (SMEMBERS, SSCAN...) is ascending as in Redis's intset, and
 *   values beyond 2^53 stay exact without BigInt.
 * - "hashtable": a Dict<null> of members.
 *
 * Invariants: exactly one of `is` / `ht` is non-null; the intset array is
 * strictly ascending; conversion only goes intset -> hashtable (the caller
 * passes set-max-intset-entries to add()).
 */
import { Dict } from './dict';
import type { RedisObject, ValueDigester } from './object';
import { jemallocSize, sdsBytes } from './mem-estimate';

/** string2ll acceptance: canonical decimal in the signed 64-bit range. */
export function isInt64String(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const c0 = s.charCodeAt(i);
  if (c0 === 48) return n === 1;
  if (c0 < 49 || c0 > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  const digits = n - i;
  if (digits < 19) return true;
  if (digits > 19) return false;
  // 19 digits: compare with the bounds' digits
  const body = i === 1 ? s.slice(1) : s;
  return body <= (i === 1 ? '9223372036854775808' : '9223372036854775807');
}

/** Numeric order of two canonical integer strings. */
export function compareIntStrings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let r: number;
  if (a.length !== b.length) r = a.length < b.length ? -1 : 1;
  else r = a < b ? -1 : a > b ? 1 : 0;
  return na ? -r : r;
}

export class SetValue implements RedisObject {
  is: string[] | null;
  ht: Dict<null> | null;

  constructor(is: string[] | null = [], ht: Dict<null> | null = null) {
    this.is = is;
    this.ht = ht;
  }

  /** setTypeCreate: an intset if the first member is an integer, else a hashtable. */
  static forMember(first: string): SetValue {
    return isInt64String(first) ? new SetValue([], null) : new SetValue(null, new Dict<null>());
  }

  get kind(): 'set' {
    return 'set';
  }

  encoding(): string {
    return this.is !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.is !== null ? this.is.length : (this.ht as Dict<null>).size;
  }

  /** Position of s in the intset, or -(insertion point)-1. */
  private search(s: string): number {
    const a = this.is as string[];
    let lo = 0;
    let hi = a.length - 1;
    // fast paths for appends at either end (sequential SADDs)
    if (hi >= 0) {
      const top = compareIntStrings(s, a[hi]);
      if (top > 0) return -(hi + 1) - 1;
      if (top === 0) return hi;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareIntStrings(a[mid], s);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  has(s: string): boolean {
    if (this.is !== null) return isInt64String(s) && this.search(s) >= 0;
    return (this.ht as Dict<null>).find(s) >= 0;
  }

  /** setTypeAdd. Returns true when s was added. maxIntset: set-max-intset-entries. */
  add(s: string, maxIntset: number): boolean {
    const a = this.is;
    if (a !== null) {
      if (isInt64String(s)) {
        const p = this.search(s);
        if (p >= 0) return false;
        const at = -p - 1;
        if (at === a.length) a.push(s);
        else a.splice(at, 0, s);
        if (a.length > maxIntset) this.toHashtable();
        return true;
      }
      this.toHashtable();
    }
    const ht = this.ht as Dict<null>;
    const before = ht.size;
    ht.set(s, null); // one hash computation for lookup and insert
    return ht.size !== before;
  }

  /** Returns true if s was a member. */
  remove(s: string): boolean {
    const a = this.is;
    if (a !== null) {
      if (!isInt64String(s)) return false;
      const p = this.search(s);
      if (p < 0) return false;
      a.splice(p, 1);
      return true;
    }
    return (this.ht as Dict<null>).delete(s);
  }

  toHashtable(): void {
    const a = this.is;
    if (a === null) return;
    const ht = new Dict<null>();
    for (let i = 0; i < a.length; i++) ht.add(a[i], null);
    this.ht = ht;
    this.is = null;
  }

  /** A uniformly random member (the set must not be empty). */
  random(): string {
    const a = this.is;
    if (a !== null) return a[Math.floor(Math.random() * a.length)];
    const ht = this.ht as Dict<null>;
    return ht.keyAt(ht.randomId());
  }

  /** Remove and return a random member (the set must not be empty). */
  pop(): string {
    const a = this.is;
    if (a !== null) {
      const i = Math.floor(Math.random() * a.length);
      const s = a[i];
      if (i === a.length - 1) a.pop();
      else a.splice(i, 1);
      return s;
    }
    const ht = this.ht as Dict<null>;
    const s = ht.keyAt(ht.randomId());
    ht.delete(s);
    return s;
  }

  forEach(fn: (member: string) => void): void {
    const a = this.is;
    if (a !== null) {
      for (let i = 0; i < a.length; i++) fn(a[i]);
    } else {
      (this.ht as Dict<null>).forEach(fn);
    }
  }

  /** Members as a new array (intset: ascending). */
  members(): string[] {
    if (this.is !== null) return this.is.slice();
    return (this.ht as Dict<null>).keyList();
  }

  /** Members in iteration order (what SMEMBERS returns): the adapter SORT reads sets through. */
  toArray(): string[] {
    return this.members();
  }

  dup(): SetValue {
    if (this.is !== null) return new SetValue(this.is.slice(), null);
    const ht = new Dict<null>();
    (this.ht as Dict<null>).forEach((m) => {
      ht.add(m, null);
    });
    return new SetValue(null, ht);
  }

  /** DEBUG DIGEST: members xored in (order does not matter). */
  digestInto(d: ValueDigester): void {
    this.forEach((m) => d.xor(m));
  }

  /** MEMORY USAGE estimate in Redis's terms (intset: width * n + header). */
  memoryUsage(samples: number): number {
    const robj = 16;
    const a = this.is;
    if (a !== null) {
      let width = 2;
      for (let i = 0; i < a.length; i++) {
        const v = Number(a[i]);
        if (v < -2147483648 || v > 2147483647) {
          width = 8;
          break;
        }
        if (v < -32768 || v > 32767) width = 4;
      }
      return robj + jemallocSize(8 + width * a.length);
    }
    const ht = this.ht as Dict<null>;
    const n = ht.size;
    const limit = samples <= 0 ? n : samples;
    let bytes = 0;
    ht.forFirst(limit, (m) => {
      bytes += sdsBytes(m) + 24;
    });
    const sampled = Math.min(limit, n); // what forFirst visited
    return robj + 56 + 8 * ht.bucketCount + (sampled > 0 ? Math.round((bytes / sampled) * n) : 0);
  }
}
