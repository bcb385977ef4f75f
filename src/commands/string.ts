/*
 * String commands: GET/SET and their variants, the INCR family, range
 * commands (APPEND, GETRANGE, SETRANGE, STRLEN) and LCS, with Redis 7.0's
 * replies, errors, keyspace notifications and propagation.
 *
 * Values: a key set from a command argument keeps that argument (a latin1
 * JS string; OBJECT ENCODING derives int/embstr/raw from its content, like
 * Redis's tryObjectEncoding). APPEND and SETRANGE turn the value into a
 * ByteString (Redis's "raw", unshared sds) and then modify it in place, so
 * that repeated APPENDs are amortized O(1) as in Redis.
 *
 * Hot paths (GET, plain SET, INCR on small integers, MSET) allocate nothing
 * beyond what the reply needs: INCR uses JS numbers while operands and
 * result are within 2^53 and falls back to BigInt (exact 64-bit math with
 * Redis's overflow errors) otherwise.
 *
 * Propagation: where Redis rewrites the command for AOF/replicas (SET with
 * a relative TTL becomes SET ... PXAT, GETEX becomes PEXPIREAT/PERSIST/DEL,
 * GETDEL and GETSET become DEL and SET, INCRBYFLOAT becomes SET ... KEEPTTL)
 * the rewritten form is handed to keyspace.propagate().
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import {
  ByteString, isStringValue, stringOf, stringLength, WRONGTYPE,
  type RedisValue, type StringValue,
} from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify-flags';
import { ERR_NOT_INTEGER, ERR_NOT_FLOAT, intArg } from '../command-model/args';
import {
  parseInteger, parseBigInteger, INT64_MAX, INT64_MIN,
  parseLongDouble, addLongDouble, formatLongDoubleHuman, type LongDouble,
} from '../util/numbers';

const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
const ERR_MAX_SIZE = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/* ---------------------------------------------------------------- GET/SET */

function get(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.reply.nullBulk();
  else if (typeof v === 'string') c.reply.bulk(v);
  else if (v instanceof ByteString) c.reply.bulkBytes(v.buf, 0, v.len);
  else c.error(WRONGTYPE);
}

/** Reply with a string value (JS string or ByteString). */
function replyString(c: Client, v: StringValue): void {
  if (typeof v === 'string') c.reply.bulk(v);
  else c.reply.bulkBytes(v.buf, 0, v.len);
}

/**
 * getGenericCommand: reply with the value (or null). Returns false after a
 * WRONGTYPE error.
 */
function getGeneric(c: Client, key: string): boolean {
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.reply.nullBulk();
    return true;
  }
  if (!isStringValue(v)) {
    c.error(WRONGTYPE);
    return false;
  }
  replyString(c, v);
  return true;
}

// option flags of SET / GETEX (Redis's OBJ_* flags)
const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_PERSIST = 16;
const F_EX = 32;
const F_PX = 64;
const F_EXAT = 128;
const F_PXAT = 256;
const F_ANY_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

const COMMAND_SET = 0;
const COMMAND_GET = 1;

/** Parsed options; a module-level scratch object so parsing does not allocate. */
const opts = { flags: 0, expire: '' };

function lowerIs(s: string, word: string): boolean {
  return s.length === word.length && s.toLowerCase() === word;
}

