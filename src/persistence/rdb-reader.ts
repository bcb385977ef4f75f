/*
 * RDB reader: decodes RDB files (versions 1 to 10) and single serialised
 * values (DUMP payloads) into Nodis values. Pure decoding: no I/O, no
 * keyspace access; the caller receives keys through callbacks.
 *
 * Robustness: every read is bounds-checked through RdbInput; any malformed
 * input raises RdbError (never another exception, never a hang: every loop
 * is bounded by the input's length or a count that was checked against
 * it). Lengths above 2^53 are rejected as corrupt.
 *
 * Encodings understood: plain STRING (raw, int8/16/32, LZF), LIST, SET,
 * ZSET (text scores), ZSET_2, HASH, and the compact blobs Redis 7.0 can
 * load: ZIPMAP, ZIPLIST (list, zset, hash), INTSET, QUICKLIST (ziplist
 * nodes), QUICKLIST_2 (listpack and plain nodes), HASH_LISTPACK,
 * ZSET_LISTPACK. Values are built with the types' own constructors and the
 * compact/big encoding is chosen by the same rules as Redis's loader, from
 * the thresholds in LoadLimits (the live config).
 *
 * Extension point: types this module does not know (streams, modules) go
 * through `rdbTypeDecoders`: register a decoder for the RDB type byte and it
 * receives the input positioned on the value's body. Without one the value
 * is rejected with an RdbError.
 */
import type { RedisValue } from '../keyspace/values';
import { Dict } from '../types/dict';
import { HashValue } from '../types/hash';
import { SetValue, isInt64String, compareIntStrings } from '../types/set';
import { ZSet } from '../types/zset';
import { zless } from '../types/zset-tree';
import { ListValue } from '../types/list';
import * as sp from '../types/strpack';
import { parseDouble } from '../util/numbers';
import { lzfDecompress } from './lzf';
import { Crc64 } from './crc64';

export const RDB_VERSION = 10;

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

export const OPCODE_FUNCTION2 = 245;
export const OPCODE_FUNCTION = 246;
export const OPCODE_MODULE_AUX = 247;
export const OPCODE_IDLE = 248;
export const OPCODE_FREQ = 249;
export const OPCODE_AUX = 250;
export const OPCODE_RESIZEDB = 251;
export const OPCODE_EXPIRETIME_MS = 252;
export const OPCODE_EXPIRETIME = 253;
export const OPCODE_SELECTDB = 254;
export const OPCODE_EOF = 255;

const QUICKLIST_NODE_PLAIN = 1;
const QUICKLIST_NODE_PACKED = 2;

/** Any malformed or unsupported input. */
export class RdbError extends Error {
  /** true when the value decoded to an empty collection (Redis skips such keys when loading a file) */
  emptyKey = false;
}

