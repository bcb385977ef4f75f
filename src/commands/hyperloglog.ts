/*
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST, with
 * Redis 7.0's replies, errors, notifications and dirty counts.
 *
 * HLLs are plain strings in Redis's byte layout (src/types/hyperloglog.ts).
 * A command that may modify one first turns the value into a ByteString
 * ("raw", like dbUnshareStringValue) and then edits its bytes in place, so
 * PFADD of one element allocates nothing once the HLL exists.
 *
 * Write semantics as in Redis:
 * - PFADD: key created even without elements; when something changed,
 *   signal + 'pfadd' event + dirty += number of changes, cache invalidated.
 * - PFCOUNT of one key stores the computed estimate in the header cache:
 *   that modifies the string, so it signals the key and counts one dirty
 *   change (the command is then propagated), without an event.
 * - PFMERGE: destination created if missing, made dense when any input is
 *   dense; 'pfadd' event (Redis 7.0 sends that name for PFMERGE).
 * - PFDEBUG GETREG/TODENSE converting a sparse HLL count one dirty change.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { ByteString, isStringValue, stringLength, WRONGTYPE, type RedisValue, type StringValue } from '../keyspace/values';
import { NOTIFY_STRING } from '../keyspace/notify-flags';
import { unshare } from './string';
import { bytesOf } from '../types/bitops';
import {
  HLL_DENSE, HLL_REGISTERS, HLL_HDR_SIZE, HLL_DENSE_SIZE, HLL_SPARSE, HLL_EMPTY_LEN, CARD_OVERFLOW,
  createHll, isHllHeader, isCacheValid, invalidateCache, hllAdd, hllCount, rawCount,
  hllMerge, sparseSet, denseSet, sparseToDense, readCachedCard, writeCachedCard, denseGet,
  denseWriteRegister, decodeSparse, type HllBuffer,
} from '../types/hyperloglog';

const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_INVALID = 'INVALIDOBJ Corrupted HLL object detected';
const LLONG_MIN = -9223372036854775808n;

/** registers, one per byte, for unions (PFCOUNT of several keys, PFMERGE) */
const maxRegs = new Uint8Array(HLL_REGISTERS);

/**
 * isHLLObjectOrReply: the value's bytes (its first stringLength(v)) when it
 * is a string with a valid HLL header, else null after replying WRONGTYPE
 * (either flavour). For a JS string the bytes are bitops' shared scratch
 * copy: use them before the next call.
 */
function hllOrReply(c: Client, v: RedisValue): Buffer | null {
  if (!isStringValue(v)) {
    c.error(WRONGTYPE);
    return null;
  }
  const b = bytesOf(v);
  if (!isHllHeader(b, stringLength(v))) {
    c.error(ERR_NOT_HLL);
    return null;
  }
  return b;
}

/**
 * maxRegs = the union of the registers of the HLLs at argv[1..]
 * (missing keys count as empty). Returns 1 when one of them is dense, 0
 * when none is, -1 after an error reply.
 */
function unionOf(c: Client, argv: string[]): number {
  maxRegs.fill(0);
  let dense = 0;
  for (let j = 1; j < argv.length; j++) {
    const o = c.db.lookupRead(argv[j]);
    if (o === undefined) continue;
    const b = hllOrReply(c, o);
    if (b === null) return -1;
    if (b[4] === HLL_DENSE) dense = 1;
    if (!hllMerge(maxRegs, b, stringLength(o as StringValue))) {
      c.error(ERR_INVALID);
      return -1;
    }
  }
  return dense;
}

function newHll(): ByteString {
  const b = new ByteString('', 0);
  b.buf = createHll();
  b.len = HLL_EMPTY_LEN;
  return b;
}

/** The value as an in-place editable ByteString, with room for a sparse edit. */
function writable(c: Client, key: string, v: StringValue): ByteString {
  if (typeof v !== 'string') return v;
  const extra = v.length === HLL_DENSE_SIZE ? 1 : 3;
  return unshare(c, key, v, extra);
}

function replyCard(c: Client, card: number | bigint): void {
  if (card === CARD_OVERFLOW) c.reply.int(LLONG_MIN);
  // above 2^53 a double prints in shortest form ("...950"): print its exact integer
  else if (typeof card === 'number' && card > Number.MAX_SAFE_INTEGER) c.reply.int(BigInt(card));
  else c.reply.int(card);
}

function pfadd(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const o = db.lookupWrite(key);
  let h: ByteString;
  let updated = 0;
  if (o === undefined) {
    h = newHll();
    db.add(key, h);
    updated++;
  } else {
    if (hllOrReply(c, o) === null) return;
    h = writable(c, key, o as StringValue);
  }
  const maxBytes = c.server.config.hllSparseMaxBytes;
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j], maxBytes);
    if (r === 1) updated++;
    else if (r < 0) {
      c.error(ERR_INVALID);
      return;
    }
  }
  if (updated > 0) {
    const ks = c.server.keyspace;
    ks.signalModified(db, key);
    ks.notify(NOTIFY_STRING, 'pfadd', key, db.id);
    ks.dirty += updated;
    invalidateCache(h.buf);
  }
  c.reply.int(updated > 0 ? 1 : 0);
}

