/*
 * RDB writer: serialises values and whole keyspaces in Redis's RDB format
 * (version 10, as Redis 7.0 writes it), for SAVE/BGSAVE, DEBUG RELOAD,
 * DUMP and the full synchronisation of replicas.
 *
 * Values use the encodings Redis 7.0 itself writes, so that a DUMP payload
 * is byte for byte what Redis produces for the same value:
 * - strings: integer encodings for canonical integers of up to 11 chars,
 *   LZF compression above 20 bytes when `compress` (rdbcompression), else
 *   raw bytes;
 * - lists: QUICKLIST_2, one listpack blob per node (a plain blob for
 *   elements at or above the packed threshold);
 * - sets: INTSET blob for intset-encoded sets, else SET;
 * - sorted sets: ZSET_LISTPACK for listpack-encoded ones, else ZSET_2 (in
 *   descending order, as Redis walks its skiplist backwards);
 * - hashes: HASH_LISTPACK for listpack-encoded ones, else HASH.
 * Blobs are themselves written as strings (hence compressed when large).
 *
 * Extension point: `rdbValueEncoders` maps a value kind this module does
 * not know (streams) to its encoder (type byte + body).
 *
 * The file ends with the EOF opcode and the CRC-64 of everything before it
 * (or 8 zero bytes when rdbchecksum is off).
 */
import type { Keyspace } from '../keyspace/keyspace';
import type { RedisValue, RedisObject } from '../keyspace/values';
import { ByteString } from '../keyspace/values';
import { crc64LE } from './crc64';
import { lzfCompress } from './lzf';
import { REDIS_VERSION } from '../server/server';
import type { HashValue } from '../types/hash';
import { isInt64String, type SetValue } from '../types/set';
import type { ZSet } from '../types/zset';
import { ListValue } from '../types/list';
import { formatG17 } from '../util/numbers';
import {
  RDB_VERSION, RDB_TYPE_STRING, RDB_TYPE_SET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2, RDB_TYPE_SET_INTSET,
  RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, OPCODE_FUNCTION2, OPCODE_IDLE,
  OPCODE_FREQ, OPCODE_AUX, OPCODE_RESIZEDB, OPCODE_EXPIRETIME_MS, OPCODE_SELECTDB, OPCODE_EOF,
} from './rdb-reader';


type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number, length?: number): number };

/** A growable output buffer with RDB primitives. */
export class ByteSink {
  buf = Buffer.allocUnsafe(64 * 1024) as Latin1Buffer;
  len = 0;
  /** rdbcompression: LZF for strings above 20 bytes */
  compress: boolean;

  constructor(compress = true, initial = 64 * 1024) {
    this.compress = compress;
    this.buf = Buffer.allocUnsafe(initial) as Latin1Buffer;
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = Buffer.allocUnsafe(size) as Latin1Buffer;
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Redis's length encoding: 6, 14, 32 or 64 bits. */
  length(n: number): void {
    if (n < 64) this.byte(n);
    else if (n < 16384) {
      this.ensure(2);
      this.buf[this.len++] = 0x40 | (n >> 8);
      this.buf[this.len++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.len++] = 0x80;
      this.buf.writeUInt32BE(n, this.len);
      this.len += 4;
    } else {
      this.ensure(9);
      this.buf[this.len++] = 0x81;
      this.buf.writeBigUInt64BE(BigInt(n), this.len);
      this.len += 8;
    }
  }

  /** A string as Redis's rdbSaveRawString writes it (integer form, LZF, or raw). */
  string(s: string): void {
    const n = s.length;
    if (n <= 11 && n > 0 && this.intString(s)) return;
    if (this.compress && n > 20) {
      const raw = Buffer.from(s, 'latin1');
      if (this.lzf(raw)) return;
      this.length(n);
      this.ensure(n);
      raw.copy(this.buf, this.len);
      this.len += n;
      return;
    }
    this.length(n);
    this.ensure(n);
    if (n > 0) this.len += this.buf.latin1Write(s, this.len, n);
  }

  /** Bytes as a string (same rules). */
  bytes(b: Buffer, n = b.length): void {
    const src = n === b.length ? b : b.subarray(0, n);
    if (n <= 11 && n > 0 && this.intString(src.toString('latin1'))) return;
    if (this.compress && n > 20 && this.lzf(src)) return;
    this.length(n);
    this.ensure(n);
    src.copy(this.buf, this.len);
    this.len += n;
  }

  private lzf(raw: Buffer): boolean {
    if (raw.length <= 4) return false;
    const packed = lzfCompress(raw, raw.length - 4);
    if (packed === null) return false;
    this.byte(0xc3);
    this.length(packed.length);
    this.length(raw.length);
    this.ensure(packed.length);
    packed.copy(this.buf, this.len);
    this.len += packed.length;
    return true;
  }

  /** The integer encodings (8, 16, 32 bits) for canonical integers; false otherwise. */
  private intString(s: string): boolean {
    // canonical integers only (string2ll); the caller passes at most 11 chars, so Number is exact
    if (!isInt64String(s)) return false;
    const v = Number(s);
    if (v >= -128 && v <= 127) {
      this.ensure(2);
      this.buf[this.len++] = 0xc0;
      this.buf[this.len++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.len++] = 0xc1;
      this.buf.writeInt16LE(v, this.len);
      this.len += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.ensure(5);
      this.buf[this.len++] = 0xc2;
      this.buf.writeInt32LE(v, this.len);
      this.len += 4;
    } else {
      return false;
    }
    return true;
  }

  doubleLE(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.len);
    this.len += 8;
  }