/** The configuration that decides encodings on load (Redis's thresholds). */
export interface LoadLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  listMaxListpackSize: number;
  listCompressDepth: number;
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** A bounds-checked cursor over the input bytes. */
export class RdbInput {
  readonly buf: Latin1Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf as Latin1Buffer;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new RdbError('Unexpected EOF reading RDB file');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  uint32LE(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  int32LE(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  int64LE(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  doubleLE(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length; `lenEnc` is set when the byte announced a special string encoding instead. */
  lenEnc = false;

  length(): number {
    const first = this.byte();
    const t = first >> 6;
    this.lenEnc = false;
    if (t === 0) return first & 0x3f;
    if (t === 1) return ((first & 0x3f) << 8) | this.byte();
    if (t === 3) {
      this.lenEnc = true;
      return first & 0x3f;
    }
    if (first === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (first === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('Length too large');
      return Number(v);
    }
    throw new RdbError(`Unknown length encoding ${first} in rdbLoadLen()`);
  }

  /** A plain length (special encodings are corrupt here). */
  len(): number {
    const n = this.length();
    if (this.lenEnc) throw new RdbError('Unexpected encoded length');
    return n;
  }

  /** A string as raw bytes (ints and LZF decoded). */
  stringBytes(): Buffer {
    const n = this.length();
    if (!this.lenEnc) return this.bytes(n);
    if (n <= 2) return Buffer.from(String(this.encodedInt(n)), 'latin1');
    if (n !== 3) throw new RdbError(`Unknown RDB string encoding type ${n}`);
    const clen = this.len();
    const ulen = this.len();
    const packed = this.bytes(clen);
    // LZF expands at most ~256x per reference: anything claiming more is corrupt (and would waste memory)
    if (ulen > clen * 300 + 64) throw new RdbError('Invalid LZF compressed string');
    const out = lzfDecompress(packed, ulen);
    if (out === null) throw new RdbError('Invalid LZF compressed string');
    return out;
  }

  /** The integer of a special string encoding: 0 int8, 1 int16, 2 int32. */
  private encodedInt(enc: number): number {
    if (enc === 0) return (this.byte() << 24) >> 24;
    if (enc === 2) return this.int32LE();
    this.need(2);
    const v = this.buf.readInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  /** A string as a latin1 JS string. */
  string(): string {
    const n = this.length();
    if (!this.lenEnc) {
      this.need(n);
      const s = this.buf.latin1Slice(this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    if (n <= 2) return String(this.encodedInt(n));
    this.pos--; // re-read as bytes (LZF)
    return bytesToLatin1(this.stringBytes());
  }

  /** The text double of RDB_TYPE_ZSET (version 1 zsets). */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const s = this.bytes(n).toString('latin1');
    const d = Number(s.trim());
    if (Number.isNaN(d) && s.toLowerCase() !== 'nan') throw new RdbError('Invalid double');
    return d;
  }
}

function bytesToLatin1(b: Buffer): string {
  return (b as Latin1Buffer).latin1Slice(0, b.length);
}

/* ------------------------------------------------------------------ blobs */

/** Elements of a listpack blob, as latin1 strings (integers in decimal). */
export function listpackEntries(b: Buffer): string[] {
  if (b.length < 7) throw new RdbError('Listpack integrity check failed.');
  const total = b.readUInt32LE(0);
  if (total !== b.length) throw new RdbError('Listpack integrity check failed.');
  const declared = b.readUInt16LE(4);
  const out: string[] = [];
  let p = 6;
  const end = b.length - 1;
  if (b[end] !== 0xff) throw new RdbError('Listpack integrity check failed.');
  while (p < end) {
    const start = p;
    const c = b[p];
    let s: string;
    if ((c & 0x80) === 0) {
      s = String(c & 0x7f);
      p += 1;
    } else if ((c & 0xc0) === 0x80) {
      const n = c & 0x3f;
      if (p + 1 + n > end) throw new RdbError('Listpack integrity check failed.');
      s = (b as Latin1Buffer).latin1Slice(p + 1, p + 1 + n);
      p += 1 + n;
    } else if ((c & 0xe0) === 0xc0) {
      if (p + 2 > end) throw new RdbError('Listpack integrity check failed.');
      let v = ((c & 0x1f) << 8) | b[p + 1];
      if (v >= 1 << 12) v -= 1 << 13;
      s = String(v);
      p += 2;
    } else if ((c & 0xf0) === 0xe0) {
      if (p + 2 > end) throw new RdbError('Listpack integrity check failed.');
      const n = ((c & 0x0f) << 8) | b[p + 1];
      if (p + 2 + n > end) throw new RdbError('Listpack integrity check failed.');
      s = (b as Latin1Buffer).latin1Slice(p + 2, p + 2 + n);
      p += 2 + n;
    } else if (c === 0xf0) {
      if (p + 5 > end) throw new RdbError('Listpack integrity check failed.');
      const n = b.readUInt32LE(p + 1);
      if (p + 5 + n > end) throw new RdbError('Listpack integrity check failed.');
      s = (b as Latin1Buffer).latin1Slice(p + 5, p + 5 + n);
      p += 5 + n;
    } else if (c === 0xf1) {
      if (p + 3 > end) throw new RdbError('Listpack integrity check failed.');
      s = String(b.readInt16LE(p + 1));
      p += 3;
    } else if (c === 0xf2) {
      if (p + 4 > end) throw new RdbError('Listpack integrity check failed.');
      s = String(b.readIntLE(p + 1, 3));
      p += 4;
    } else if (c === 0xf3) {
      if (p + 5 > end) throw new RdbError('Listpack integrity check failed.');
      s = String(b.readInt32LE(p + 1));
      p += 5;
    } else if (c === 0xf4) {
      if (p + 9 > end) throw new RdbError('Listpack integrity check failed.');
      s = b.readBigInt64LE(p + 1).toString();
      p += 9;
    } else {
      throw new RdbError('Listpack integrity check failed.');
    }
    // the back length: the entry's size in 7-bit groups, most significant first
    const size = p - start;
    const blen = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    if (p + blen > end) throw new RdbError('Listpack integrity check failed.');
    if (backlenValue(b, p, blen) !== size) throw new RdbError('Listpack integrity check failed.');
    p += blen;
    out.push(s);
  }
  if (declared !== 65535 && declared !== out.length) throw new RdbError('Listpack integrity check failed.');
  return out;
}

/** The back length stored at b[p, p+blen): read from its last byte backwards, 7 bits per byte. */
function backlenValue(b: Buffer, p: number, blen: number): number {
  let v = 0;
  let shift = 1;
  for (let k = blen - 1; k >= 0; k--) {
    const byte = b[p + k];
    v += (byte & 0x7f) * shift;
    shift *= 128;
    const more = (byte & 0x80) !== 0;
    if (more !== (k > 0)) return -1;
  }
  return v;
}

/** Elements of a ziplist blob. */
export function ziplistEntries(b: Buffer): string[] {
  if (b.length < 11) throw new RdbError('Ziplist integrity check failed.');
  const total = b.readUInt32LE(0);
  if (total !== b.length) throw new RdbError('Ziplist integrity check failed.');
  const tail = b.readUInt32LE(4);
  const declared = b.readUInt16LE(8);
  const end = b.length - 1;
  if (b[end] !== 0xff) throw new RdbError('Ziplist integrity check failed.');
  const out: string[] = [];
  let p = 10;
  let prevLen = 0;
  let lastStart = -1;
  while (p < end) {
    const start = p;
    // previous entry length
    let pl = b[p];
    if (pl === 0xfe) {
      if (p + 5 > end) throw new RdbError('Ziplist integrity check failed.');
      pl = b.readUInt32LE(p + 1);
      p += 5;
    } else if (pl === 0xff) {
      throw new RdbError('Ziplist integrity check failed.');
    } else {
      p += 1;
    }
    if (pl !== prevLen) throw new RdbError('Ziplist integrity check failed.');
    if (p >= end) throw new RdbError('Ziplist integrity check failed.');
    const c = b[p];
    let s: string;
    const top = c >> 6;
    if (top === 0) {
      const n = c & 0x3f;
      if (p + 1 + n > end) throw new RdbError('Ziplist integrity check failed.');
      s = (b as Latin1Buffer).latin1Slice(p + 1, p + 1 + n);
      p += 1 + n;
    } else if (top === 1) {
      if (p + 2 > end) throw new RdbError('Ziplist integrity check failed.');
      const n = ((c & 0x3f) << 8) | b[p + 1];
      if (p + 2 + n > end) throw new RdbError('Ziplist integrity check failed.');
      s = (b as Latin1Buffer).latin1Slice(p + 2, p + 2 + n);
      p += 2 + n;
    } else if (top === 2) {
      if (c !== 0x80 || p + 5 > end) throw new RdbError('Ziplist integrity check failed.');
      const n = b.readUInt32BE(p + 1);
      if (p + 5 + n > end) throw new RdbError('Ziplist integrity check failed.');
      s = (b as Latin1Buffer).latin1Slice(p + 5, p + 5 + n);
      p += 5 + n;
    } else {
      let w: number;
      if (c === 0xc0) w = 2;
      else if (c === 0xd0) w = 4;
      else if (c === 0xe0) w = 8;
      else if (c === 0xf0) w = 3;
      else if (c === 0xfe) w = 1;
      else if (c >= 0xf1 && c <= 0xfd) w = 0;
      else throw new RdbError('Ziplist integrity check failed.');
      if (p + 1 + w > end) throw new RdbError('Ziplist integrity check failed.');
      if (w === 0) s = String((c & 0x0f) - 1);
      else if (w === 8) s = b.readBigInt64LE(p + 1).toString();
      else s = String(b.readIntLE(p + 1, w));
      p += 1 + w;
    }
    prevLen = p - start;
    lastStart = start;
    out.push(s);
  }
  if (out.length > 0 && lastStart !== tail) throw new RdbError('Ziplist integrity check failed.');
  if (declared !== 65535 && declared !== out.length) throw new RdbError('Ziplist integrity check failed.');
  return out;
}

/** Members of an intset blob, ascending, as decimal strings. */
export function intsetEntries(b: Buffer): string[] {
  if (b.length < 8) throw new RdbError('Intset integrity check failed.');
  const enc = b.readUInt32LE(0);
  if (enc !== 2 && enc !== 4 && enc !== 8) throw new RdbError('Intset integrity check failed.');
  const n = b.readUInt32LE(4);
  if (n === 0 || 8 + n * enc !== b.length) throw new RdbError('Intset integrity check failed.');
  const out: string[] = new Array(n);
  let prev: bigint | null = null;
  for (let i = 0; i < n; i++) {
    const p = 8 + i * enc;
    const v = enc === 8 ? b.readBigInt64LE(p) : BigInt(enc === 4 ? b.readInt32LE(p) : b.readInt16LE(p));
    if (prev !== null && v <= prev) throw new RdbError('Intset integrity check failed.');
    prev = v;
    out[i] = v.toString();
  }
  return out;
}

/** Field/value pairs of a zipmap blob (flat array). */
export function zipmapEntries(b: Buffer): string[] {
  if (b.length < 2) throw new RdbError('Zipmap integrity check failed.');
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= b.length) throw new RdbError('Zipmap integrity check failed.');
    const c = b[p];
    if (c < 254) {
      p += 1;
      return c;
    }
    if (c === 254) {
      if (p + 5 > b.length) throw new RdbError('Zipmap integrity check failed.');
      const v = b.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return -1; // end marker
  };
  for (;;) {
    const flen = readLen();
    if (flen < 0) {
      p++;
      break;
    }
    if (p + flen > b.length) throw new RdbError('Zipmap integrity check failed.');
    const f = (b as Latin1Buffer).latin1Slice(p, p + flen);
    p += flen;
    const vlen = readLen();
    if (vlen < 0 || p >= b.length) throw new RdbError('Zipmap integrity check failed.');
    const free = b[p++];
    if (p + vlen + free > b.length) throw new RdbError('Zipmap integrity check failed.');
    const v = (b as Latin1Buffer).latin1Slice(p, p + vlen);
    p += vlen + free;
    out.push(f, v);
  }
  if (p !== b.length || out.length === 0) throw new RdbError('Zipmap integrity check failed.');
  const zmlen = b[0];
  if (zmlen < 254 && zmlen !== out.length / 2) throw new RdbError('Zipmap integrity check failed.');
  return out;
}

/* ----------------------------------------------------------- value build */

function emptyKey(): RdbError {
  const e = new RdbError('Empty keys are not allowed');
  e.emptyKey = true;
  return e;
}

function hashFromPairs(items: string[], forceTable: boolean, fromBlob = true): HashValue {
  const n = items.length >> 1;
  if (n === 0) throw emptyKey();
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i += 2) {
    if (seen.has(items[i])) throw new RdbError(fromBlob ? 'listpack with dup elements' : 'Duplicate hash fields detected');
    seen.add(items[i]);
  }
  if (!forceTable) return new HashValue(sp.pack(items));
  const d = new Dict<string>();
  for (let i = 0; i < items.length; i += 2) d.add(items[i], items[i + 1]);
  return new HashValue(d);
}

function zsetFromPairs(members: string[], scores: number[], listpack: boolean): ZSet {
  const n = members.length;
  if (n === 0) throw emptyKey();
  const z = new ZSet();
  if (listpack) {
    const order = Array.from({ length: n }, (_, i) => i);
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(scores[i])) throw new RdbError('Zset with NAN score detected');
      if (seen.has(members[i])) throw new RdbError('Duplicate zset fields detected');
      seen.add(members[i]);
    }
    order.sort((a, b) => (zless(scores[a], members[a], scores[b], members[b]) ? -1 : zless(scores[b], members[b], scores[a], members[a]) ? 1 : 0));
    z.lpMembers = order.map((i) => members[i]);
    z.lpScores = order.map((i) => scores[i] + 0);
    return z;
  }
  z.convertToSkiplist();
  const dict = z.dict as Dict<number>;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RdbError('Zset with NAN score detected');
    if (dict.get(members[i]) !== undefined) throw new RdbError('Duplicate zset fields detected');
    z.appendSorted(members[i], scores[i]);
  }
  return z;
}

function zsetFromFlat(items: string[], limits: LoadLimits): ZSet {
  if (items.length % 2 !== 0) throw new RdbError('Zset listpack integrity check failed.');
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < items.length; i += 2) {
    members.push(items[i]);
    const d = parseDouble(items[i + 1]);
    if (d === null || Number.isNaN(d)) throw new RdbError('Zset listpack integrity check failed.');
    scores.push(d);
  }
  return zsetFromPairs(members, scores, members.length <= limits.zsetMaxListpackEntries);
}

function setFromInts(items: string[], limits: LoadLimits): SetValue {
  if (items.length === 0) throw emptyKey();
  const s = new SetValue(items, null);
  if (items.length > limits.setMaxIntsetEntries) s.toHashtable();
  return s;
}

function newList(limits: LoadLimits): ListValue {
  return new ListValue(limits.listMaxListpackSize, limits.listCompressDepth);
}

/** Run a blob's validation and conversion; a failure is reported with Redis's message for that encoding. */
function checked<T>(msg: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RdbError && !e.emptyKey) throw new RdbError(e.message.endsWith('integrity check failed.') ? msg : `${msg} (${e.message})`);
    throw e;
  }
}