/** parseExtendedStringArgumentsOrReply: false after replying with a syntax error. */
function parseStringOptions(c: Client, argv: string[], start: number, type: number): boolean {
  let flags = 0;
  opts.expire = '';
  for (let j = start; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j < argv.length - 1;
    if (opt.length <= 7) {
      const o = opt.toLowerCase();
      if (o === 'nx' && (flags & F_XX) === 0 && type === COMMAND_SET) {
        flags |= F_NX;
        continue;
      }
      if (o === 'xx' && (flags & F_NX) === 0 && type === COMMAND_SET) {
        flags |= F_XX;
        continue;
      }
      if (o === 'get' && type === COMMAND_SET) {
        flags |= F_GET;
        continue;
      }
      if (o === 'keepttl' && (flags & (F_PERSIST | F_ANY_EXPIRE)) === 0 && type === COMMAND_SET) {
        flags |= F_KEEPTTL;
        continue;
      }
      if (o === 'persist' && type === COMMAND_GET && (flags & (F_ANY_EXPIRE | F_KEEPTTL)) === 0) {
        flags |= F_PERSIST;
        continue;
      }
      if (hasNext && (flags & (F_KEEPTTL | F_PERSIST)) === 0) {
        let f = 0;
        if (o === 'ex') f = F_EX;
        else if (o === 'px') f = F_PX;
        else if (o === 'exat') f = F_EXAT;
        else if (o === 'pxat') f = F_PXAT;
        if (f !== 0 && (flags & (F_ANY_EXPIRE & ~f)) === 0) {
          flags |= f;
          opts.expire = argv[++j];
          continue;
        }
      }
    }
    c.syntaxError();
    return false;
  }
  opts.flags = flags;
  return true;
}

/**
 * getExpireMillisecondsOrReply: the absolute expire time in ms for an
 * EX/PX/EXAT/PXAT argument, or null after replying with an error.
 */
function expireMillis(c: Client, arg: string, flags: number): number | null {
  const v = intArg(c, arg);
  if (v === null) return null;
  const seconds = (flags & (F_EX | F_EXAT)) !== 0;
  const relative = (flags & (F_EX | F_PX)) !== 0;
  const now = relative ? c.server.clock.now() : 0;
  if (v <= 0) return invalidExpire(c);
  if (v <= MAX_SAFE / 1000 || (!seconds && v <= MAX_SAFE)) {
    const ms = seconds ? v * 1000 : v;
    if (!relative) return ms;
    if (ms <= MAX_SAFE - now) return ms + now;
  }
  // large values: exact 64-bit checks as Redis does them
  let big = BigInt(arg);
  if (seconds) {
    if (big > INT64_MAX / 1000n) return invalidExpire(c);
    big *= 1000n;
  }
  if (relative) {
    big += BigInt(now);
    if (big > INT64_MAX) return invalidExpire(c);
  }
  return Number(big);
}

function invalidExpire(c: Client): null {
  c.error(`ERR invalid expire time in '${c.cmd ? c.cmd.fullName : ''}' command`);
  return null;
}

function set(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const ks = c.server.keyspace;
  if (argv.length === 3) {
    // plain SET: the hot path (lazy expiry first, as lookupKeyWrite does)
    if (db.expires.size > 0) db.expireIfNeeded(key);
    db.setKey(key, argv[2]);
    ks.dirty++;
    ks.notify(NOTIFY_STRING, 'set', key, db.id);
    c.reply.ok();
    return;
  }
  if (!parseStringOptions(c, argv, 3, COMMAND_SET)) return;
  setGeneric(c, opts.flags, key, argv[2], opts.expire, null, null);
}

/**
 * setGenericCommand. okReply/abortReply: null for +OK / null bulk,
 * otherwise the integer to reply (SETNX's 1/0).
 */
function setGeneric(
  c: Client, flags: number, key: string, value: string, expire: string,
  okReply: number | null, abortReply: number | null,
): void {
  const db = c.db;
  const ks = c.server.keyspace;
  let when = 0;
  if ((flags & F_ANY_EXPIRE) !== 0) {
    const ms = expireMillis(c, expire, flags);
    if (ms === null) return;
    when = ms;
  }
  if ((flags & F_GET) !== 0 && !getGeneric(c, key)) return;
  const found = db.lookupWrite(key) !== undefined;
  if (((flags & F_NX) !== 0 && found) || ((flags & F_XX) !== 0 && !found)) {
    if ((flags & F_GET) === 0) {
      if (abortReply === null) c.reply.nullBulk();
      else c.reply.int(abortReply);
    }
    return;
  }
  db.setKey(key, value, (flags & F_KEEPTTL) !== 0);
  ks.dirty++;
  ks.notify(NOTIFY_STRING, 'set', key, db.id);
  if ((flags & F_ANY_EXPIRE) !== 0) {
    db.setExpire(key, when);
    ks.propagate(db.id, ['SET', key, value, 'PXAT', String(when)]);
    ks.notify(NOTIFY_GENERIC, 'expire', key, db.id);
  }
  if ((flags & F_GET) === 0) {
    if (okReply === null) c.reply.ok();
    else c.reply.int(okReply);
  }
}

