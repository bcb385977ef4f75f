/*
 * List commands (Redis 7.0): pushes and pops at both ends, indexed access,
 * ranges, LINSERT/LREM/LTRIM/LPOS, moves between lists, multi-key pops, and
 * the blocking variants (BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP).
 *
 * Each command follows its Redis 7.0 counterpart step by step, because the
 * order of argument parsing, key lookup and type check decides which error
 * (or null) a client sees: e.g. LRANGE parses its indexes before looking at
 * the key, LINDEX looks at the key first.
 *
 * Writes: pushes signal the key and send "lpush"/"rpush"; pops send
 * "lpop"/"rpop", and a list that becomes empty is deleted with a "del"
 * event, as Redis's listElementsRemoved(). `dirty` grows by the number of
 * elements changed.
 *
 * Propagation: where Redis rewrites the command for AOF/replicas, the
 * rewritten form goes to keyspace.propagate(): BLPOP/BRPOP served at once or
 * later become LPOP/RPOP key, LMPOP/BLMPOP become LPOP/RPOP key count,
 * BLMOVE becomes LMOVE and BRPOPLPUSH becomes RPOPLPUSH.
 *
 * Blocking: a blocking command that finds every key empty (or missing)
 * blocks through server.blocking with a handler. When a watched key is
 * modified, the handler's serve() looks at it again: a key that is not a
 * non-empty list is declined (the client keeps waiting, as when the key was
 * SET to a string); otherwise the client is served exactly as the
 * non-blocking command would have, and the effect is propagated. BLMOVE
 * into a destination of the wrong type replies WRONGTYPE and unblocks,
 * leaving the source intact, as Redis does. On timeout (or CLIENT UNBLOCK)
 * every blocking list command replies with a null array; inside MULTI or a
 * script they never block: null array for the pops, null bulk for the moves.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import type { Database } from '../keyspace/database';
import { WRONGTYPE, type RedisValue } from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/notify-flags';
import { ListValue } from '../types/list';
import { parseInteger, parseBigInteger, parseLongDouble } from '../util/numbers';
import { ERR_NOT_INTEGER } from '../command-model/args';

const ERR_NO_SUCH_KEY = 'ERR no such key';
const ERR_OUT_OF_RANGE = 'ERR index out of range';
const ERR_SYNTAX = 'ERR syntax error';

/* ------------------------------------------------------------- helpers */

function newList(c: Client): ListValue {
  const cfg = c.server.config;
  return new ListValue(cfg.listMaxListpackSize, cfg.listCompressDepth);
}

/** Apply the DEBUG QUICKLIST-PACKED-THRESHOLD knob before inserting elements. */
function syncThreshold(c: Client): void {
  ListValue.packedThreshold = c.server.debugKnobs.quicklistPackedThreshold;
}

/** getLongFromObjectOrReply: null after replying. */
function longArg(c: Client, s: string): number | null {
  const v = parseInteger(s);
  if (v === null) c.error(ERR_NOT_INTEGER);
  return v;
}

/** getRangeLongFromObjectOrReply(min..LONG_MAX) with a message: every failure replies "ERR <msg>". */
function positiveArg(c: Client, s: string, min: number, msg: string): number | null {
  const v = parseInteger(s);
  if (v === null || v < min) {
    c.error(`ERR ${msg}`);
    return null;
  }
  return v;
}

/** LEFT / RIGHT: true for LEFT (the head). null after a syntax error. */
function whereArg(c: Client, s: string): boolean | null {
  if (s.length === 4 && s.toLowerCase() === 'left') return true;
  if (s.length === 5 && s.toLowerCase() === 'right') return false;
  c.error(ERR_SYNTAX);
  return null;
}

/**
 * getTimeoutFromObjectOrReply in seconds: a long double, times 1000,
 * truncated to an integer (so 0.0001 means 0: wait forever); values that do
 * not fit in 64 bits end up negative, as in Redis. Returns ms, or null after
 * replying.
 */