/** A value decoder for one RDB type byte: reads the body, returns the value. */
export type RdbTypeDecoder = (input: RdbInput, type: number, limits: LoadLimits) => RedisValue;

/**
 * Decoders for types this module does not handle itself, by RDB type byte.
 * The stream module registers RDB_TYPE_STREAM_LISTPACKS(_2, _3) here.
 */
export const rdbTypeDecoders = new Map<number, RdbTypeDecoder>();

/**
 * Whether the type byte names a value rather than an opcode: the RDB types
 * 0-21 (8 is unused), decodable or not, or one with a registered decoder.
 */
function isValueType(t: number): boolean {
  return (t >= 0 && t <= 21 && t !== 8) || rdbTypeDecoders.has(t);
}

/** Decode one value body of the given RDB type. Throws RdbError. */
export function readValue(r: RdbInput, type: number, limits: LoadLimits): RedisValue {
  switch (type) {
    case RDB_TYPE_STRING:
      return r.string();
    case RDB_TYPE_LIST: {
      const n = r.len();
      if (n === 0) throw emptyKey();
      if (n > r.remaining) throw new RdbError('Unexpected EOF reading RDB file');
      const l = newList(limits);
      for (let i = 0; i < n; i++) l.pushTail(r.string());
      return l;
    }
    case RDB_TYPE_SET: {
      const n = r.len();
      if (n === 0) throw emptyKey();
      if (n > r.remaining) throw new RdbError('Unexpected EOF reading RDB file');
      let s: SetValue = n > limits.setMaxIntsetEntries ? new SetValue(null, new Dict<null>()) : new SetValue([], null);
      for (let i = 0; i < n; i++) {
        const m = r.string();
        if (s.is !== null && !isInt64String(m)) s.toHashtable();
        if (!s.add(m, Infinity)) throw new RdbError('Duplicate set members detected');
      }
      if (s.is !== null) s = new SetValue(s.is.sort(compareIntStrings), null);
      return s;
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = r.len();
      if (n === 0) throw emptyKey();
      if (n > r.remaining) throw new RdbError('Unexpected EOF reading RDB file');
      const members: string[] = [];
      const scores: number[] = [];
      let maxLen = 0;
      for (let i = 0; i < n; i++) {
        const m = r.string();
        const d = type === RDB_TYPE_ZSET_2 ? r.doubleLE() : r.textDouble();
        if (Number.isNaN(d)) throw new RdbError('Zset with NAN score detected');
        if (m.length > maxLen) maxLen = m.length;
        members.push(m);
        scores.push(d);
      }
      const lp = n <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue;
      return zsetFromPairs(members, scores, lp);
    }
    case RDB_TYPE_HASH: {
      const n = r.len();
      if (n === 0) throw emptyKey();
      if (n > r.remaining) throw new RdbError('Unexpected EOF reading RDB file');
      const items: string[] = [];
      let big = n > limits.hashMaxListpackEntries;
      for (let i = 0; i < n; i++) {
        const f = r.string();
        const v = r.string();
        if (f.length > limits.hashMaxListpackValue || v.length > limits.hashMaxListpackValue) big = true;
        items.push(f, v);
      }
      return hashFromPairs(items, big, false);
    }
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const n = r.len();
      if (n === 0) throw emptyKey();
      if (n > r.remaining) throw new RdbError('Unexpected EOF reading RDB file');
      const l = newList(limits);
      for (let i = 0; i < n; i++) {
        let container = QUICKLIST_NODE_PACKED;
        if (type === RDB_TYPE_LIST_QUICKLIST_2) {
          container = r.len();
          if (container !== QUICKLIST_NODE_PACKED && container !== QUICKLIST_NODE_PLAIN) {
            throw new RdbError('Quicklist integrity check failed.');
          }
        }
        const blob = r.stringBytes();
        if (blob.length === 0) throw new RdbError('Quicklist integrity check failed.');
        if (container === QUICKLIST_NODE_PLAIN) {
          l.pushTail(bytesToLatin1(blob));
          continue;
        }
        const items = type === RDB_TYPE_LIST_QUICKLIST_2
          ? checked('Listpack integrity check failed.', () => listpackEntries(blob))
          : checked('Ziplist integrity check failed.', () => ziplistEntries(blob));
        for (const s of items) l.pushTail(s);
      }
      if (l.length === 0) throw emptyKey();
      return l;
    }
    case RDB_TYPE_HASH_ZIPMAP: {
      const b = r.stringBytes();
      return checked('Zipmap integrity check failed.', () => {
        const items = zipmapEntries(b);
        let maxLen = 0;
        for (const s of items) if (s.length > maxLen) maxLen = s.length;
        const big = items.length / 2 > limits.hashMaxListpackEntries || maxLen > limits.hashMaxListpackValue;
        return hashFromPairs(items, big);
      });
    }
    case RDB_TYPE_LIST_ZIPLIST: {
      const b = r.stringBytes();
      const items = checked('List ziplist integrity check failed.', () => ziplistEntries(b));
      if (items.length === 0) throw emptyKey();
      const l = newList(limits);
      for (const s of items) l.pushTail(s);
      return l;
    }
    case RDB_TYPE_SET_INTSET: {
      const b = r.stringBytes();
      return checked('Intset integrity check failed.', () => setFromInts(intsetEntries(b), limits));
    }
    case RDB_TYPE_ZSET_ZIPLIST: {
      const b = r.stringBytes();
      return checked('Zset ziplist integrity check failed.', () => zsetFromFlat(ziplistEntries(b), limits));
    }
    case RDB_TYPE_ZSET_LISTPACK: {
      const b = r.stringBytes();
      return checked('Zset listpack integrity check failed.', () => zsetFromFlat(listpackEntries(b), limits));
    }
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK: {
      const blob = r.stringBytes();
      const zl = type === RDB_TYPE_HASH_ZIPLIST;
      return checked(zl ? 'Hash ziplist integrity check failed.' : 'Hash listpack integrity check failed.', () => {
        const items = zl ? ziplistEntries(blob) : listpackEntries(blob);
        if (items.length % 2 !== 0) throw new RdbError('odd number of elements');
        return hashFromPairs(items, items.length / 2 > limits.hashMaxListpackEntries);
      });
    }
    default: {
      const dec = rdbTypeDecoders.get(type);
      if (dec !== undefined) return dec(r, type, limits);
      if (type === RDB_TYPE_STREAM_LISTPACKS || type === RDB_TYPE_STREAM_LISTPACKS_2 || type === RDB_TYPE_STREAM_LISTPACKS_3) {
        throw new RdbError('Stream values are not supported yet');
      }
      if (type === RDB_TYPE_MODULE || type === RDB_TYPE_MODULE_2) throw new RdbError('Module values are not supported');
      throw new RdbError(`Unknown RDB encoding type ${type}`);
    }
  }
}