function setnx(c: Client, argv: string[]): void {
  setGeneric(c, F_NX, argv[1], argv[2], '', 1, 0);
}

function setex(c: Client, argv: string[]): void {
  setGeneric(c, F_EX, argv[1], argv[3], argv[2], null, null);
}

function psetex(c: Client, argv: string[]): void {
  setGeneric(c, F_PX, argv[1], argv[3], argv[2], null, null);
}

function getex(c: Client, argv: string[]): void {
  if (!parseStringOptions(c, argv, 2, COMMAND_GET)) return;
  const flags = opts.flags;
  const expire = opts.expire;
  const key = argv[1];
  const db = c.db;
  const ks = c.server.keyspace;
  const v = db.lookupRead(key);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  if (!isStringValue(v)) {
    c.error(WRONGTYPE);
    return;
  }
  let when = 0;
  if ((flags & F_ANY_EXPIRE) !== 0) {
    const ms = expireMillis(c, expire, flags);
    if (ms === null) return;
    when = ms;
  }
  replyString(c, v);
  if ((flags & (F_EXAT | F_PXAT)) !== 0 && when <= c.server.clock.now() && !ks.isReplica) {
    db.delete(key);
    ks.propagate(db.id, [c.server.config.lazyfreeLazyExpire ? 'UNLINK' : 'DEL', key]);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
    ks.dirty++;
  } else if ((flags & F_ANY_EXPIRE) !== 0) {
    db.setExpire(key, when);
    ks.propagate(db.id, ['PEXPIREAT', key, String(when)]);
    ks.signalModified(db, key);
    ks.notify(NOTIFY_GENERIC, 'expire', key, db.id);
    ks.dirty++;
  } else if ((flags & F_PERSIST) !== 0) {
    if (db.removeExpire(key)) {
      ks.signalModified(db, key);
      ks.propagate(db.id, ['PERSIST', key]);
      ks.notify(NOTIFY_GENERIC, 'persist', key, db.id);
      ks.dirty++;
    }
  }
}

function getdel(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const v = db.lookupRead(key);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  if (!isStringValue(v)) {
    c.error(WRONGTYPE);
    return;
  }
  replyString(c, v);
  const ks = c.server.keyspace;
  db.delete(key);
  ks.propagate(db.id, [c.server.config.lazyfreeLazyUserDel ? 'UNLINK' : 'DEL', key]);
  ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
  ks.dirty++;
}

function getset(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  const db = c.db;
  const ks = c.server.keyspace;
  db.setKey(key, argv[2]);
  ks.notify(NOTIFY_STRING, 'set', key, db.id);
  ks.dirty++;
  ks.propagate(db.id, ['SET', key, argv[2]]);
}

function mget(c: Client, argv: string[]): void {
  const db = c.db;
  c.reply.arrayHeader(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]);
    if (v === undefined) c.reply.nullBulk();
    else if (typeof v === 'string') c.reply.bulk(v);
    else if (v instanceof ByteString) c.reply.bulkBytes(v.buf, 0, v.len);
    else c.reply.nullBulk();
  }
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    c.arityError();
    return;
  }
  const db = c.db;
  const ks = c.server.keyspace;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.lookupWrite(argv[j]) !== undefined) {
        c.reply.int(0);
        return;
      }
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    if (db.expires.size > 0) db.expireIfNeeded(argv[j]);
    db.setKey(argv[j], argv[j + 1]);
    ks.notify(NOTIFY_STRING, 'set', argv[j], db.id);
  }
  ks.dirty += (argv.length - 1) / 2;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

