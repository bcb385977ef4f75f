/*
 * Bitmap commands: bits of string values, most significant bit of each byte
 * first, as Redis numbers them. Bitmaps are plain strings (a latin1 JS string
 * or a ByteString); writers (SETBIT, BITFIELD) turn the value into a
 * ByteString ("raw") and change it in place, growing it with zero bytes when
 * an offset lies beyond its end. Readers (BITCOUNT, BITPOS, BITFIELD GET and
 * BITOP's sources) never convert the stored value.
 *
 * Redis details kept on purpose:
 * - SETBIT and BITFIELD count a change (dirty, 'setbit' event, WATCH) only
 *   when a bit changed or the string was created or grown.
 * - BITCOUNT/BITPOS look the key up before validating their range
 *   arguments: a missing key answers 0 (BITPOS: 0 or -1) whatever follows.
 * - BITOP stores a "raw" string of the longest input's length, or deletes
 *   the destination when every input is empty or missing.
 * - BITFIELD parses and validates every operation before touching the key;
 *   with only GETs it never creates the key.
 * The bit arithmetic itself lives in src/types/bitops.ts.
 */
import type { Client } from '../server/client';
import type { Database } from '../keyspace/database';
import type { HandlerMap } from '../command-model/table';
import { ByteString, isStringValue, stringLength, type StringValue, WRONGTYPE } from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify-flags';
import { parseBigInteger, parseInteger } from '../util/numbers';
import { intArg, isWord } from '../command-model/args';
import {
  bytesOf, findBit, fitBig, fitNumber, OVERFLOW_FAIL, OVERFLOW_SAT, OVERFLOW_WRAP, popcount32, popcountValue,
  readBits, readBitsBig, toSigned, toSignedBig, toUnsigned, toUnsignedBig, writeBits, writeBitsBig,
} from '../types/bitops';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/**
 * getBitOffsetFromArgument: a non-negative bit offset whose byte lies below
 * proto-max-bulk-len; with `bits` > 0 the "#N" form means N * bits. Null
 * after replying.
 */
function bitOffsetArg(c: Client, s: string, bits = 0): number | null {
  const hash = bits > 0 && s.charCodeAt(0) === 35; // '#'
  let v = parseInteger(hash ? s.slice(1) : s);
  if (v !== null && hash) v *= bits;
  if (v === null || v < 0 || Math.floor(v / 8) >= c.server.config.protoMaxBulkLen) {
    c.error(ERR_BIT_OFFSET);
    return null;
  }
  return v;
}

/**
 * lookupStringForBitCommand: the key's value as a ByteString covering byte
 * `lastByte`, created or grown with zero bytes as needed. Returns null after
 * a WRONGTYPE reply. `grown` tells whether the key was created or lengthened.
 */
let grown = false;
function writableBits(c: Client, db: Database, key: string, lastByte: number): ByteString | null {
  const o = db.lookupWrite(key);
  if (o === undefined) {
    const b = new ByteString('', lastByte + 1);
    b.ensureLength(lastByte + 1);
    db.add(key, b);
    grown = true;
    return b;
  }
  if (!isStringValue(o)) {
    c.error(WRONGTYPE);
    return null;
  }
  let b: ByteString;
  if (typeof o === 'string') {
    // unshare without signalling: nothing has changed yet
    b = new ByteString(o, Math.max(o.length, lastByte + 1));
    db.dict.set(key, b);
  } else b = o;
  const before = b.len;
  b.ensureLength(lastByte + 1);
  grown = b.len !== before;
  return b;
}

function setbit(c: Client, argv: string[]): void {
  const key = argv[1];
  const offset = bitOffsetArg(c, argv[2]);
  if (offset === null) return;
  const on = argv[3];
  if (on !== '0' && on !== '1') {
    c.error('ERR bit is not an integer or out of range');
    return;
  }
  const db = c.db;
  const byte = Math.floor(offset / 8);
  const b = writableBits(c, db, key, byte);
  if (b === null) return;
  const mask = 1 << (7 - (offset & 7));
  const old = (b.buf[byte] & mask) !== 0 ? 1 : 0;
  if (grown || old !== (on === '1' ? 1 : 0)) {
    if (on === '1') b.buf[byte] |= mask;
    else b.buf[byte] &= ~mask;
    const ks = c.server.keyspace;
    ks.signalModified(db, key);
    ks.notify(NOTIFY_STRING, 'setbit', key, db.id);
    ks.dirty++;
  }
  c.reply.int(old);
}