  int64LE(n: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(n), this.len);
    this.len += 8;
  }

  raw(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.latin1Write(s, this.len, s.length);
  }

  rawBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/* --------------------------------------------------------------- listpack */

/** Builds a listpack blob exactly as Redis lays it out. */
export class ListpackBuilder {
  private out = new ByteSink(false, 256);
  private count = 0;

  constructor() {
    this.out.len = 6; // total bytes + count, filled in by finish()
  }

  add(s: string): void {
    const o = this.out;
    const start = o.len;
    // lpStringToInt64: canonical decimal int64s are stored as integers
    if (isInt64String(s)) {
      // every bound is exact as a Number, and rounding a wider value keeps it outside them
      const x = Number(s);
      if (x >= 0 && x <= 127) o.byte(x);
      else if (x >= -4096 && x <= 4095) {
        const u = x < 0 ? x + 8192 : x;
        o.byte(0xc0 | (u >> 8));
        o.byte(u & 0xff);
      } else if (x >= -32768 && x <= 32767) {
        o.byte(0xf1);
        o.ensure(2);
        o.buf.writeInt16LE(x, o.len);
        o.len += 2;
      } else if (x >= -8388608 && x <= 8388607) {
        o.byte(0xf2);
        o.ensure(3);
        o.buf.writeIntLE(x, o.len, 3);
        o.len += 3;
      } else if (x >= -2147483648 && x <= 2147483647) {
        o.byte(0xf3);
        o.ensure(4);
        o.buf.writeInt32LE(x, o.len);
        o.len += 4;
      } else {
        o.byte(0xf4);
        o.ensure(8);
        o.buf.writeBigInt64LE(BigInt(s), o.len);
        o.len += 8;
      }
    } else {
      const n = s.length;
      if (n < 64) o.byte(0x80 | n);
      else if (n < 4096) {
        o.byte(0xe0 | (n >> 8));
        o.byte(n & 0xff);
      } else {
        o.byte(0xf0);
        o.ensure(4);
        o.buf.writeUInt32LE(n, o.len);
        o.len += 4;
      }
      o.raw(s);
    }
    const l = o.len - start;
    if (l <= 127) o.byte(l);
    else if (l < 16383) {
      o.byte(l >> 7);
      o.byte((l & 127) | 128);
    } else if (l < 2097151) {
      o.byte(l >> 14);
      o.byte(((l >> 7) & 127) | 128);
      o.byte((l & 127) | 128);
    } else if (l < 268435455) {
      o.byte(l >> 21);
      o.byte(((l >> 14) & 127) | 128);
      o.byte(((l >> 7) & 127) | 128);
      o.byte((l & 127) | 128);
    } else {
      o.byte(Math.floor(l / 268435456));
      o.byte(((l >> 21) & 127) | 128);
      o.byte(((l >> 14) & 127) | 128);
      o.byte(((l >> 7) & 127) | 128);
      o.byte((l & 127) | 128);
    }
    this.count++;
  }

