/*
 * HashValue: the hash type, with Redis 7.0's two encodings.
 *
 * - "listpack": one packed string (types/strpack.ts) holding
 *   f1, v1, f2, v2, ... in insertion order, as Redis's listpack: new fields
 *   are appended, updates keep their place, deletions close the gap.
 *   Lookups are linear, as in Redis, which is fast for the sizes allowed
 *   (hash-max-listpack-entries / hash-max-listpack-value).
 * - "hashtable": a Dict<string> (field -> value) with Redis's SCAN cursor
 *   and O(1) random sampling.
 *
 * Memory: the object has a single field, `data` (the packed string, or the
 * Dict), and `kind` is a prototype getter, so that a small hash costs one
 * small object plus one flat string (the goal: 1M hashes of a few small
 * fields within 2x Redis's memory).
 *
 * Invariants: field names are unique; conversion goes only from listpack
 * to hashtable (never back, as in Redis). The type knows nothing about
 * config: callers decide when to convert (toHashtable()).
 */
import { Dict } from './dict';
import type { RedisObject, ValueDigester } from './object';
import { jemallocSize, sdsBytes } from './mem-estimate';
import * as sp from './strpack';

const el = sp.el;

export class HashValue implements RedisObject {
  data: string | Dict<string>;

  constructor(data: string | Dict<string> = '') {
    this.data = data;
  }

  get kind(): 'hash' {
    return 'hash';
  }

  get isListpack(): boolean {
    return typeof this.data === 'string';
  }

  encoding(): string {
    return typeof this.data === 'string' ? 'listpack' : 'hashtable';
  }

  get size(): number {
    const d = this.data;
    return typeof d === 'string' ? sp.count(d) >> 1 : d.size;
  }

  /**
   * Position of field's header in the pack, or -1. On success el holds the
   * value's start/len and `afterValue` the position after the pair.
   */
  private static find(s: string, field: string): number {
    for (let pos = 0; pos < s.length;) {
      const next = sp.hdr(s, pos);
      const hit = sp.equalsAt(s, el.start, el.len, field);
      const after = sp.hdr(s, next);
      if (hit) {
        HashValue.afterValue = after;
        HashValue.valuePos = next;
        return pos;
      }
      pos = after;
    }
    return -1;
  }

  private static afterValue = 0;
  private static valuePos = 0;

  get(field: string): string | undefined {
    const d = this.data;
    if (typeof d === 'string') {
      if (HashValue.find(d, field) < 0) return undefined;
      return d.slice(el.start, el.start + el.len);
    }
    return d.get(field);
  }

  /** Length of a field's value, or -1 (no allocation). */
  valueLength(field: string): number {
    const d = this.data;
    if (typeof d === 'string') return HashValue.find(d, field) < 0 ? -1 : el.len;
    const v = d.get(field);
    return v === undefined ? -1 : v.length;
  }

  has(field: string): boolean {
    const d = this.data;
    if (typeof d === 'string') return HashValue.find(d, field) >= 0;
    return d.find(field) >= 0;
  }

  /** Insert or update. Returns true when the field is new. */
  set(field: string, value: string): boolean {
    const d = this.data;
    if (typeof d === 'string') {
      if (HashValue.find(d, field) >= 0) {
        const vpos = HashValue.valuePos;
        const after = HashValue.afterValue;
        sp.begin();
        sp.putRaw(d, 0, vpos);
        sp.put(value);
        sp.putRaw(d, after, d.length);
        this.data = sp.end();
        return false;
      }
      sp.begin();
      sp.putRaw(d, 0, d.length);
      sp.put(field);
      sp.put(value);
      this.data = sp.end();
      return true;
    }
    const before = d.size;
    d.set(field, value);
    return d.size !== before;
  }

  /** Remove a field. Returns true if it was there. */
  delete(field: string): boolean {
    const d = this.data;
    if (typeof d === 'string') {
      const pos = HashValue.find(d, field);
      if (pos < 0) return false;
      const after = HashValue.afterValue;
      if (pos === 0 && after === d.length) {
        this.data = '';
      } else {
        sp.begin();
        sp.putRaw(d, 0, pos);
        sp.putRaw(d, after, d.length);
        this.data = sp.end();
      }
      return true;
    }
    return d.delete(field);
  }

  toHashtable(): void {
    const d = this.data;
    if (typeof d !== 'string') return;
    const ht = new Dict<string>();
    const items = sp.unpack(d);
    for (let i = 0; i < items.length; i += 2) ht.add(items[i], items[i + 1]);
    this.data = ht;
  }

  /** Visit every field and value (listpack: insertion order). */
  forEach(fn: (field: string, value: string) => void): void {
    const d = this.data;
    if (typeof d === 'string') {
      for (let pos = 0; pos < d.length;) {
        pos = sp.hdr(d, pos);
        const f = d.slice(el.start, el.start + el.len);
        pos = sp.hdr(d, pos);
        fn(f, d.slice(el.start, el.start + el.len));
      }
    } else {
      d.forEach(fn);
    }
  }

  /** A uniformly random entry. */
  randomEntry(): [string, string] {
    const d = this.data;
    if (typeof d === 'string') {
      const n = sp.count(d) >> 1;
      let k = Math.floor(Math.random() * n) * 2;
      let pos = 0;
      while (k-- > 0) pos = sp.hdr(d, pos);
      pos = sp.hdr(d, pos);
      const f = d.slice(el.start, el.start + el.len);
      sp.hdr(d, pos);
      return [f, d.slice(el.start, el.start + el.len)];
    }
    const id = d.randomId();
    return [d.keyAt(id), d.valueAt(id)];
  }

  /** All entries as a flat [f, v, ...] array (a new array). */
  flat(): string[] {
    const d = this.data;
    if (typeof d === 'string') return sp.unpack(d);
    const out: string[] = [];
    d.forEach((f, v) => {
      out.push(f, v);
    });
    return out;
  }

  dup(): HashValue {
    const d = this.data;
    if (typeof d === 'string') return new HashValue(d); // immutable: sharing is copying
    const ht = new Dict<string>();
    d.forEach((f, v) => {
      ht.add(f, v);
    });
    return new HashValue(ht);
  }

  /** DEBUG DIGEST: each field/value pair digested on its own, xored together. */
  digestInto(dg: ValueDigester): void {
    this.forEach((f, v) => dg.xorParts(f, v));
  }

  /**
   * MEMORY USAGE estimate in Redis's terms: listpack bytes for the compact
   * form, dict + entries + sds strings (sampled) for the hashtable.
   */
  memoryUsage(samples: number): number {
    const robj = 16;
    const d = this.data;
    if (typeof d === 'string') {
      let bytes = 7; // header + end byte
      this.forEach((f, v) => {
        bytes += lpEntryBytes(f) + lpEntryBytes(v);
      });
      return robj + jemallocSize(bytes);
    }
    const n = d.size;
    let bytes = 0;
    const limit = samples <= 0 ? n : samples;
    d.forFirst(limit, (f, v) => {
      bytes += sdsBytes(f) + sdsBytes(v) + 24;
    });
    const sampled = Math.min(limit, n); // what forFirst visited
    const dictBytes = 56 + 8 * d.bucketCount;
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