function getbit(c: Client, argv: string[]): void {
  const offset = bitOffsetArg(c, argv[2]);
  if (offset === null) return;
  const o = c.db.lookupRead(argv[1]);
  if (o === undefined) {
    c.reply.int(0);
    return;
  }
  if (!isStringValue(o)) {
    c.error(WRONGTYPE);
    return;
  }
  c.reply.int(readBits(typeof o === 'string' ? o : o.buf, stringLength(o), offset, 1));
}

/** The string value at key for a reader: undefined when missing, null after a WRONGTYPE reply. */
function readString(c: Client, key: string): StringValue | undefined | null {
  const o = c.db.lookupRead(key);
  if (o === undefined) return undefined;
  if (!isStringValue(o)) {
    c.error(WRONGTYPE);
    return null;
  }
  return o;
}

/** BYTE|BIT unit argument: 1 for BIT, 0 for BYTE, -1 after a syntax error reply. */
function unitArg(c: Client, s: string): number {
  if (isWord(s, 'bit')) return 1;
  if (isWord(s, 'byte')) return 0;
  c.syntaxError();
  return -1;
}

/*
 * Range normalisation shared by BITCOUNT and BITPOS, as Redis does it:
 * negative indexes count from the end, both ends are clamped into the
 * string (in bytes, or bits in BIT mode). Results go to rangeStart/rangeEnd.
 */
let rangeStart = 0;
let rangeEnd = 0;
function normaliseRange(start: number, end: number, total: number): void {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  rangeStart = start;
  rangeEnd = end;
}

function bitcount(c: Client, argv: string[]): void {
  const o = readString(c, argv[1]);
  if (o === undefined) {
    c.reply.int(0);
    return;
  }
  if (o === null) return;
  const len = stringLength(o);
  const argc = argv.length;
  if (argc === 2) {
    c.reply.int(popcountValue(o, 0, len));
    return;
  }
  if (argc !== 4 && argc !== 5) {
    c.syntaxError();
    return;
  }
  const start = intArg(c, argv[2]);
  if (start === null) return;
  const end = intArg(c, argv[3]);
  if (end === null) return;
  if (start < 0 && end < 0 && start > end) {
    c.reply.int(0);
    return;
  }
  const isBit = argc === 5 ? unitArg(c, argv[4]) : 0;
  if (isBit < 0) return;
  normaliseRange(start, end, isBit ? len * 8 : len);
  const s = rangeStart;
  const e = rangeEnd;
  if (s > e) {
    c.reply.int(0);
    return;
  }
  if (!isBit) {
    c.reply.int(popcountValue(o, s, e + 1));
    return;
  }
  // whole bytes, minus the bits of the first and last bytes outside the range
  const sb = Math.floor(s / 8);
  const eb = Math.floor(e / 8);
  let count = popcountValue(o, sb, eb + 1);
  const src = typeof o === 'string' ? o : o.buf;
  const head = s & 7;
  if (head !== 0) count -= popcount32(readBits(src, len, sb * 8, head));
  const tail = 7 - (e & 7);
  if (tail !== 0) count -= popcount32(readBits(src, len, e + 1, tail));
  c.reply.int(count);
}