  finish(): Buffer {
    const o = this.out;
    o.byte(0xff);
    o.buf.writeUInt32LE(o.len, 0);
    o.buf.writeUInt16LE(this.count < 65535 ? this.count : 65535, 4);
    return o.result();
  }
}

/** The text a listpack holds for a zset score (Redis's d2string). */
function scoreText(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && Math.abs(d) <= 4611686018427387903) return BigInt(d).toString();
  return formatG17(d);
}

/** An intset blob (smallest width that holds every member). */
function intsetBlob(members: string[]): Buffer {
  const vals = members.map((m) => BigInt(m));
  let width = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) {
      width = 8;
      break;
    }
    if (v < -32768n || v > 32767n) width = 4;
  }
  const b = Buffer.alloc(8 + width * vals.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(vals.length, 4);
  for (let i = 0; i < vals.length; i++) {
    const p = 8 + i * width;
    if (width === 2) b.writeInt16LE(Number(vals[i]), p);
    else if (width === 4) b.writeInt32LE(Number(vals[i]), p);
    else b.writeBigInt64LE(vals[i], p);
  }
  return b;
}

/* ----------------------------------------------------------------- values */

/** An encoder for a value kind this module does not know: writes the type byte, then the body. */
export interface RdbValueEncoder {
  type(v: RedisObject): number;
  body(out: ByteSink, v: RedisObject): void;
}

/** Encoders for other kinds (the stream module registers 'stream' here). */
export const rdbValueEncoders = new Map<string, RdbValueEncoder>();

/** The RDB type byte Nodis writes for a value. */
export function rdbTypeOf(v: RedisValue): number {
  if (typeof v === 'string') return RDB_TYPE_STRING;
  switch (v.kind) {
    case 'string':
      return RDB_TYPE_STRING;
    case 'list':
      return RDB_TYPE_LIST_QUICKLIST_2;
    case 'set':
      return (v as unknown as SetValue).is !== null ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case 'hash':
      return (v as unknown as HashValue).isListpack ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    case 'zset':
      return (v as unknown as ZSet).tree === null ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    default: {
      const enc = rdbValueEncoders.get(v.kind);
      if (enc === undefined) throw new Error(`RDB: no encoding for ${v.kind} values yet`);
      return enc.type(v);
    }
  }
}

/** Write a value's body (after its type byte). */
export function writeValueBody(out: ByteSink, v: RedisValue): void {
  if (typeof v === 'string') {
    out.string(v);
    return;
  }
  switch (v.kind) {
    case 'string':
      if (v instanceof ByteString) out.bytes(v.buf, v.len);
      else out.string(String(v));
      return;
    case 'list': {
      const l = v as unknown as ListValue;
      // one blob per node, written as the nodes are visited (nodeCount is what forEachNode walks)
      out.length(l.nodeCount);
      l.forEachNode((plain, items) => {
        if (plain !== null && plain.length >= ListValue.packedThreshold) {
          out.length(1);
          out.string(plain);
          return;
        }
        out.length(2);
        const lp = new ListpackBuilder();
        if (plain !== null) lp.add(plain);
        else for (const s of items) lp.add(s);
        out.bytes(lp.finish());
      });
      return;
    }
    case 'set': {
      const s = v as unknown as SetValue;
      if (s.is !== null) {
        out.bytes(intsetBlob(s.is));
        return;
      }
      out.length(s.size);
      s.forEach((m) => out.string(m));
      return;
    }
    case 'hash': {
      const h = v as unknown as HashValue;
      if (h.isListpack) {
        const lp = new ListpackBuilder();
        h.forEach((f, val) => {
          lp.add(f);
          lp.add(val);
        });
        out.bytes(lp.finish());
        return;
      }
      out.length(h.size);
      h.forEach((f, val) => {
        out.string(f);
        out.string(val);
      });
      return;
    }
    case 'zset': {
      const z = v as unknown as ZSet;
      if (z.tree === null) {
        const lp = new ListpackBuilder();
        z.forEach((m, score) => {
          lp.add(m);
          lp.add(scoreText(score));
        });
        out.bytes(lp.finish());
        return;
      }
      out.length(z.size);
      // from the highest score down, so that loading inserts at the head
      z.forRange(0, z.size - 1, true, (m, score) => {
        out.string(m);
        out.doubleLE(score);
      });
      return;
    }
    default: {
      const enc = rdbValueEncoders.get(v.kind);
      if (enc === undefined) throw new Error(`RDB: no encoding for ${v.kind} values yet`);
      enc.body(out, v);
    }
  }
}