function timeoutArg(c: Client, s: string): number | null {
  const ld = parseLongDouble(s);
  if (ld === null) {
    c.error('ERR timeout is not a float or out of range');
    return null;
  }
  let ms: number;
  if (ld.inf) ms = -1;
  else {
    const v = Number(ld.m) * 2 ** ld.e * 1000;
    ms = Math.trunc(ld.neg ? -v : v);
    if (!(Math.abs(ms) < 2 ** 63)) ms = -1;
  }
  if (ms < 0) {
    c.error('ERR timeout is negative');
    return null;
  }
  return ms;
}

/** The list at key or undefined; null after a WRONGTYPE error. */
function asList(c: Client, v: RedisValue | undefined): ListValue | undefined | null {
  if (v === undefined) return undefined;
  if (v instanceof ListValue) return v;
  c.error(WRONGTYPE);
  return null;
}

/**
 * listElementsRemoved: the pop event, deletion of an emptied list (with
 * "del"), the modification signal and dirty.
 */
function elementsRemoved(c: Client, db: Database, key: string, atHead: boolean, list: ListValue, count: number): void {
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_LIST, atHead ? 'lpop' : 'rpop', key, db.id);
  if (list.length === 0) {
    db.delete(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  ks.signalModified(db, key);
  ks.dirty += count;
}

/** addListRangeReply with Redis's index clamping. */
function replyRange(c: Client, list: ListValue, start: number, end: number, reverse: boolean): void {
  const llen = list.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    c.reply.emptyArray();
    return;
  }
  if (end >= llen) end = llen - 1;
  c.reply.arrayHeader(end - start + 1);
  list.writeRange(c.reply, start, end, reverse);
}

/** Pop up to count elements from one end, replying with them as an array (in pop order). Returns how many. */
function popRangeReply(c: Client, list: ListValue, atHead: boolean, count: number): number {
  const llen = list.length;
  const n = count > llen ? llen : count;
  c.reply.arrayHeader(n);
  if (atHead) {
    list.writeRange(c.reply, 0, n - 1, false);
    list.removeHead(n);
  } else {
    list.writeRange(c.reply, llen - n, llen - 1, true);
    list.removeTail(n);
  }
  return n;
}

/** listPopRangeAndReplyWithKey: [key, [elements]] then the removal bookkeeping. */
function popRangeWithKey(c: Client, db: Database, key: string, list: ListValue, atHead: boolean, count: number): number {
  c.reply.arrayHeader(2);
  c.reply.bulk(key);
  const n = popRangeReply(c, list, atHead, count);
  elementsRemoved(c, db, key, atHead, list, n);
  return n;
}

/* -------------------------------------------------------------- pushes */