function bitpos(c: Client, argv: string[]): void {
  const bitArg = intArg(c, argv[2]);
  if (bitArg === null) return;
  if (bitArg !== 0 && bitArg !== 1) {
    c.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  const bit = bitArg as 0 | 1;
  const o = readString(c, argv[1]);
  if (o === undefined) {
    c.reply.int(bit ? -1 : 0);
    return;
  }
  if (o === null) return;
  const len = stringLength(o);
  const argc = argv.length;
  let start = 0;
  let end = len - 1;
  let isBit = 0;
  let endGiven = false;
  if (argc >= 4 && argc <= 6) {
    const s = intArg(c, argv[3]);
    if (s === null) return;
    if (argc === 6) {
      isBit = unitArg(c, argv[5]);
      if (isBit < 0) return;
    }
    let e: number;
    if (argc >= 5) {
      const v = intArg(c, argv[4]);
      if (v === null) return;
      e = v;
      endGiven = true;
    } else e = len - 1;
    normaliseRange(s, e, isBit ? len * 8 : len);
    start = rangeStart;
    end = rangeEnd;
  } else if (argc !== 3) {
    c.syntaxError();
    return;
  }
  if (start > end) {
    c.reply.int(-1);
    return;
  }
  const startBit = isBit ? start : start * 8;
  const endBit = isBit ? end : end * 8 + 7;
  const pos = findBit(bytesOf(o), startBit, endBit, bit);
  if (pos >= 0) c.reply.int(pos);
  // no clear bit: without an explicit end the string counts as zero padded
  else if (bit === 0 && !endGiven) c.reply.int(endBit + 1);
  else c.reply.int(-1);
}

const BITOP_AND = 0;
const BITOP_OR = 1;
const BITOP_XOR = 2;
const BITOP_NOT = 3;

function bitop(c: Client, argv: string[]): void {
  const name = argv[1];
  let op: number;
  if (isWord(name, 'and')) op = BITOP_AND;
  else if (isWord(name, 'or')) op = BITOP_OR;
  else if (isWord(name, 'xor')) op = BITOP_XOR;
  else if (isWord(name, 'not')) op = BITOP_NOT;
  else {
    c.syntaxError();
    return;
  }
  if (op === BITOP_NOT && argv.length !== 4) {
    c.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const dest = argv[2];
  const n = argv.length - 3;
  const sources: (StringValue | undefined)[] = new Array(n);
  let maxlen = 0;
  for (let i = 0; i < n; i++) {
    const o = readString(c, argv[3 + i]);
    if (o === null) return;
    sources[i] = o;
    if (o !== undefined) {
      const l = stringLength(o);
      if (l > maxlen) maxlen = l;
    }
  }
  const db = c.db;
  const ks = c.server.keyspace;
  if (maxlen === 0) {
    if (db.delete(dest)) {
      ks.notify(NOTIFY_GENERIC, 'del', dest, db.id);
      ks.dirty++;
    }
    c.reply.int(0);
    return;
  }
  const res = new ByteString('', maxlen);
  res.ensureLength(maxlen); // zero filled
  const out = res.buf;
  const first = sources[0];
  if (first !== undefined) {
    if (typeof first === 'string') out.write(first, 0, first.length, 'latin1');
    else first.buf.copy(out, 0, 0, first.len);
  }
  if (op === BITOP_NOT) {
    combine(BITOP_NOT, out, out, maxlen);
  } else {
    for (let i = 1; i < n; i++) {
      const o = sources[i];
      const l = o === undefined ? 0 : stringLength(o);
      if (l > 0) combine(op, out, bytesOf(o as StringValue), l);
      // past the end of a shorter input its bytes are zero
      if (op === BITOP_AND && l < maxlen) out.fill(0, l, maxlen);
    }
  }
  db.setKey(dest, res);
  ks.notify(NOTIFY_STRING, 'set', dest, db.id);
  ks.dirty++;
  c.reply.int(maxlen);
}

/** out[0..n) = out OP src (NOT: out = ~src), by 32-bit words when both are aligned. */
function combine(op: number, out: Buffer, src: Buffer, n: number): void {
  let i = 0;
  if (n >= 16 && (out.byteOffset & 3) === 0 && (src.byteOffset & 3) === 0) {
    const words = n >>> 2;
    const w = new Int32Array(out.buffer, out.byteOffset, words);
    const s = new Int32Array(src.buffer, src.byteOffset, words);
    if (op === BITOP_AND) for (let k = 0; k < words; k++) w[k] &= s[k];
    else if (op === BITOP_OR) for (let k = 0; k < words; k++) w[k] |= s[k];
    else if (op === BITOP_XOR) for (let k = 0; k < words; k++) w[k] ^= s[k];
    else for (let k = 0; k < words; k++) w[k] = ~s[k];
    i = words << 2;
  }
  if (op === BITOP_AND) for (; i < n; i++) out[i] &= src[i];
  else if (op === BITOP_OR) for (; i < n; i++) out[i] |= src[i];
  else if (op === BITOP_XOR) for (; i < n; i++) out[i] ^= src[i];
  else for (; i < n; i++) out[i] = ~src[i] & 0xff;
}

/* ------------------------------------------------------------------ BITFIELD */

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

interface FieldOp {
  op: number;
  offset: number;
  bits: number;
  signed: boolean;
  overflow: number;
  /** SET value or INCRBY increment; exact when big is null */
  value: number;
  /** the exact value when it is too large for the number path */
  big: bigint | null;
}

/** Largest magnitude of an argument kept on the number path (sums stay exact). */
const NUMBER_ARG_MAX = 2 ** 52;

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 as a signed width (negative = signed), 0 after replying. */
function fieldTypeArg(c: Client, s: string): number {
  const sign = s.charCodeAt(0);
  if (sign === 105 || sign === 117) {
    // 'i' | 'u'
    const bits = parseInteger(s.slice(1));
    if (bits !== null && bits >= 1 && bits <= (sign === 105 ? 64 : 63)) return sign === 105 ? -bits : bits;
  }
  c.error(ERR_BITFIELD_TYPE);
  return 0;
}

function bitfieldGeneric(c: Client, argv: string[], readonlyCommand: boolean): void {
  const ops: FieldOp[] = [];
  let overflow = OVERFLOW_WRAP;
  let readonly = true;
  let highestBit = 0;
  const argc = argv.length;
  for (let j = 2; j < argc; j++) {
    const remaining = argc - j - 1;
    const sub = argv[j];
    let op: number;
    if (isWord(sub, 'get') && remaining >= 2) op = OP_GET;
    else if (isWord(sub, 'set') && remaining >= 3) op = OP_SET;
    else if (isWord(sub, 'incrby') && remaining >= 3) op = OP_INCRBY;
    else if (isWord(sub, 'overflow') && remaining >= 1) {
      const t = argv[++j];
      if (isWord(t, 'wrap')) overflow = OVERFLOW_WRAP;
      else if (isWord(t, 'sat')) overflow = OVERFLOW_SAT;
      else if (isWord(t, 'fail')) overflow = OVERFLOW_FAIL;
      else {
        c.error('ERR Invalid OVERFLOW type specified');
        return;
      }
      continue;
    } else {
      c.syntaxError();
      return;
    }
    const type = fieldTypeArg(c, argv[j + 1]);
    if (type === 0) return;
    const bits = type < 0 ? -type : type;
    const offset = bitOffsetArg(c, argv[j + 2], bits);
    if (offset === null) return;
    let value = 0;
    let big: bigint | null = null;
    if (op !== OP_GET) {
      readonly = false;
      if (offset + bits - 1 > highestBit) highestBit = offset + bits - 1;
      const s = argv[j + 3];
      const v = intArg(c, s);
      if (v === null) return;
      value = v;
      if (!(v < NUMBER_ARG_MAX && v > -NUMBER_ARG_MAX)) big = parseBigInteger(s);
      j += 3;
    } else j += 2;
    ops.push({ op, offset, bits, signed: type < 0, overflow, value, big });
  }

  const db = c.db;
  const key = argv[1];
  let b: ByteString | null = null;
  let src: Buffer | string = '';
  let len = 0;
  let created = false;
  if (readonly) {
    const o = readString(c, key);
    if (o === null) return;
    if (o !== undefined) {
      src = typeof o === 'string' ? o : o.buf;
      len = stringLength(o);
    }
  } else {
    if (readonlyCommand) {
      c.error('ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    b = writableBits(c, db, key, Math.floor(highestBit / 8));
    if (b === null) return;
    created = grown;
  }

  let changes = 0;
  c.reply.arrayHeader(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const f = ops[i];
    if (b !== null) {
      // the string may have been grown: read it afresh
      src = b.buf;
      len = b.len;
    }
    if (f.op === OP_GET) {
      if (f.bits <= 32) {
        const u = readBits(src, len, f.offset, f.bits);
        c.reply.int(f.signed ? toSigned(u, f.bits) : u);
      } else {
        const u = readBitsBig(src, len, f.offset, f.bits);
        c.reply.int(f.signed ? toSignedBig(u, f.bits) : u);
      }
      continue;
    }
    const out = (b as ByteString).buf;
    const incr = f.op === OP_INCRBY;
    // a negative SET on an unsigned field is a huge unsigned number for Redis
    const high = !f.signed && !incr && (f.big !== null ? f.big < 0n : f.value < 0);
    if (f.bits <= 32 && f.big === null) {
      const u = readBits(out, len, f.offset, f.bits);
      const old = f.signed ? toSigned(u, f.bits) : u;
      const next = fitNumber(incr ? old + f.value : f.value, f.bits, f.signed, f.overflow, high);
      if (next === null) {
        c.reply.nullBulk();
        continue;
      }
      c.reply.int(incr ? next : old);
      writeBits(out, f.offset, f.bits, toUnsigned(next, f.bits));
      if (created || next !== old) changes++;
    } else {
      const wide = f.bits > 32;
      const u = wide ? readBitsBig(out, len, f.offset, f.bits) : BigInt(readBits(out, len, f.offset, f.bits));
      const old = f.signed ? toSignedBig(u, f.bits) : u;
      const arg = f.big !== null ? f.big : BigInt(f.value);
      const next = fitBig(incr ? old + arg : arg, f.bits, f.signed, f.overflow, high);
      if (next === null) {
        c.reply.nullBulk();
        continue;
      }
      c.reply.int(incr ? next : old);
      const nu = toUnsignedBig(next, f.bits);
      if (wide) writeBitsBig(out, f.offset, f.bits, nu);
      else writeBits(out, f.offset, f.bits, Number(nu));
      if (created || next !== old) changes++;
    }
  }
  if (changes > 0) {
    const ks = c.server.keyspace;
    ks.signalModified(db, key);
    ks.notify(NOTIFY_STRING, 'setbit', key, db.id);
    ks.dirty += changes;
  }
}

function bitfield(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

export const handlers: HandlerMap = { setbit, getbit, bitcount, bitpos, bitop, bitfield, bitfield_ro: bitfieldRo };