function pfcount(c: Client, argv: string[]): void {
  const db = c.db;
  if (argv.length > 2) {
    if (unionOf(c, argv) >= 0) replyCard(c, rawCount(maxRegs));
    return;
  }
  const key = argv[1];
  const o = db.lookupRead(key);
  if (o === undefined) {
    c.reply.int(0);
    return;
  }
  if (hllOrReply(c, o) === null) return;
  const h = writable(c, key, o as StringValue);
  if (isCacheValid(h.buf)) {
    c.reply.int(readCachedCard(h.buf));
    return;
  }
  const card = hllCount(h.buf, h.len);
  if (card === -2) {
    c.error(ERR_INVALID);
    return;
  }
  writeCachedCard(h.buf, card);
  c.server.keyspace.signalModified(db, key);
  c.server.keyspace.dirty++;
  replyCard(c, card);
}

function pfmerge(c: Client, argv: string[]): void {
  const useDense = unionOf(c, argv);
  if (useDense < 0) return;
  const db = c.db;
  const key = argv[1];
  const o = db.lookupWrite(key);
  let h: ByteString;
  if (o === undefined) {
    h = newHll();
    db.add(key, h);
  } else {
    // checked above as one of the inputs
    h = writable(c, key, o as StringValue);
  }
  if (useDense === 1 && !sparseToDense(h)) {
    c.error(ERR_INVALID);
    return;
  }
  const maxBytes = c.server.config.hllSparseMaxBytes;
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = maxRegs[j];
    if (v === 0) continue;
    if (h.buf[4] === HLL_DENSE) denseSet(h.buf, j, v);
    else sparseSet(h, j, v, maxBytes);
  }
  invalidateCache(h.buf);
  const ks = c.server.keyspace;
  ks.signalModified(db, key);
  ks.notify(NOTIFY_STRING, 'pfadd', key, db.id);
  ks.dirty++;
  c.reply.ok();
}

function pfdebug(c: Client, argv: string[]): void {
  const cmd = argv[1];
  const key = argv[2];
  const o = c.db.lookupWrite(key);
  if (o === undefined) {
    c.error('ERR The specified key does not exist');
    return;
  }
  if (hllOrReply(c, o) === null) return;
  const h = writable(c, key, o as StringValue);
  const sub = cmd.toLowerCase();
  if (sub === 'getreg') {
    if (h.buf[4] === HLL_SPARSE) {
      if (!sparseToDense(h)) {
        c.error(ERR_INVALID);
        return;
      }
      c.server.keyspace.dirty++;
    }
    c.reply.arrayHeader(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.reply.int(denseGet(h.buf, HLL_HDR_SIZE, j));
  } else if (sub === 'decode') {
    if (h.buf[4] !== HLL_SPARSE) {
      c.error('ERR HLL encoding is not sparse');
      return;
    }
    c.reply.bulk(decodeSparse(h.buf, h.len));
  } else if (sub === 'encoding') {
    c.reply.simple(h.buf[4] === HLL_DENSE ? 'dense' : 'sparse');
  } else if (sub === 'todense') {
    let conv = 0;
    if (h.buf[4] === HLL_SPARSE) {
      if (!sparseToDense(h)) {
        c.error(ERR_INVALID);
        return;
      }
      conv = 1;
      c.server.keyspace.dirty++;
    }
    c.reply.int(conv);
  } else {
    c.error(`ERR Unknown PFDEBUG subcommand '${cmd}'`);
  }
}

/**
 * PFSELFTEST: register packing (random values read back), then dense and
 * sparse HLLs fed the same 10M elements agree and stay within 6 standard
 * errors at each power of ten.
 */
function pfselftest(c: Client): void {
  const dense: HllBuffer = { buf: Buffer.alloc(HLL_DENSE_SIZE + 1), len: HLL_DENSE_SIZE };
  const reg = dense.buf;
  reg.write('HYLL', 0, 'latin1');
  const bytes = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      bytes[i] = r;
      denseWriteRegister(reg, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(reg, HLL_HDR_SIZE, i);
      if (v !== bytes[i]) {
        c.error(`TESTFAILED Register ${i} should be ${bytes[i]} but is ${v}`);
        return;
      }
    }
  }
  reg.fill(0, HLL_HDR_SIZE);
  const sparse: HllBuffer = { buf: createHll(), len: HLL_EMPTY_LEN };
  const maxBytes = c.server.config.hllSparseMaxBytes;
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = (Math.random() * 4294967296) >>> 0;
  const seedHi = (Math.random() * 4294967296) >>> 0;
  const ele = Buffer.alloc(8);
  ele.writeUInt32LE(seedHi, 4);
  let checkpoint = 1;
  for (let j = 1; j <= 10000000; j++) {
    ele.writeUInt32LE((j ^ seedLo) >>> 0, 0);
    const e = ele.toString('latin1');
    hllAdd(dense, e, maxBytes);
    hllAdd(sparse, e, maxBytes);
    if (j !== checkpoint) continue;
    if (j < maxBytes / 2 && sparse.buf[4] !== HLL_SPARSE) {
      c.error('TESTFAILED sparse encoding not used');
      return;
    }
    const card = hllCount(reg, HLL_DENSE_SIZE);
    if (card !== hllCount(sparse.buf, sparse.len)) {
      c.error('TESTFAILED dense/sparse disagree');
      return;
    }
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) {
      c.error(`TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`);
      return;
    }
    checkpoint *= 10;
  }
  c.reply.ok();
}

export const handlers: HandlerMap = { pfadd, pfcount, pfmerge, pfdebug, pfselftest };
