/*
 * HashValue: the hash type, with Redis 7.0's two encodings.
 *
 * - "listpack": one flat array [f1, v1, f2, v2, ...] in insertion order
 *   (as Redis's listpack: new fields are appended, updates keep their
 *   place, deletions close the gap). Lookups are linear, which is what
 *   Redis does too and is fast for the sizes allowed
 *   (hash-max-listpack-entries / hash-max-listpack-value).
 * - "hashtable": a Dict<string> (field -> value) with Redis's SCAN cursor
 *   and O(1) random sampling.
 *
 * Invariants: exactly one of `lp` / `ht` is non-null; conversion goes only
 * from listpack to hashtable (never back, as in Redis); fields are unique.
 * The object holds nothing else, so that a small hash costs one small
 * object plus one array of strings (1M hashes of a few fields must stay
 * within 2x Redis's memory). `kind` is a prototype getter for the same
 * reason.
 *
 * The type knows nothing about config: callers pass the thresholds in
 * (tryConvertForValue before writing long strings, convertIfTooMany after).
 */
import { Dict } from './dict';
import type { RedisObject } from '../keyspace/values';
import type { ValueDigester } from '../info/digest';
import { jemallocSize, sdsBytes } from './mem-estimate';

export class HashValue implements RedisObject {
  lp: string[] | null;
  ht: Dict<string> | null;

  constructor(lp: string[] | null = [], ht: Dict<string> | null = null) {
    this.lp = lp;
    this.ht = ht;
  }

  get kind(): 'hash' {
    return 'hash';
  }

  encoding(): string {
    return this.lp !== null ? 'listpack' : 'hashtable';
  }

  get size(): number {
    return this.lp !== null ? this.lp.length >> 1 : (this.ht as Dict<string>).size;
  }

  /** Index of field's name in the listpack array, or -1. */
  private lpIndex(field: string): number {
    const a = this.lp as string[];
    for (let i = 0, n = a.length; i < n; i += 2) if (a[i] === field) return i;
    return -1;
  }

  get(field: string): string | undefined {
    if (this.lp !== null) {
      const i = this.lpIndex(field);
      return i < 0 ? undefined : this.lp[i + 1];
    }
    return (this.ht as Dict<string>).get(field);
  }

  has(field: string): boolean {
    if (this.lp !== null) return this.lpIndex(field) >= 0;
    return (this.ht as Dict<string>).find(field) >= 0;
  }

  /** Insert or update. Returns true when the field is new. */
  set(field: string, value: string): boolean {
    const a = this.lp;
    if (a !== null) {
      const i = this.lpIndex(field);
      if (i >= 0) {
        a[i + 1] = value;
        return false;
      }
      a.push(field, value);
      return true;
    }
    const ht = this.ht as Dict<string>;
    const before = ht.size;
    ht.set(field, value);
    return ht.size !== before;
  }

  /** Remove a field. Returns true if it was there. */
  delete(field: string): boolean {
    const a = this.lp;
    if (a !== null) {
      const i = this.lpIndex(field);
      if (i < 0) return false;
      a.splice(i, 2);
      return true;
    }
    return (this.ht as Dict<string>).delete(field);
  }

  /**
   * hashTypeTryConversion: a listpack hash that is about to receive a
   * string longer than maxValue becomes a hashtable first.
   */
  convertIfLong(s: string, maxValue: number): void {
    if (this.lp !== null && s.length > maxValue) this.toHashtable();
  }

  /** After inserts: a listpack with more than maxEntries fields becomes a hashtable. */
  convertIfTooMany(maxEntries: number): void {
    if (this.lp !== null && this.lp.length >> 1 > maxEntries) this.toHashtable();
  }

  toHashtable(): void {
    const a = this.lp;
    if (a === null) return;
    const ht = new Dict<string>();
    for (let i = 0; i < a.length; i += 2) ht.add(a[i], a[i + 1]);
    this.ht = ht;
    this.lp = null;
  }

  /** Visit every field and value (listpack: insertion order). */
  forEach(fn: (field: string, value: string) => void): void {
    const a = this.lp;
    if (a !== null) {
      for (let i = 0; i < a.length; i += 2) fn(a[i], a[i + 1]);
    } else {
      (this.ht as Dict<string>).forEach(fn);
    }
  }

  /** A uniformly random entry as [field, value] indices into a pair reader. */
  randomEntry(): [string, string] {
    const a = this.lp;
    if (a !== null) {
      const i = Math.floor(Math.random() * (a.length >> 1)) << 1;
      return [a[i], a[i + 1]];
    }
    const ht = this.ht as Dict<string>;
    const id = ht.randomId();
    return [ht.keyAt(id), ht.valueAt(id)];
  }

  /** All entries as a flat [f, v, ...] array (a new array). */
  flat(): string[] {
    if (this.lp !== null) return this.lp.slice();
    const out: string[] = [];
    (this.ht as Dict<string>).forEach((f, v) => {
      out.push(f, v);
    });
    return out;
  }

  dup(): HashValue {
    if (this.lp !== null) return new HashValue(this.lp.slice(), null);
    const ht = new Dict<string>();
    (this.ht as Dict<string>).forEach((f, v) => {
      ht.add(f, v);
    });
    return new HashValue(null, ht);
  }

  /** DEBUG DIGEST: each field/value pair digested on its own, xored together. */
  digestInto(d: ValueDigester): void {
    this.forEach((f, v) => d.xorParts(f, v));
  }

  /**
   * MEMORY USAGE estimate in Redis's terms: listpack bytes for the compact
   * form, dict + entries + sds strings (sampled) for the hashtable.
   */
  memoryUsage(samples: number): number {
    const robj = 16;
    const a = this.lp;
    if (a !== null) {
      let bytes = 7; // header + end byte
      for (let i = 0; i < a.length; i++) bytes += lpEntryBytes(a[i]);
      return robj + jemallocSize(bytes);
    }
    const ht = this.ht as Dict<string>;
    const n = ht.size;
    let sampled = 0;
    let bytes = 0;
    const limit = samples <= 0 ? n : samples;
    ht.forEach((f, v) => {
      if (sampled >= limit) return;
      bytes += sdsBytes(f) + sdsBytes(v) + 24;
      sampled++;
    });
    const dictBytes = 96 + 8 * ht.bucketCount;
    return robj + dictBytes + (sampled > 0 ? Math.round((bytes / sampled) * n) : 0);
  }
}

/** Bytes one listpack entry takes (encoding + data + backlen), as Redis lays it out. */
function lpEntryBytes(s: string): number {
  const n = s.length;
  if (n <= 20 && /^(-?[1-9]\d*|0)$/.test(s)) {
    const v = Number(s);
    if (v >= 0 && v <= 127) return 2;
    if (v >= -4096 && v <= 4095) return 3;
    if (v >= -32768 && v <= 32767) return 4;
    if (v >= -8388608 && v <= 8388607) return 5;
    if (v >= -2147483648 && v <= 2147483647) return 6;
    if (BigInt(s) <= 9223372036854775807n && BigInt(s) >= -9223372036854775808n) return 10;
  }
  let hdr: number;
  if (n < 64) hdr = 1;
  else if (n < 4096) hdr = 2;
  else hdr = 5;
  const body = hdr + n;
  const back = body < 128 ? 1 : body < 16384 ? 2 : body < 2097152 ? 3 : body < 268435456 ? 4 : 5;
  return body + back;
}