function mset(c: Client, argv: string[]): void {
  msetGeneric(c, argv, false);
}

function msetnx(c: Client, argv: string[]): void {
  msetGeneric(c, argv, true);
}

/* ------------------------------------------------------------ INCR family */

/** the text the last fast-path increment stored, and its value (a string's content decides its value) */
let lastCounterText: string | null = null;
let lastCounterValue = 0;

/**
 * incrDecrCommand. `incr` is a JS number when the increment is within 2^53,
 * otherwise a bigint (exact 64-bit path).
 */
function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const db = c.db;
  const ks = c.server.keyspace;
  // lookupWrite by hand, keeping the entry id so the new value is stored without hashing again
  if (db.expires.size > 0) db.expireIfNeeded(key);
  const dict = db.dict;
  const id = dict.find(key);
  let cur = 0;
  let curStr: string | null = null;
  if (id >= 0) {
    ks.touchEntry(dict, id);
    const o = dict.valueAt(id);
    if (typeof o === 'string') curStr = o;
    else if (o instanceof ByteString) curStr = o.toString();
    else {
      c.error(WRONGTYPE);
      return;
    }
    // a counter incremented again holds the text the last increment stored: its value is known
    const p = curStr === lastCounterText ? lastCounterValue : parseInteger(curStr);
    if (p === null) {
      c.error(ERR_NOT_INTEGER);
      return;
    }
    cur = p;
  }
  let out: string;
  if (typeof incr === 'number' && cur <= MAX_SAFE && cur >= -MAX_SAFE && cur + incr <= MAX_SAFE && cur + incr >= -MAX_SAFE) {
    // fast path: exact in doubles, no overflow possible
    const res = cur + incr;
    out = String(res);
    lastCounterText = out;
    lastCounterValue = res;
    storeCounter(c, key, id, out);
    c.reply.intText(out);
    return;
  }
  const a = curStr === null ? 0n : (parseBigInteger(curStr) as bigint);
  const b = typeof incr === 'bigint' ? incr : BigInt(incr);
  if ((b < 0n && a < 0n && b < INT64_MIN - a) || (b > 0n && a > 0n && b > INT64_MAX - a)) {
    c.error(ERR_OVERFLOW);
    return;
  }
  const res = a + b;
  out = res.toString();
  storeCounter(c, key, id, out);
  c.reply.int(res);
}

/** Store the new value of a counter (entry id, or -1 when the key is new), TTL kept. */
function storeCounter(c: Client, key: string, id: number, out: string): void {
  const db = c.db;
  const ks = c.server.keyspace;
  if (id < 0) db.add(key, out);
  else {
    db.dict.setValueAt(id, out);
    ks.signalModified(db, key);
  }
  ks.notify(NOTIFY_STRING, 'incrby', key, db.id);
  ks.dirty++;
}

/** An increment argument: a number within 2^53, a bigint beyond, or null after replying. */
function incrementArg(c: Client, s: string): number | bigint | null {
  const v = intArg(c, s);
  if (v === null) return null;
  if (v > MAX_SAFE || v < -MAX_SAFE) return parseBigInteger(s) as bigint;
  return v;
}

function incr(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], 1);
}

function decr(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], -1);
}

function incrby(c: Client, argv: string[]): void {
  const n = incrementArg(c, argv[2]);
  if (n === null) return;
  incrDecr(c, argv[1], n);
}

function decrby(c: Client, argv: string[]): void {
  const n = incrementArg(c, argv[2]);
  if (n === null) return;
  if (typeof n === 'bigint') {
    if (n === INT64_MIN) {
      c.error('ERR decrement would overflow');
      return;
    }
    incrDecr(c, argv[1], -n);
  } else {
    incrDecr(c, argv[1], n === 0 ? 0 : -n);
  }
}