/* ---------------------------------------------------------------- streams */

/** A stream ID as two numbers (ms, seq). */
export interface RawStreamId {
  ms: bigint;
  seq: bigint;
}

/** A stream value as serialised, before any stream type is built from it. */
export interface RawStream {
  /** radix tree nodes: master ID (16 bytes big-endian ms+seq) and the listpack blob */
  nodes: { masterId: Buffer; listpack: Buffer }[];
  length: number;
  lastId: RawStreamId;
  /** type 19+ only (null for type 15) */
  firstId: RawStreamId | null;
  maxDeletedId: RawStreamId | null;
  entriesAdded: number | null;
  groups: {
    name: string;
    lastId: RawStreamId;
    /** type 19+ only */
    entriesRead: number | null;
    /** global PEL: 16-byte ID, delivery time (ms), delivery count */
    pel: { id: Buffer; deliveryTime: number; deliveryCount: number }[];
    consumers: { name: string; seenTime: number; activeTime: number | null; pel: Buffer[] }[];
  }[];
}

function bigLen(r: RdbInput): bigint {
  // stream IDs use the full 64-bit range: read the length encoding without the 2^53 cap
  const first = r.byte();
  if (first === 0x81) {
    r.need(8);
    const v = r.buf.readBigUInt64BE(r.pos);
    r.pos += 8;
    return v;
  }
  r.pos--;
  return BigInt(r.len());
}

