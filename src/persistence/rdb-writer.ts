/*
 * RDB writer: serialises the keyspace in Redis's RDB format (version 10, as
 * Redis 7.0 writes it), for full synchronisation of replicas (SYNC/PSYNC)
 * and, later, for SAVE/BGSAVE.
 *
 * Values use the plain encodings every Redis 7.0 loads: strings as raw
 * bytes, lists as RDB_TYPE_LIST (a length then the elements), sets as
 * RDB_TYPE_SET, sorted sets as RDB_TYPE_ZSET_2 (binary double scores) and
 * hashes as RDB_TYPE_HASH. Redis converts them to its compact encodings on
 * load by the same size rules. The file ends with the EOF opcode and the
 * CRC-64 of everything before it.
 *
 * This first version writes the whole snapshot in one call; a point-in-time
 * snapshot sliced across event-loop turns (DESIGN.md: copy before write)
 * comes with persistence.
 */
import type { Keyspace } from '../keyspace/keyspace';
import type { RedisValue } from '../keyspace/values';
import { stringOf, ByteString } from '../keyspace/values';
import { crc64LE } from './crc64';
import { REDIS_VERSION } from '../server/server';

const RDB_VERSION = '0010';

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
const OPCODE_AUX = 0xfa;
const OPCODE_RESIZEDB = 0xfb;
const OPCODE_EXPIRETIME_MS = 0xfc;
const OPCODE_SELECTDB = 0xfe;
const OPCODE_EOF = 0xff;

/** The iteration each collection type offers (see src/types/). */
interface ListLike { length: number; forEach(fn: (s: string) => void): void }
interface SetLike { size: number; forEach(fn: (m: string) => void): void }
interface HashLike { size: number; forEach(fn: (f: string, v: string) => void): void }
interface ZSetLike { size: number; forEach(fn: (m: string, score: number) => void): void }

class ByteSink {
  buf = Buffer.allocUnsafe(64 * 1024);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
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
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
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

  /** A string: its length then its bytes (latin1). */
  string(s: string): void {
    this.length(s.length);
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  bytes(b: Buffer, n: number): void {
    this.length(n);
    this.ensure(n);
    b.copy(this.buf, this.len, 0, n);
    this.len += n;
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
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function writeValue(out: ByteSink, v: RedisValue): void {
  if (typeof v === 'string') {
    out.byte(RDB_TYPE_STRING);
    return;
  }
  switch (v.kind) {
    case 'string':
      out.byte(RDB_TYPE_STRING);
      return;
    case 'list':
      out.byte(RDB_TYPE_LIST);
      return;
    case 'set':
      out.byte(RDB_TYPE_SET);
      return;
    case 'hash':
      out.byte(RDB_TYPE_HASH);
      return;
    case 'zset':
      out.byte(RDB_TYPE_ZSET_2);
      return;
    default:
      throw new Error(`RDB: no encoding for ${v.kind} values yet`);
  }
}

function writeBody(out: ByteSink, v: RedisValue): void {
  if (typeof v === 'string') {
    out.string(v);
    return;
  }
  switch (v.kind) {
    case 'string':
      if (v instanceof ByteString) out.bytes(v.buf, v.len);
      else out.string(stringOf(v as unknown as string));
      return;
    case 'list': {
      const l = v as unknown as ListLike;
      out.length(l.length);
      l.forEach((s) => out.string(s));
      return;
    }
    case 'set': {
      const s = v as unknown as SetLike;
      out.length(s.size);
      s.forEach((m) => out.string(m));
      return;
    }
    case 'hash': {
      const h = v as unknown as HashLike;
      out.length(h.size);
      h.forEach((f, val) => {
        out.string(f);
        out.string(val);
      });
      return;
    }
    case 'zset': {
      const z = v as unknown as ZSetLike;
      out.length(z.size);
      z.forEach((m, score) => {
        out.string(m);
        out.doubleLE(score);
      });
      return;
    }
    default:
      throw new Error(`RDB: no encoding for ${v.kind} values yet`);
  }
}

/** Whether every value in the keyspace can be written (streams etc. come later). */
export function rdbSupports(v: RedisValue): boolean {
  return typeof v === 'string' || ['string', 'list', 'set', 'hash', 'zset'].includes(v.kind);
}

/** Serialise the whole keyspace as an RDB file. */
export function writeRdb(ks: Keyspace, usedMemory: number): Buffer {
  const out = new ByteSink();
  out.raw(`REDIS${RDB_VERSION}`);
  const aux = (k: string, v: string) => {
    out.byte(OPCODE_AUX);
    out.string(k);
    out.string(v);
  };
  aux('redis-ver', REDIS_VERSION);
  aux('redis-bits', '64');
  aux('ctime', String(Math.floor(Date.now() / 1000)));
  aux('used-mem', String(usedMemory));
  aux('aof-base', '0');
  for (const db of ks.dbs) {
    if (db.dict.size === 0) continue;
    out.byte(OPCODE_SELECTDB);
    out.length(db.id);
    out.byte(OPCODE_RESIZEDB);
    out.length(db.dict.size);
    out.length(db.expires.size);
    db.dict.forEach((key, value) => {
      const when = db.expires.size > 0 ? db.expires.get(key) : undefined;
      if (when !== undefined) {
        out.byte(OPCODE_EXPIRETIME_MS);
        out.int64LE(when);
      }
      writeValue(out, value);
      out.string(key);
      writeBody(out, value);
    });
  }
  out.byte(OPCODE_EOF);
  const body = out.result();
  return Buffer.concat([body, crc64LE(body)]);
}