/** DUMP: the value's type and body, then the RDB version (2 bytes LE) and the CRC-64 of all that. */
export function dumpPayload(v: RedisValue, compress: boolean): Buffer {
  const out = new ByteSink(compress, 256);
  out.byte(rdbTypeOf(v));
  writeValueBody(out, v);
  out.byte(RDB_VERSION & 0xff);
  out.byte(RDB_VERSION >> 8);
  const body = out.result();
  return Buffer.concat([body, crc64LE(body)]);
}

export interface RdbWriteOptions {
  compress?: boolean;
  checksum?: boolean;
  /** library codes of loaded functions (FUNCTION2 opcodes) */
  functions?: string[];
  /** extra AUX fields (repl-id, repl-offset...) */
  aux?: [string, string][];
  /** the BASE file of a multi-part AOF (aof-base aux field 1) */
  aofBase?: boolean;
  /**
   * With an LRU or LFU maxmemory-policy Redis saves each key's idle time
   * (IDLE opcode, seconds) or access frequency (FREQ opcode): these give
   * them from an entry's clock.
   */
  idleSeconds?: (clock: number) => number;
  lfuCounter?: (clock: number) => number;
  /** when given, receives the offset just after each key (a background save's per-key delay) */
  keyEnds?: number[];
  /** the file's creation time (ctime aux field), ms: the server's clock; default the real time */
  ctimeMs?: number;
}

/** Serialise the whole keyspace as an RDB file. */
export function writeRdb(ks: Keyspace, usedMemory: number, opts: RdbWriteOptions = {}): Buffer {
  const out = new ByteSink(opts.compress ?? true, 64 * 1024);
  const keyEnds = opts.keyEnds;
  out.raw(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
  const aux = (k: string, v: string) => {
    out.byte(OPCODE_AUX);
    out.string(k);
    out.string(v);
  };
  aux('redis-ver', REDIS_VERSION);
  aux('redis-bits', '64');
  aux('ctime', String(Math.floor((opts.ctimeMs ?? Date.now()) / 1000)));
  aux('used-mem', String(usedMemory));
  for (const [k, v] of opts.aux ?? []) aux(k, v);
  aux('aof-base', opts.aofBase ? '1' : '0');
  for (const code of opts.functions ?? []) {
    out.byte(OPCODE_FUNCTION2);
    out.string(code);
  }
  for (const db of ks.dbs) {
    if (db.dict.size === 0) continue;
    out.byte(OPCODE_SELECTDB);
    out.length(db.id);
    out.byte(OPCODE_RESIZEDB);
    out.length(db.dict.size);
    out.length(db.expires.size);
    db.dict.forEach((key, value, id) => {
      const when = db.expires.size > 0 ? db.expires.get(key) : undefined;
      if (when !== undefined) {
        out.byte(OPCODE_EXPIRETIME_MS);
        out.int64LE(when);
      }
      if (opts.idleSeconds !== undefined) {
        out.byte(OPCODE_IDLE);
        out.length(opts.idleSeconds(db.dict.clockAt(id)));
      } else if (opts.lfuCounter !== undefined) {
        out.byte(OPCODE_FREQ);
        out.byte(opts.lfuCounter(db.dict.clockAt(id)) & 0xff);
      }
      out.byte(rdbTypeOf(value));
      out.string(key);
      writeValueBody(out, value);
      if (keyEnds !== undefined) keyEnds.push(out.len);
    });
  }
  out.byte(OPCODE_EOF);
  const body = out.result();
  const tail = opts.checksum === false ? Buffer.alloc(8) : crc64LE(body);
  return Buffer.concat([body, tail]);
}