function pushGeneric(c: Client, argv: string[], atHead: boolean, onlyExisting: boolean): void {
  const key = argv[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  let list: ListValue;
  if (v === undefined) {
    if (onlyExisting) {
      c.reply.int(0);
      return;
    }
    list = newList(c);
    db.add(key, list);
  } else if (v instanceof ListValue) {
    list = v;
  } else {
    c.error(WRONGTYPE);
    return;
  }
  syncThreshold(c);
  const n = argv.length;
  if (atHead) for (let j = 2; j < n; j++) list.pushHead(argv[j]);
  else for (let j = 2; j < n; j++) list.pushTail(argv[j]);
  const ks = c.server.keyspace;
  ks.dirty += n - 2;
  c.reply.int(list.length);
  ks.signalModified(db, key);
  ks.notify(NOTIFY_LIST, atHead ? 'lpush' : 'rpush', key, db.id);
}

/* ---------------------------------------------------------------- pops */

function popGeneric(c: Client, argv: string[], atHead: boolean): void {
  const hasCount = argv.length === 3;
  let count = 0;
  if (argv.length > 3) {
    c.arityError();
    return;
  }
  if (hasCount) {
    const n = positiveArg(c, argv[2], 0, 'value is out of range, must be positive');
    if (n === null) return;
    count = n;
  }
  const key = argv[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v === undefined) {
    if (hasCount) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (!(v instanceof ListValue)) {
    c.error(WRONGTYPE);
    return;
  }
  if (hasCount && count === 0) {
    c.reply.emptyArray();
    return;
  }
  if (!hasCount) {
    if (!v.writeIndex(c.reply, atHead ? 0 : -1)) {
      c.reply.nullBulk();
      return;
    }
    if (atHead) v.removeHead(1);
    else v.removeTail(1);
    elementsRemoved(c, db, key, atHead, v, 1);
    return;
  }
  const n = popRangeReply(c, v, atHead, count);
  elementsRemoved(c, db, key, atHead, v, n);
}

/* ----------------------------------------------------------- accessors */

function llen(c: Client, argv: string[]): void {
  const l = asList(c, c.db.lookupRead(argv[1]));
  if (l === null) return;
  c.reply.int(l === undefined ? 0 : l.length);
}

function lindex(c: Client, argv: string[]): void {
  const l = asList(c, c.db.lookupRead(argv[1]));
  if (l === null) return;
  if (l === undefined) {
    c.reply.nullBulk();
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  if (!l.writeIndex(c.reply, index)) c.reply.nullBulk();
}

function lrange(c: Client, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const l = asList(c, c.db.lookupRead(argv[1]));
  if (l === null) return;
  if (l === undefined) {
    c.reply.emptyArray();
    return;
  }
  replyRange(c, l, start, end, false);
}

function lpos(c: Client, argv: string[]): void {
  const ele = argv[2];
  let fromTail = false;
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'rank' && more > 0) {
      j++;
      const r = parseBigInteger(argv[j]);
      if (r === null) {
        c.error(ERR_NOT_INTEGER);
        return;
      }
      if (r === 0n) {
        c.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
        return;
      }
      rank = Number(r);
      fromTail = false;
      if (r === -9223372036854775808n) {
        // negating LONG_MIN leaves it negative in C: every match counts
        rank = -Infinity;
      }
    } else if (opt === 'count' && more > 0) {
      j++;
      const n = positiveArg(c, argv[j], 0, "COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (opt === 'maxlen' && more > 0) {
      j++;
      const n = positiveArg(c, argv[j], 0, "MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  if (rank < 0) {
    fromTail = true;
    rank = rank === -Infinity ? 1 : -rank;
  }
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    if (count !== -1) c.reply.emptyArray();
    else c.reply.nullBulk();
    return;
  }
  if (!(v instanceof ListValue)) {
    c.error(WRONGTYPE);
    return;
  }
  const found = v.positions(ele, fromTail, rank, count === -1 ? 1 : count, maxlen);
  if (count !== -1) {
    c.reply.arrayHeader(found.length);
    for (let i = 0; i < found.length; i++) c.reply.int(found[i]);
  } else if (found.length > 0) {
    c.reply.int(found[0]);
  } else {
    c.reply.nullBulk();
  }
}

/* ------------------------------------------------------- modifications */

function lset(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v === undefined) {
    c.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (!(v instanceof ListValue)) {
    c.error(WRONGTYPE);
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  syncThreshold(c);
  if (!v.set(index, argv[3])) {
    c.error(ERR_OUT_OF_RANGE);
    return;
  }
  c.reply.ok();
  const ks = c.server.keyspace;
  ks.signalModified(db, key);
  ks.notify(NOTIFY_LIST, 'lset', key, db.id);
  ks.dirty++;
}

function linsert(c: Client, argv: string[]): void {
  const w = argv[2].toLowerCase();
  let after: boolean;
  if (w === 'after') after = true;
  else if (w === 'before') after = false;
  else {
    c.error(ERR_SYNTAX);
    return;
  }
  const key = argv[1];
  const db = c.db;
  const l = asList(c, db.lookupWrite(key));
  if (l === null) return;
  if (l === undefined) {
    c.reply.int(0);
    return;
  }
  syncThreshold(c);
  if (!l.insert(argv[3], argv[4], after)) {
    c.reply.int(-1);
    return;
  }
  const ks = c.server.keyspace;
  ks.signalModified(db, key);
  ks.notify(NOTIFY_LIST, 'linsert', key, db.id);
  ks.dirty++;
  c.reply.int(l.length);
}

function lrem(c: Client, argv: string[]): void {
  const toRemove = longArg(c, argv[2]);
  if (toRemove === null) return;
  const key = argv[1];
  const db = c.db;
  const l = asList(c, db.lookupWrite(key));
  if (l === null) return;
  if (l === undefined) {
    c.reply.int(0);
    return;
  }
  const removed = l.remove(argv[3], toRemove);
  const ks = c.server.keyspace;
  ks.dirty += removed;
  if (removed > 0) {
    ks.signalModified(db, key);
    ks.notify(NOTIFY_LIST, 'lrem', key, db.id);
  }
  if (l.length === 0) {
    db.delete(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  c.reply.int(removed);
}

function ltrim(c: Client, argv: string[]): void {
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const db = c.db;
  const l = asList(c, db.lookupWrite(key));
  if (l === null) return;
  if (l === undefined) {
    c.reply.ok();
    return;
  }
  const llen = l.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  let ltrim: number;
  let rtrim: number;
  if (start > end || start >= llen) {
    ltrim = llen;
    rtrim = 0;
  } else {
    if (end >= llen) end = llen - 1;
    ltrim = start;
    rtrim = llen - end - 1;
  }
  l.removeHead(ltrim);
  l.removeTail(rtrim);
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_LIST, 'ltrim', key, db.id);
  if (l.length === 0) {
    db.delete(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  ks.signalModified(db, key);
  ks.dirty += ltrim + rtrim;
  c.reply.ok();
}

/* --------------------------------------------------------------- moves */

/** lmoveHandlePush: create the destination if needed, push, notify, reply with the value. */
function moveHandlePush(c: Client, db: Database, dstKey: string, dst: ListValue | undefined, value: string, toHead: boolean): void {
  const ks = c.server.keyspace;
  if (dst === undefined) {
    dst = newList(c);
    db.add(dstKey, dst);
  }
  ks.signalModified(db, dstKey);
  syncThreshold(c);
  dst.push(value, toHead);
  ks.notify(NOTIFY_LIST, toHead ? 'lpush' : 'rpush', dstKey, db.id);
  c.reply.bulk(value);
}

const MOVE_PLAIN = 0;
const MOVE_BLMOVE = 1;
const MOVE_BRPOPLPUSH = 2;

/** lmoveGenericCommand; `kind` says how a blocking variant is propagated. */
function moveGeneric(c: Client, src: string, dstKey: string, fromHead: boolean, toHead: boolean, kind: number): void {
  const db = c.db;
  const s = asList(c, db.lookupWrite(src));
  if (s === null) return;
  if (s === undefined || s.length === 0) {
    c.reply.nullBulk();
    return;
  }
  const d = asList(c, db.lookupWrite(dstKey));
  if (d === null) return;
  const value = s.pop(fromHead) as string;
  moveHandlePush(c, db, dstKey, d, value, toHead);
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_LIST, fromHead ? 'lpop' : 'rpop', src, db.id);
  if (s.length === 0) {
    db.delete(src);
    ks.notify(NOTIFY_GENERIC, 'del', src, db.id);
  }
  ks.signalModified(db, src);
  ks.dirty++;
  if (kind === MOVE_BLMOVE) ks.propagate(db.id, ['LMOVE', src, dstKey, fromHead ? 'LEFT' : 'RIGHT', toHead ? 'LEFT' : 'RIGHT']);
  else if (kind === MOVE_BRPOPLPUSH) ks.propagate(db.id, ['RPOPLPUSH', src, dstKey]);
}

function lmove(c: Client, argv: string[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  moveGeneric(c, argv[1], argv[2], from, to, MOVE_PLAIN);
}

/* ---------------------------------------------------- multi-key pops */

/** Parse [LB]MPOP's numkeys, keys, LEFT|RIGHT and COUNT. null after replying. */
function parseMpop(c: Client, argv: string[], numkeysIdx: number): { keys: string[]; atHead: boolean; count: number } | null {
  const numkeys = positiveArg(c, argv[numkeysIdx], 1, 'numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.error(ERR_SYNTAX);
    return null;
  }
  const atHead = whereArg(c, argv[whereIdx]);
  if (atHead === null) return null;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && more > 0 && argv[j].toLowerCase() === 'count') {
      j++;
      const n = positiveArg(c, argv[j], 1, 'count should be greater than 0');
      if (n === null) return null;
      count = n;
    } else {
      c.error(ERR_SYNTAX);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), atHead, count: count === -1 ? 1 : count };
}

function lmpop(c: Client, argv: string[]): void {
  const p = parseMpop(c, argv, 1);
  if (p === null) return;
  const db = c.db;
  for (const key of p.keys) {
    const l = asList(c, db.lookupWrite(key));
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    const n = popRangeWithKey(c, db, key, l, p.atHead, p.count);
    c.server.keyspace.propagate(db.id, [p.atHead ? 'LPOP' : 'RPOP', key, String(n)]);
    return;
  }
  c.reply.nullArray();
}

/* ------------------------------------------------------------ blocking */

/**
 * blockingPopGenericCommand for BLPOP/BRPOP (count -1) and BLMPOP (count
 * >= 1): serve from the first non-empty list, else block.
 */
function blockingPop(c: Client, keys: string[], atHead: boolean, timeoutStr: string, count: number): void {
  const timeout = timeoutArg(c, timeoutStr);
  if (timeout === null) return;
  const db = c.db;
  const ks = c.server.keyspace;
  for (const key of keys) {
    const l = asList(c, db.lookupWrite(key));
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    if (count !== -1) {
      const n = popRangeWithKey(c, db, key, l, atHead, count);
      ks.propagate(db.id, [atHead ? 'LPOP' : 'RPOP', key, String(n)]);
      return;
    }
    c.reply.arrayHeader(2);
    c.reply.bulk(key);
    c.reply.bulk(l.pop(atHead) as string);
    elementsRemoved(c, db, key, atHead, l, 1);
    ks.propagate(db.id, [atHead ? 'LPOP' : 'RPOP', key]);
    return;
  }
  if (c.denyBlocking) {
    c.reply.nullArray();
    return;
  }
  c.server.blocking.block(c, db, keys, timeout, {
    serve(key: string): boolean {
      const bdb = c.db;
      const v = bdb.peek(key);
      if (!(v instanceof ListValue) || v.length === 0) return false;
      if (count !== -1) {
        const llen = v.length;
        ks.propagate(bdb.id, [atHead ? 'LPOP' : 'RPOP', key, String(count > llen ? llen : count)]);
        popRangeWithKey(c, bdb, key, v, atHead, count);
        return true;
      }
      ks.propagate(bdb.id, [atHead ? 'LPOP' : 'RPOP', key]);
      const value = v.pop(atHead) as string;
      c.reply.arrayHeader(2);
      c.reply.bulk(key);
      c.reply.bulk(value);
      ks.notify(NOTIFY_LIST, atHead ? 'lpop' : 'rpop', key, bdb.id);
      if (v.length === 0) {
        bdb.delete(key);
        ks.notify(NOTIFY_GENERIC, 'del', key, bdb.id);
      }
      ks.dirty++;
      return true;
    },
    timeout(): void {
      c.reply.nullArray();
    },
  });
}

function blpopGeneric(c: Client, argv: string[], atHead: boolean): void {
  blockingPop(c, argv.slice(1, argv.length - 1), atHead, argv[argv.length - 1], -1);
}

function blmpop(c: Client, argv: string[]): void {
  const p = parseMpop(c, argv, 2);
  if (p === null) return;
  blockingPop(c, p.keys, p.atHead, argv[1], p.count);
}

/** blmoveGenericCommand (BLMOVE and BRPOPLPUSH). */
function blockingMove(c: Client, src: string, dstKey: string, fromHead: boolean, toHead: boolean, timeout: number, kind: number): void {
  const db = c.db;
  const s = asList(c, db.lookupWrite(src));
  if (s === null) return;
  if (s !== undefined && s.length > 0) {
    moveGeneric(c, src, dstKey, fromHead, toHead, kind);
    return;
  }
  if (c.denyBlocking) {
    c.reply.nullBulk();
    return;
  }
  const ks = c.server.keyspace;
  c.server.blocking.block(c, db, [src], timeout, {
    serve(key: string): boolean {
      const bdb = c.db;
      const v = bdb.peek(key);
      if (!(v instanceof ListValue) || v.length === 0) return false;
      const dv = bdb.lookupWrite(dstKey);
      if (dv !== undefined && !(dv instanceof ListValue)) {
        // the destination holds another type: the client gets the error, the source is left alone
        c.error(WRONGTYPE);
        return true;
      }
      const value = v.pop(fromHead) as string;
      moveHandlePush(c, bdb, dstKey, dv, value, toHead);
      if (kind === MOVE_BRPOPLPUSH) ks.propagate(bdb.id, ['RPOPLPUSH', key, dstKey]);
      else ks.propagate(bdb.id, ['LMOVE', key, dstKey, fromHead ? 'LEFT' : 'RIGHT', toHead ? 'LEFT' : 'RIGHT']);
      ks.notify(NOTIFY_LIST, fromHead ? 'lpop' : 'rpop', key, bdb.id);
      if (v.length === 0) {
        bdb.delete(key);
        ks.notify(NOTIFY_GENERIC, 'del', key, bdb.id);
      }
      ks.dirty++;
      return true;
    },
    timeout(): void {
      c.reply.nullArray();
    },
  });
}

function blmove(c: Client, argv: string[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  const timeout = timeoutArg(c, argv[5]);
  if (timeout === null) return;
  blockingMove(c, argv[1], argv[2], from, to, timeout, MOVE_BLMOVE);
}

function brpoplpush(c: Client, argv: string[]): void {
  const timeout = timeoutArg(c, argv[3]);
  if (timeout === null) return;
  blockingMove(c, argv[1], argv[2], false, true, timeout, MOVE_BRPOPLPUSH);
}

export const handlers: HandlerMap = {
  lpush: (c, argv) => pushGeneric(c, argv, true, false),
  rpush: (c, argv) => pushGeneric(c, argv, false, false),
  lpushx: (c, argv) => pushGeneric(c, argv, true, true),
  rpushx: (c, argv) => pushGeneric(c, argv, false, true),
  lpop: (c, argv) => popGeneric(c, argv, true),
  rpop: (c, argv) => popGeneric(c, argv, false),
  llen,
  lindex,
  lrange,
  lpos,
  lset,
  linsert,
  lrem,
  ltrim,
  lmove,
  rpoplpush: (c, argv) => moveGeneric(c, argv[1], argv[2], false, true, MOVE_PLAIN),
  lmpop,
  blpop: (c, argv) => blpopGeneric(c, argv, true),
  brpop: (c, argv) => blpopGeneric(c, argv, false),
  blmpop,
  blmove,
  brpoplpush,
};