function rawId(r: RdbInput): RawStreamId {
  const ms = bigLen(r);
  const seq = bigLen(r);
  return { ms, seq };
}

/**
 * Read the body of a stream value (types 15, 19 and 21) into its raw parts,
 * checking only the framing (the stream module validates the listpacks and
 * builds its value from this). Throws RdbError.
 */
export function readStreamRaw(r: RdbInput, type: number): RawStream {
  const v2 = type !== RDB_TYPE_STREAM_LISTPACKS;
  const n = r.len();
  if (n > r.remaining) throw new RdbError('Stream listpacks len loading failed.');
  const nodes: RawStream['nodes'] = [];
  for (let i = 0; i < n; i++) {
    const masterId = r.stringBytes();
    if (masterId.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID');
    const listpack = r.stringBytes();
    if (listpack.length < 7 || listpack[6] === 0xff) throw new RdbError('Empty listpack inside stream');
    nodes.push({ masterId, listpack });
  }
  const length = r.len();
  const lastId = rawId(r);
  let firstId: RawStreamId | null = null;
  let maxDeletedId: RawStreamId | null = null;
  let entriesAdded: number | null = null;
  if (v2) {
    firstId = rawId(r);
    maxDeletedId = rawId(r);
    entriesAdded = r.len();
  }
  const groups: RawStream['groups'] = [];
  const ng = r.len();
  if (ng > r.remaining) throw new RdbError('Stream cgroup count loading failed.');
  for (let g = 0; g < ng; g++) {
    const name = r.string();
    const gid = rawId(r);
    // entries_read is a signed 64-bit value saved as a length: -1 (unknown) arrives as 2^64-1
    let entriesRead: number | null = null;
    if (v2) {
      const er = bigLen(r);
      entriesRead = er > 9223372036854775807n ? Number(er - 18446744073709551616n) : Number(er);
    }
    const np = r.len();
    if (np > r.remaining) throw new RdbError('Stream PEL size loading failed.');
    const pel: RawStream['groups'][number]['pel'] = [];
    for (let i = 0; i < np; i++) {
      const id = r.bytes(16);
      const deliveryTime = r.int64LE();
      const deliveryCount = r.len();
      pel.push({ id, deliveryTime, deliveryCount });
    }
    const nc = r.len();
    if (nc > r.remaining) throw new RdbError('Stream consumers num loading failed.');
    const consumers: RawStream['groups'][number]['consumers'] = [];
    for (let c = 0; c < nc; c++) {
      const cname = r.string();
      const seenTime = r.int64LE();
      const activeTime = type === RDB_TYPE_STREAM_LISTPACKS_3 ? r.int64LE() : null;
      const k = r.len();
      if (k > r.remaining) throw new RdbError('Stream consumer PEL num loading failed.');
      const cpel: Buffer[] = [];
      for (let i = 0; i < k; i++) cpel.push(r.bytes(16));
      consumers.push({ name: cname, seenTime, activeTime, pel: cpel });
    }
    groups.push({ name, lastId: gid, entriesRead, pel, consumers });
  }
  return { nodes, length, lastId, firstId, maxDeletedId, entriesAdded, groups };
}

/* ----------------------------------------------------------- whole files */

export interface LoadedKey {
  db: number;
  key: string;
  value: RedisValue;
  /** absolute ms, or -1 */
  expireAt: number;
  /** IDLE opcode (seconds), or -1 */
  idle: number;
  /** FREQ opcode, or -1 */
  freq: number;
}

export interface RdbLoadHandlers {
  limits: LoadLimits;
  /** number of databases: a SELECTDB beyond it is an error */
  databases: number;
  /** verify the CRC-64 at the end (rdbchecksum, not skipped by DEBUG) */
  checkCrc: boolean;
  onAux?: (key: string, value: string) => void;
  onKey: (k: LoadedKey) => void;
  /** a FUNCTION2 opcode: the library's code */
  onFunction?: (code: string) => void;
  /** an empty collection skipped, as Redis does */
  onEmptyKey?: (key: string) => void;
}

export interface RdbLoadResult {
  version: number;
  /** true when the file's checksum was 0 (saved without checksum) */
  crcDisabled: boolean;
  /** bytes of the buffer the RDB image used (an AOF tail may follow) */
  consumed: number;
}

/** Decode a whole RDB file. Throws RdbError on anything malformed. */
export function loadRdb(buf: Buffer, h: RdbLoadHandlers): RdbLoadResult {
  const r = new RdbInput(buf);
  if (buf.length < 9 || buf.toString('latin1', 0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
  const verText = buf.toString('latin1', 5, 9);
  const version = /^\d{4}$/.test(verText) ? Number(verText) : NaN;
  if (!(version >= 1 && version <= RDB_VERSION)) throw new RdbError(`Can't handle RDB format version ${verText}`);
  r.pos = 9;
  let db = 0;
  let expireAt = -1;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const type = r.byte();
    if (type === OPCODE_EXPIRETIME) {
      expireAt = r.int32LE() * 1000;
      continue;
    }
    if (type === OPCODE_EXPIRETIME_MS) {
      expireAt = r.int64LE();
      continue;
    }
    if (type === OPCODE_FREQ) {
      freq = r.byte();
      continue;
    }
    if (type === OPCODE_IDLE) {
      idle = r.len();
      continue;
    }
    if (type === OPCODE_EOF) break;
    if (type === OPCODE_SELECTDB) {
      db = r.len();
      if (db >= h.databases) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${h.databases} databases.`);
      continue;
    }
    if (type === OPCODE_RESIZEDB) {
      r.len();
      r.len();
      continue;
    }
    if (type === OPCODE_AUX) {
      const k = r.string();
      const v = r.string();
      h.onAux?.(k, v);
      continue;
    }
    if (type === OPCODE_MODULE_AUX) throw new RdbError('The RDB file contains AUX module data I can\'t load');
    if (type === OPCODE_FUNCTION2) {
      const code = r.string();
      if (h.onFunction === undefined) throw new RdbError('Failed loading library: functions are not supported');
      h.onFunction(code);
      continue;
    }
    if (type === OPCODE_FUNCTION) throw new RdbError('Failed loading library: pre-release function format');
    if (!isValueType(type)) throw new RdbError(`Unknown RDB type ${type}`);
    const key = r.string();
    let value: RedisValue;
    try {
      value = readValue(r, type, h.limits);
    } catch (e) {
      if (e instanceof RdbError && e.emptyKey) {
        h.onEmptyKey?.(key);
        expireAt = idle = freq = -1;
        continue;
      }
      throw e;
    }
    h.onKey({ db, key, value, expireAt, idle, freq });
    expireAt = idle = freq = -1;
  }
  let crcDisabled = false;
  if (version >= 5) {
    const body = r.pos;
    const stored = r.bytes(8);
    if (stored.every((x) => x === 0)) crcDisabled = true;
    else if (h.checkCrc) {
      const crc = new Crc64().update(buf.subarray(0, body)).digestLE();
      if (!crc.equals(stored)) throw new RdbError('RDB CRC error');
    }
  }
  return { version, crcDisabled, consumed: r.pos };
}

/* ----------------------------------------------------------- DUMP payloads */

/** Check a DUMP payload's footer (version and CRC). Returns false when wrong. */
export function verifyDumpPayload(p: Buffer, skipChecksum: boolean): boolean {
  if (p.length < 10) return false;
  const ver = p[p.length - 10] | (p[p.length - 9] << 8);
  if (ver > RDB_VERSION) return false;
  if (skipChecksum) return true;
  const crc = new Crc64().update(p.subarray(0, p.length - 8)).digestLE();
  return crc.equals(p.subarray(p.length - 8));
}

/** Decode the value of a (verified) DUMP payload. Throws RdbError. */
export function decodeDumpPayload(p: Buffer, limits: LoadLimits): RedisValue {
  const r = new RdbInput(p, 0, p.length - 10);
  const type = r.byte();
  if (!isValueType(type)) throw new RdbError('Bad data format');
  return readValue(r, type, limits);
}