const LD_ZERO: LongDouble = { neg: false, m: 0n, e: 0, inf: false };

function incrbyfloat(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const ks = c.server.keyspace;
  const o = db.lookupWrite(key);
  let cur: LongDouble | null = LD_ZERO;
  if (o !== undefined) {
    if (!isStringValue(o)) {
      c.error(WRONGTYPE);
      return;
    }
    cur = parseLongDouble(stringOf(o));
  }
  const inc = cur === null ? null : parseLongDouble(argv[2]);
  if (cur === null || inc === null) {
    c.error(ERR_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(cur, inc);
  if (sum.inf) {
    c.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const out = formatLongDoubleHuman(sum);
  if (o === undefined) db.add(key, out);
  else db.overwrite(key, out);
  ks.notify(NOTIFY_STRING, 'incrbyfloat', key, db.id);
  ks.dirty++;
  c.reply.bulk(out);
  ks.propagate(db.id, ['SET', key, out, 'KEEPTTL']);
}

/* ------------------------------------------------------- ranges, APPEND... */

/** checkStringLength: false after replying when size + append exceeds proto-max-bulk-len. */
function checkStringLength(c: Client, size: number, append: number): boolean {
  if (size + append > c.server.config.protoMaxBulkLen) {
    c.error(ERR_MAX_SIZE);
    return false;
  }
  return true;
}

/** dbUnshareStringValue: make the value of key a ByteString we may modify in place. */
export function unshare(c: Client, key: string, v: StringValue, extra: number): ByteString {
  if (typeof v !== 'string') return v;
  const b = new ByteString(v, v.length + extra);
  c.db.overwrite(key, b);
  return b;
}

function append(c: Client, argv: string[]): void {
  const key = argv[1];
  const add = argv[2];
  const db = c.db;
  const ks = c.server.keyspace;
  const o = db.lookupWrite(key);
  let total: number;
  if (o === undefined) {
    db.add(key, add);
    total = add.length;
  } else {
    if (!isStringValue(o)) {
      c.error(WRONGTYPE);
      return;
    }
    const len = stringLength(o);
    if (!checkStringLength(c, len, add.length)) return;
    const b = unshare(c, key, o, add.length);
    b.append(add);
    total = b.len;
    ks.signalModified(db, key);
  }
  ks.notify(NOTIFY_STRING, 'append', key, db.id);
  ks.dirty++;
  c.reply.int(total);
}

function strlen(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.reply.int(0);
  else if (!isStringValue(v)) c.error(WRONGTYPE);
  else c.reply.int(stringLength(v));
}

function getrange(c: Client, argv: string[]): void {
  let start = intArg(c, argv[2]);
  if (start === null) return;
  let end = intArg(c, argv[3]);
  if (end === null) return;
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.reply.bulk('');
    return;
  }
  if (!isStringValue(v)) {
    c.error(WRONGTYPE);
    return;
  }
  const len = stringLength(v);
  if (start < 0 && end < 0 && start > end) {
    c.reply.bulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) {
    c.reply.bulk('');
    return;
  }
  if (typeof v === 'string') c.reply.bulk(start === 0 && end === len - 1 ? v : v.slice(start, end + 1));
  else c.reply.bulkBytes(v.buf, start, end + 1);
}

function setrange(c: Client, argv: string[]): void {
  const key = argv[1];
  const value = argv[3];
  const offset = intArg(c, argv[2]);
  if (offset === null) return;
  if (offset < 0) {
    c.error('ERR offset is out of range');
    return;
  }
  const db = c.db;
  const ks = c.server.keyspace;
  const o = db.lookupWrite(key);
  let b: ByteString;
  if (o === undefined) {
    if (value.length === 0) {
      c.reply.int(0);
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    b = new ByteString('', offset + value.length);
    db.add(key, b);
  } else {
    if (!isStringValue(o)) {
      c.error(WRONGTYPE);
      return;
    }
    const olen = stringLength(o);
    if (value.length === 0) {
      c.reply.int(olen);
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    b = unshare(c, key, o, Math.max(0, offset + value.length - olen));
  }
  b.ensureLength(offset + value.length);
  b.buf.write(value, offset, 'latin1');
  ks.signalModified(db, key);
  ks.notify(NOTIFY_STRING, 'setrange', key, db.id);
  ks.dirty++;
  c.reply.int(b.len);
}

/* -------------------------------------------------------------------- LCS */

function lcs(c: Client, argv: string[]): void {
  const db = c.db;
  const oa: RedisValue | undefined = db.lookupRead(argv[1]);
  const ob: RedisValue | undefined = db.lookupRead(argv[2]);
  if ((oa !== undefined && !isStringValue(oa)) || (ob !== undefined && !isStringValue(ob))) {
    c.error('ERR The specified keys must contain string values');
    return;
  }
  const a = oa === undefined ? '' : stringOf(oa as StringValue);
  const b = ob === undefined ? '' : stringOf(ob as StringValue);
  let getlen = false;
  let getidx = false;
  let withmatchlen = false;
  let minmatchlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const moreargs = argv.length - 1 - j;
    if (opt === 'idx') getidx = true;
    else if (opt === 'len') getlen = true;
    else if (opt === 'withmatchlen') withmatchlen = true;
    else if (opt === 'minmatchlen' && moreargs > 0) {
      const n = intArg(c, argv[j + 1]);
      if (n === null) return;
      minmatchlen = n < 0 ? 0 : n;
      j++;
    } else {
      c.syntaxError();
      return;
    }
  }
  if (getidx && getlen) {
    c.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const alen = a.length;
  const blen = b.length;
  if (alen >= 0xfffffffe || blen >= 0xfffffffe) {
    c.error('ERR String too long for LCS');
    return;
  }
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > c.server.config.protoMaxBulkLen) {
    c.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    c.error('ERR Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  const w = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) table[row + j] = table[prev + j - 1] + 1;
      else {
        const l1 = table[prev + j];
        const l2 = table[row + j - 1];
        table[row + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = table[alen * w + blen];
  let idx = total;
  const computelcs = getidx || !getlen;
  const result: number[] = computelcs ? new Array<number>(total) : [];
  // ranges are collected first: the reply needs their count up front
  const ranges: number[] = [];
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computelcs && i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const l1 = table[(i - 1) * w + j];
      const l2 = table[i * w + j - 1];
      if (l1 > l2) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getidx && (minmatchlen === 0 || matchLen >= minmatchlen)) {
        ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      }
      aStart = alen;
    }
  }
  if (getidx) {
    const r = c.reply;
    r.mapHeader(2);
    r.bulk('matches');
    const n = ranges.length / 5;
    r.arrayHeader(n);
    for (let k = 0; k < ranges.length; k += 5) {
      r.arrayHeader(withmatchlen ? 3 : 2);
      r.arrayHeader(2);
      r.int(ranges[k]);
      r.int(ranges[k + 1]);
      r.arrayHeader(2);
      r.int(ranges[k + 2]);
      r.int(ranges[k + 3]);
      if (withmatchlen) r.int(ranges[k + 4]);
    }
    r.bulk('len');
    r.int(total);
  } else if (getlen) {
    c.reply.int(idx);
  } else {
    c.reply.bulk(bytesToLatin1(result));
  }
}

function bytesToLatin1(codes: number[]): string {
  let s = '';
  const CHUNK = 8192;
  for (let k = 0; k < codes.length; k += CHUNK) {
    s += String.fromCharCode.apply(null, codes.slice(k, k + CHUNK));
  }
  return s;
}

export const handlers: HandlerMap = {
  get, set, setnx, setex, psetex, getex, getdel, getset, mget, mset, msetnx,
  incr, decr, incrby, decrby, incrbyfloat,
  append, strlen, getrange, substr: getrange, setrange, lcs,
};
