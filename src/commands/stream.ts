/*
 * Stream commands (Redis 7.0): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM,
 * XSETID, XREAD, XREADGROUP, XGROUP *, XACK, XPENDING, XCLAIM, XAUTOCLAIM,
 * XINFO *. The data structure is in types/stream.ts.
 *
 * Each handler follows its Redis counterpart step by step, since the order
 * of argument parsing, key lookup and type checks decides which error a
 * client sees.
 *
 * Propagation, as Redis does it:
 * - XADD with an automatic ID (* or ms-*) goes out with the ID generated;
 *   approximate trims (~, LIMIT) of XADD and XTRIM are rewritten to the
 *   exact "=" form of what was done (MAXLEN = resulting length, or MINID =
 *   the first remaining entry's ID).
 * - XREADGROUP, XCLAIM and XAUTOCLAIM never propagate themselves: each
 *   change to a PEL goes out as "XCLAIM key group consumer 0 id TIME t
 *   RETRYCOUNT n FORCE JUSTID LASTID last-id", a moved last-delivered ID
 *   (NOACK reads, XCLAIM LASTID) as "XGROUP SETID key group id ENTRIESREAD
 *   n", and a consumer created by a NOACK read as XGROUP CREATECONSUMER.
 *
 * Blocking (XREAD/XREADGROUP BLOCK ms): the client waits through
 * server.blocking; serve(key) runs after any change to a watched key:
 * a stream whose last ID passed the one the client waits after is served
 * (for XREADGROUP, after the group's current last-delivered ID, with
 * COUNT defaulting to 1000); a missing key or another type keeps an XREAD
 * waiting, but fails an XREADGROUP with -UNBLOCKED; a destroyed group
 * fails it with -NOGROUP. Inside MULTI it replies as on timeout.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import type { Database } from '../keyspace/database';
import { WRONGTYPE, type RedisValue } from '../keyspace/values';
import { NOTIFY_STREAM } from '../keyspace/notify-flags';
import {
  StreamValue,
  StreamIterator,
  ConsumerGroup,
  Consumer,
  NACK,
  MIN_ID,
  MAX_ID,
  INVALID_ENTRIES_READ,
  makeId,
  idToString,
  idIncr,
  idDecr,
  idSameMs,
  idSeqIsMax,
  idMs,
  parseU64,
  raxNodeCount,
  u64,
  type TrimArgs,
} from '../types/stream';
import { parseInteger, parseBigInteger } from '../util/numbers';
import { ERR_SYNTAX, intArg, msTimeoutArg, replyHelp, subcommandSyntaxError } from '../command-model/args';

const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/* ------------------------------------------------------------- helpers */

function asStream(c: Client, v: RedisValue | undefined): StreamValue | undefined | null {
  if (v === undefined) return undefined;
  if (v instanceof StreamValue) return v;
  c.error(WRONGTYPE);
  return null;
}

const parsed = { seqGiven: true };

/**
 * streamGenericParseIDOrReply: an ID key, or null after replying (when c is
 * given). missingSeqMax: a bare "ms" means ms-<max> instead of ms-0.
 * allowSeqStar: accept "ms-*" (parsed.seqGiven tells).
 */
function parseId(c: Client | null, s: string, missingSeqMax: boolean, strict: boolean, allowSeqStar = false): string | null {
  parsed.seqGiven = true;
  if (s.length > 127) return invalidId(c);
  if (s.length === 1) {
    if (s === '-') return strict ? invalidId(c) : MIN_ID;
    if (s === '+') return strict ? invalidId(c) : MAX_ID;
  }
  const dash = s.indexOf('-');
  if (!parseU64(s, 0, dash < 0 ? s.length : dash)) return invalidId(c);
  const msHi = u64.hi;
  const msLo = u64.lo;
  if (dash < 0) {
    return missingSeqMax ? makeId(msHi, msLo, 0xffffffff, 0xffffffff) : makeId(msHi, msLo, 0, 0);
  }
  if (allowSeqStar && s.length === dash + 2 && s.charCodeAt(dash + 1) === 42) {
    parsed.seqGiven = false;
    return makeId(msHi, msLo, 0, 0);
  }
  if (!parseU64(s, dash + 1)) return invalidId(c);
  return makeId(msHi, msLo, u64.hi, u64.lo);
}

function invalidId(c: Client | null): null {
  if (c !== null) c.error(ERR_INVALID_ID);
  return null;
}

/**
 * streamParseIntervalIDOrReply, as an inclusive bound: "(" makes the bound
 * exclusive (then +/- are invalid), so the ID after it (start) or before it
 * (end) is returned. A bare "ms" means ms-0 for a start, ms-<max> for an end.
 */
function parseRangeBound(c: Client, s: string, isEnd: boolean): string | null {
  if (s.length > 1 && s.charCodeAt(0) === 40) {
    const id = parseId(c, s.slice(1), isEnd, true);
    if (id === null) return null;
    const bound = isEnd ? idDecr(id) : idIncr(id);
    if (bound === null) c.error(isEnd ? 'ERR invalid end ID for the interval' : 'ERR invalid start ID for the interval');
    return bound;
  }
  return parseId(c, s, isEnd, false);
}

/** Start of a reply whose length is known only once written (addReplyDeferredLen). */
function deferStart(c: Client): number {
  return c.reply.len;
}

/** setDeferredArrayLen / setDeferredMapLen (n pairs in RESP3, an array of n in RESP2, as XREAD wants): insert the header before what was written since start. */
function deferEnd(c: Client, start: number, n: number, map = false): void {
  insertReply(c, start, map && c.reply.resp === 3 ? `%${n}\r\n` : `*${n}\r\n`);
}

/** Insert encoded reply text at position start of the pending output, before what was written since. */
function insertReply(c: Client, start: number, text: string): void {
  const r = c.reply;
  const end = r.len;
  r.raw(text);
  if (end > start) {
    r.buf.copyWithin(start + text.length, start, end);
    r.buf.write(text, start, text.length, 'latin1');
  }
}

/** One entry: [id, [field, value, ...]]. */
function replyEntry(c: Client, it: StreamIterator): void {
  const r = c.reply;
  r.arrayHeader(2);
  r.bulk(it.idString());
  const n = it.pairs;
  r.arrayHeader(n * 2);
  const buf = it.node!.buf;
  for (let i = 0; i < n; i++) {
    it.nextField();
    r.bulkBytes(buf, it.fieldStart, it.fieldStart + it.fieldLen);
    r.bulkBytes(buf, it.valueStart, it.valueStart + it.valueLen);
  }
}

/** Emit the single entry with this ID if it exists (RAWENTRIES mode). */
function replyOneEntry(c: Client, s: StreamValue, id: string): boolean {
  const it = new StreamIterator(s, id, id, false);
  if (!it.next()) return false;
  replyEntry(c, it);
  return true;
}

/** An XREADGROUP delivery that replyRange carries out: the group, who reads, and the names to propagate with. */
interface GroupRead {
  key: string;
  groupName: string;
  g: ConsumerGroup;
  consumer: Consumer;
  noack: boolean;
}

/** streamPropagateXCLAIM */
function propagateXclaim(c: Client, key: string, g: ConsumerGroup, groupName: string, id: string, nack: NACK): void {
  c.server.keyspace.propagate(c.db.id, [
    'XCLAIM', key, groupName, nack.consumer ? nack.consumer.name : '', '0', id, 'TIME', String(nack.deliveryTime),
    'RETRYCOUNT', String(nack.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', idToString(g.lastId),
  ]);
}

/** streamPropagateGroupID */
function propagateGroupId(c: Client, key: string, g: ConsumerGroup, groupName: string): void {
  c.server.keyspace.propagate(c.db.id, ['XGROUP', 'SETID', key, groupName, idToString(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

/** streamCreateConsumer (notifies and dirties); null when the name exists. */
function createConsumer(c: Client, g: ConsumerGroup, name: string, key: string): Consumer | null {
  if (g.consumers.has(name)) return null;
  return insertConsumer(c, g, name, key);
}

/** createConsumer for a name the caller has just found absent. */
function insertConsumer(c: Client, g: ConsumerGroup, name: string, key: string): Consumer {
  const cons = new Consumer(name, c.server.clock.now());
  g.consumers.set(name, cons);
  c.server.keyspace.dirty++;
  c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, c.db.id);
  return cons;
}

/** The consumer of this name (its seen time refreshed), created when missing: XCLAIM, XAUTOCLAIM. */
function consumerOrCreate(c: Client, g: ConsumerGroup, name: string, key: string): Consumer {
  return lookupConsumer(g, name, c.server.clock.now()) ?? insertConsumer(c, g, name, key);
}

/**
 * XREADGROUP's consumer, created when missing. A NOACK read leaves no NACK
 * whose propagated XCLAIM would create it on replicas: its creation goes out by itself.
 */
function readerConsumer(c: Client, g: ConsumerGroup, groupName: string, name: string, key: string, noack: boolean): Consumer {
  let cons = lookupConsumer(g, name, c.server.clock.now());
  if (cons === undefined) {
    cons = insertConsumer(c, g, name, key);
    if (noack) c.server.keyspace.propagate(c.db.id, ['XGROUP', 'CREATECONSUMER', key, groupName, name]);
  }
  return cons;
}

/** streamLookupConsumer (refreshing the seen time unless told not to). */
function lookupConsumer(g: ConsumerGroup, name: string, refreshAt: number | null): Consumer | undefined {
  const cons = g.consumers.get(name);
  if (cons !== undefined && refreshAt !== null) cons.seenTime = refreshAt;
  return cons;
}

/**
 * streamReplyWithRange: entries in [start, end], at most count (0: all).
 * With a group read, delivers them: advances the group's last ID and read
 * counter, creates/reassigns NACKs (unless NOACK), propagates.
 */
function replyRange(c: Client, s: StreamValue, start: string, end: string, count: number, rev: boolean, gr: GroupRead | null): void {
  const d = deferStart(c);
  const it = new StreamIterator(s, start, end, rev);
  let n = 0;
  let propagateLastId = false;
  while (it.next()) {
    if (gr === null) replyEntry(c, it);
    else {
      const g = gr.g;
      const id = it.id();
      if (id > g.lastId) {
        if (g.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, MAX_ID)) g.entriesRead++;
        else if (s.entriesAdded) g.entriesRead = s.estimateDistance(id);
        g.lastId = id;
        if (gr.noack) propagateLastId = true;
      }
      replyEntry(c, it);
      if (!gr.noack) {
        const now = c.server.clock.now();
        let nack = new NACK(gr.consumer, now);
        if (g.pel.add(id, nack)) {
          gr.consumer.pel.add(id, nack);
        } else {
          nack = g.pel.get(id) as NACK;
          gr.consumer.takeNack(id, nack);
          nack.deliveryTime = now;
          nack.deliveryCount = 1;
        }
        propagateXclaim(c, gr.key, g, gr.groupName, idToString(id), nack);
      }
    }
    n++;
    if (count && count === n) break;
  }
  if (gr !== null && propagateLastId) propagateGroupId(c, gr.key, gr.g, gr.groupName);
  deferEnd(c, d, n);
}

/** streamReplyWithRangeFromConsumerPEL: a consumer's own pending entries from start. */
function replyConsumerPel(c: Client, s: StreamValue, start: string, count: number, consumer: Consumer): void {
  const d = deferStart(c);
  const pel = consumer.pel;
  let n = 0;
  for (let i = pel.next(pel.lowerBound(start)); i < pel.keys.length && (!count || n < count); i = pel.next(i + 1)) {
    const id = pel.keys[i];
    if (!replyOneEntry(c, s, id)) {
      c.reply.arrayHeader(2);
      c.reply.bulk(idToString(id));
      c.reply.nullArray();
    } else {
      const nack = pel.vals[i] as NACK;
      nack.deliveryTime = c.server.clock.now();
      nack.deliveryCount++;
    }
    n++;
  }
  deferEnd(c, d, n);
}

/** Stop the command's own propagation (its effects were propagated explicitly, or none). */
function preventPropagation(c: Client): void {
  c.server.propagator.explicit = true;
}

/* ----------------------------------------------------- XADD / XTRIM args */

const STRATEGY_NONE = 0;
const STRATEGY_MAXLEN = 1;
const STRATEGY_MINID = 2;

interface AddTrimArgs extends TrimArgs {
  id: string;
  idGiven: boolean;
  seqGiven: boolean;
  noMkstream: boolean;
  /** index of the MAXLEN/MINID value, for the rewrite */
  argIdx: number;
}

/** streamParseAddOrTrimArgsOrReply: returns the ID position for XADD (or the end), -1 after an error. */
function parseAddTrimArgs(c: Client, argv: string[], xadd: boolean, a: AddTrimArgs): number {
  let i = 2;
  let limitGiven = false;
  const argc = argv.length;
  for (; i < argc; i++) {
    const more = argc - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    const lower = opt.length <= 10 ? opt.toLowerCase() : '';
    if ((lower === 'maxlen' || lower === 'minid') && more) {
      if (a.strategy !== STRATEGY_NONE) {
        c.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return -1;
      }
      // an optional = (exact) or ~ (approximate) before the threshold
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === '=') {
        i++;
      }
      if (lower === 'maxlen') {
        const v = intArg(c, argv[i + 1]);
        if (v === null) return -1;
        if (v < 0) {
          c.error('ERR The MAXLEN argument must be >= 0.');
          return -1;
        }
        a.maxlen = v;
        a.strategy = STRATEGY_MAXLEN;
      } else {
        const id = parseId(c, argv[i + 1], false, true);
        if (id === null) return -1;
        a.minid = id;
        a.strategy = STRATEGY_MINID;
      }
      i++;
      a.argIdx = i;
    } else if (lower === 'limit' && more) {
      const v = intArg(c, argv[i + 1]);
      if (v === null) return -1;
      if (v < 0) {
        c.error('ERR The LIMIT argument must be >= 0.');
        return -1;
      }
      a.limit = v;
      limitGiven = true;
      i++;
    } else if (xadd && lower === 'nomkstream') {
      a.noMkstream = true;
    } else if (xadd) {
      const id = parseId(c, opt, false, true, true);
      if (id === null) return -1;
      a.id = id;
      a.seqGiven = parsed.seqGiven;
      a.idGiven = true;
      break;
    } else {
      c.error(ERR_SYNTAX);
      return -1;
    }
  }
  if (a.limit && a.strategy === STRATEGY_NONE) {
    c.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return -1;
  }
  if (!xadd && a.strategy === STRATEGY_NONE) {
    c.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return -1;
  }
  if (c.isMaster) {
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) {
      c.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return -1;
    }
  } else if (a.approx) {
    let lim = 100 * c.server.config.streamNodeMaxEntries;
    if (lim <= 0) lim = 10000;
    if (lim > 1000000) lim = 1000000;
    a.limit = lim;
  } else {
    a.limit = 0;
  }
  return i;
}

/** One argument record reused by every XADD/XTRIM (no allocation per command): reset here. */
const sharedArgs: AddTrimArgs = { strategy: STRATEGY_NONE, approx: false, limit: 0, maxlen: 0, minid: MIN_ID, id: MIN_ID, idGiven: false, seqGiven: true, noMkstream: false, argIdx: 0 };

function newArgs(): AddTrimArgs {
  const a = sharedArgs;
  a.strategy = STRATEGY_NONE;
  a.approx = false;
  a.limit = 0;
  a.maxlen = 0;
  a.minid = MIN_ID;
  a.id = MIN_ID;
  a.idGiven = false;
  a.seqGiven = true;
  a.noMkstream = false;
  a.argIdx = 0;
  return a;
}

/** streamRewriteTrimArgument: the exact form of an approximate trim. */
function rewriteTrim(argv: string[], s: StreamValue, a: AddTrimArgs): void {
  argv[a.argIdx - 1] = '=';
  // MINID: the first entry still stored, tombstones included (the maximum ID when none is left)
  argv[a.argIdx] = a.strategy === STRATEGY_MAXLEN ? String(s.length) : idToString(s.nodes.length > 0 ? s.nodes[0].masterId : MAX_ID);
}

/* ---------------------------------------------------------------- XADD */

const ERR_XADD_SMALLER = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';

function xadd(c: Client, argv: string[]): void {
  const a = newArgs();
  const idpos = parseAddTrimArgs(c, argv, true, a);
  if (idpos < 0) return;
  const fieldPos = idpos + 1;
  const nf = argv.length - fieldPos;
  if (nf < 2 || nf % 2 === 1) {
    c.arityError();
    return;
  }
  if (a.idGiven && a.seqGiven && a.id === MIN_ID) {
    c.error('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const db = c.db;
  const key = argv[1];
  const ks = c.server.keyspace;
  const v = db.lookupWrite(key);
  let s: StreamValue;
  if (v === undefined) {
    if (a.noMkstream) {
      c.reply.nullBulk();
      return;
    }
    s = new StreamValue();
    db.add(key, s);
  } else if (v instanceof StreamValue) {
    s = v;
  } else {
    c.error(WRONGTYPE);
    return;
  }
  if (s.lastId === MAX_ID) {
    c.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  // the new ID
  let id: string;
  const last = s.lastId;
  if (a.idGiven) {
    if (a.seqGiven) id = a.id;
    else if (idSameMs(last, a.id)) {
      if (idSeqIsMax(last)) {
        // Redis fails here without setting errno, and its reply shows the "too large" message
        c.error('ERR Elements are too large to be stored');
        return;
      }
      id = idIncr(last) as string;
    } else id = a.id;
  } else {
    const now = c.server.clock.now();
    const lastMs = idMs(last);
    if (now > lastMs) id = makeId(Math.floor(now / 4294967296), now >>> 0, 0, 0);
    else {
      const next = idIncr(last);
      if (next === null) {
        c.error(ERR_XADD_SMALLER);
        return;
      }
      id = next;
    }
  }
  if (id <= last) {
    c.error(ERR_XADD_SMALLER);
    return;
  }
  let tot = 0;
  for (let i = fieldPos; i < argv.length; i++) tot += argv[i].length;
  if (tot > 1073741823) {
    c.error('ERR Elements are too large to be stored');
    return;
  }
  const cfg = c.server.config;
  s.append(id, argv, fieldPos, cfg.streamNodeMaxEntries, cfg.streamNodeMaxBytes);
  const idStr = idToString(id);
  c.reply.bulk(idStr);
  ks.signalModified(db, key);
  ks.notify(NOTIFY_STREAM, 'xadd', key, db.id);
  ks.dirty++;
  let rewritten: string[] | null = null;
  if (a.strategy !== STRATEGY_NONE) {
    if (s.trim(a)) ks.notify(NOTIFY_STREAM, 'xtrim', key, db.id);
    if (a.approx && c.server.propagator.active) {
      rewritten = argv.slice();
      rewriteTrim(rewritten, s, a);
    }
  }
  if ((!a.idGiven || !a.seqGiven) && c.server.propagator.active) {
    if (rewritten === null) rewritten = argv.slice();
    rewritten[idpos] = idStr;
  }
  if (rewritten !== null) ks.propagate(db.id, rewritten);
}

/* ------------------------------------------------------ XRANGE & co */

function xrangeGeneric(c: Client, argv: string[], rev: boolean): void {
  const startArg = rev ? argv[3] : argv[2];
  const endArg = rev ? argv[2] : argv[3];
  const start = parseRangeBound(c, startArg, false);
  if (start === null) return;
  const end = parseRangeBound(c, endArg, true);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (argv[j].toLowerCase() === 'count' && additional >= 1) {
      const v = intArg(c, argv[j + 1]);
      if (v === null) return;
      count = v < 0 ? 0 : v;
      j++;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.reply.emptyArray();
    return;
  }
  const s = asStream(c, v);
  if (!s) return;
  if (count === 0) {
    c.reply.nullArray();
    return;
  }
  replyRange(c, s, start, end, count === -1 ? 0 : count, rev, null);
}

function xlen(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  const s = asStream(c, v);
  if (!s) return;
  c.reply.int(s.length);
}

function xdel(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const v = db.lookupWrite(key);
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  const s = asStream(c, v);
  if (!s) return;
  const ids: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = parseId(c, argv[j], false, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstEntry = false;
  for (const id of ids) {
    if (s.delete(id)) {
      if (id === s.firstId) firstEntry = true;
      if (id > s.maxDeletedId) s.maxDeletedId = id;
      deleted++;
    }
  }
  if (deleted) {
    if (s.length === 0) s.firstId = MIN_ID;
    else if (firstEntry) s.firstId = s.edgeId(true);
    const ks = c.server.keyspace;
    ks.signalModified(db, key);
    ks.notify(NOTIFY_STREAM, 'xdel', key, db.id);
    ks.dirty += deleted;
  }
  c.reply.int(deleted);
}

function xtrim(c: Client, argv: string[]): void {
  const a = newArgs();
  if (parseAddTrimArgs(c, argv, false, a) < 0) return;
  const db = c.db;
  const key = argv[1];
  const v = db.lookupWrite(key);
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  const s = asStream(c, v);
  if (!s) return;
  const deleted = s.trim(a);
  if (deleted) {
    const ks = c.server.keyspace;
    ks.notify(NOTIFY_STREAM, 'xtrim', key, db.id);
    if (a.approx && c.server.propagator.active) {
      const rewritten = argv.slice();
      rewriteTrim(rewritten, s, a);
      ks.propagate(db.id, rewritten);
    }
    ks.signalModified(db, key);
    ks.dirty += deleted;
  }
  c.reply.int(deleted);
}

function xsetid(c: Client, argv: string[]): void {
  const id = parseId(c, argv[2], false, true);
  if (id === null) return;
  let entriesAdded = -1;
  let maxXdel = MIN_ID;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    const opt = argv[i].toLowerCase();
    if (opt === 'entriesadded' && more) {
      const v = intArg(c, argv[i + 1]);
      if (v === null) return;
      if (v < 0) {
        c.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = v;
      i += 2;
    } else if (opt === 'maxdeletedid' && more) {
      const m = parseId(c, argv[i + 1], false, true);
      if (m === null) return;
      if (id < m) {
        c.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxXdel = m;
      i += 2;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  const v = c.db.lookupWrite(argv[1]);
  if (v === undefined) {
    c.error('ERR no such key');
    return;
  }
  const s = asStream(c, v);
  if (!s) return;
  if (s.length > 0) {
    const maxid = s.lastValidId();
    if (id < maxid) {
      c.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      c.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxXdel !== MIN_ID) s.maxDeletedId = maxXdel;
  c.reply.ok();
  c.server.keyspace.dirty++;
  c.server.keyspace.notify(NOTIFY_STREAM, 'xsetid', argv[1], c.db.id);
}

/* ---------------------------------------------------- XREAD / XREADGROUP */

const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

function xread(c: Client, argv: string[], isGroup: boolean): void {
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let groupName: string | null = null;
  let consumerName = '';
  const argc = argv.length;
  for (let i = 1; i < argc; i++) {
    const more = argc - i - 1;
    const o = argv[i].toLowerCase();
    if (o === 'block' && more) {
      if (c.isScriptClient) {
        // a script may not block: refused outright, as Redis does for scripts
        c.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        return;
      }
      i++;
      const t = msTimeoutArg(c, argv[i]);
      if (t === null) return;
      timeout = t;
    } else if (o === 'count' && more) {
      i++;
      const v = intArg(c, argv[i]);
      if (v === null) return;
      count = v < 0 ? 0 : v;
    } else if (o === 'streams' && more) {
      streamsArg = i + 1;
      streamsCount = argc - streamsArg;
      if (streamsCount % 2 !== 0) {
        c.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return;
      }
      streamsCount /= 2;
      break;
    } else if (o === 'group' && more >= 2) {
      if (!isGroup) {
        c.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      groupName = argv[i + 1];
      consumerName = argv[i + 2];
      i += 2;
    } else if (o === 'noack') {
      if (!isGroup) {
        c.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      noack = true;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  if (streamsArg === 0) {
    c.error(ERR_SYNTAX);
    return;
  }
  if (isGroup && groupName === null) {
    c.error('ERR Missing GROUP option for XREADGROUP');
    return;
  }
  const db = c.db;
  const ids: string[] = new Array(streamsCount);
  const groups: (ConsumerGroup | null)[] = new Array(streamsCount).fill(null);
  try {
    for (let i = streamsArg + streamsCount; i < argc; i++) {
      const idx = i - streamsArg - streamsCount;
      const key = argv[i - streamsCount];
      const s = asStream(c, db.lookupRead(key));
      if (s === null) return;
      if (groupName !== null) {
        const g = s === undefined ? undefined : s.group(groupName);
        if (g === undefined) {
          c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
          return;
        }
        groups[idx] = g;
      }
      const a = argv[i];
      if (a === '$') {
        if (isGroup) {
          c.error('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
          return;
        }
        ids[idx] = s ? s.lastId : MIN_ID;
        continue;
      } else if (a === '>') {
        if (!isGroup) {
          c.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
          return;
        }
        ids[idx] = MAX_ID;
        continue;
      }
      const id = parseId(c, a, false, true);
      if (id === null) return;
      ids[idx] = id;
    }

    // serve synchronously what can be served
    let arraylen = 0;
    let d = 0;
    const ks = c.server.keyspace;
    for (let i = 0; i < streamsCount; i++) {
      const key = argv[streamsArg + i];
      const v = db.lookupRead(key);
      if (v === undefined) continue;
      const s = v as StreamValue;
      let gt = ids[i];
      let sync = false;
      let history = false;
      const g = groups[i];
      if (g !== null) {
        if (gt !== MAX_ID) {
          sync = true;
          history = true;
        } else if (s.length) {
          const maxid = s.lastValidId();
          if (maxid > g.lastId) {
            sync = true;
            gt = g.lastId;
          }
        }
      } else if (s.length) {
        if (s.lastValidId() > gt) sync = true;
      }
      if (!sync) continue;
      arraylen++;
      if (arraylen === 1) d = deferStart(c);
      const start = idIncr(gt) ?? MIN_ID;
      if (c.resp === 2) c.reply.arrayHeader(2);
      c.reply.bulk(key);
      if (g === null) replyRange(c, s, start, MAX_ID, count, false, null);
      else {
        const gn = groupName as string;
        const consumer = readerConsumer(c, g, gn, consumerName, key, noack);
        if (history) replyConsumerPel(c, s, start, count, consumer);
        else replyRange(c, s, start, MAX_ID, count, false, { key, groupName: gn, g, consumer, noack });
        ks.dirty++;
      }
    }
    if (arraylen) {
      deferEnd(c, d, arraylen, true);
      return;
    }
    if (timeout !== -1) {
      if (c.denyBlocking) {
        c.reply.nullArray();
        return;
      }
      blockForStreams(c, db, argv.slice(streamsArg, streamsArg + streamsCount), ids, timeout, count ? count : XREAD_BLOCKED_DEFAULT_COUNT, groupName, consumerName, noack);
      return;
    }
    c.reply.nullArray();
  } finally {
    preventPropagation(c);
  }
}

function blockForStreams(
  c: Client, db: Database, keys: string[], ids: string[], timeout: number, count: number,
  groupName: string | null, consumerName: string, noack: boolean,
): void {
  const waitAfter = new Map<string, string>();
  for (let i = 0; i < keys.length; i++) if (!waitAfter.has(keys[i])) waitAfter.set(keys[i], ids[i]);
  c.server.blocking.block(c, db, [...waitAfter.keys()], timeout, {
    serve(key: string): boolean {
      const v = c.db.peek(key);
      if (!(v instanceof StreamValue)) {
        if (groupName !== null) {
          c.error('UNBLOCKED the stream key no longer exists');
          return true;
        }
        return false;
      }
      const prop = c.server.propagator;
      prop.beginUnit();
      try {
        let gt = waitAfter.get(key) as string;
        let g: ConsumerGroup | null = null;
        if (groupName !== null) {
          g = v.group(groupName) ?? null;
          if (g === null) {
            c.error('NOGROUP the consumer group this client was blocked on no longer exists');
            return true;
          }
          gt = g.lastId;
        }
        if (!(v.lastId > gt)) return false;
        const start = idIncr(gt) ?? MIN_ID;
        const gr = g !== null && groupName !== null ? { key, groupName, g, consumer: readerConsumer(c, g, groupName, consumerName, key, noack), noack } : null;
        if (c.resp === 2) {
          c.reply.arrayHeader(1);
          c.reply.arrayHeader(2);
        } else c.reply.mapHeader(1);
        c.reply.bulk(key);
        replyRange(c, v, start, MAX_ID, count, false, gr);
        return true;
      } finally {
        // the effects of one served client go out together (MULTI/EXEC when more than one), as after a command
        prop.endUnit();
      }
    },
    timeout(): void {
      c.reply.nullArray();
    },
  });
}

/* ---------------------------------------------------------------- XGROUP */

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function xgroup(c: Client, argv: string[]): void {
  const opt = argv[1].toLowerCase();
  const argc = argv.length;
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  let s: StreamValue | undefined;
  let g: ConsumerGroup | undefined;
  const db = c.db;
  const ks = c.server.keyspace;
  const key = argv[2];
  const grp = argv[3];
  if (argc >= 4) {
    const create = opt === 'create';
    const setid = opt === 'setid';
    for (let i = 5; i < argc; ) {
      const a = argv[i].toLowerCase();
      if (create && a === 'mkstream') {
        mkstream = true;
        i++;
      } else if ((create || setid) && a === 'entriesread' && i + 1 < argc) {
        const v = intArg(c, argv[i + 1]);
        if (v === null) return;
        if (v < 0 && v !== INVALID_ENTRIES_READ) {
          c.error('ERR value for ENTRIESREAD must be positive or -1');
          return;
        }
        entriesRead = v;
        i += 2;
      } else {
        subcommandSyntaxError(c, argv);
        return;
      }
    }
    const v = db.lookupWrite(key);
    if (v !== undefined) {
      const st = asStream(c, v);
      if (!st) return;
      s = st;
    }
  }
  if (argc >= 4 && !mkstream) {
    if (s === undefined) {
      c.error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
      return;
    }
    g = s.group(grp);
    if (g === undefined && (opt === 'setid' || opt === 'createconsumer' || opt === 'delconsumer')) {
      c.error(`NOGROUP No such consumer group '${grp}' for key name '${key}'`);
      return;
    }
  }
  if (argc === 2 && opt === 'help') {
    replyHelp(c, 'XGROUP', XGROUP_HELP);
  } else if (opt === 'create' && argc >= 5 && argc <= 8) {
    let id: string;
    if (argv[4] === '$') id = s ? s.lastId : MIN_ID;
    else {
      const p = parseId(c, argv[4], false, true);
      if (p === null) return;
      id = p;
    }
    if (s === undefined) {
      s = new StreamValue();
      db.add(key, s);
    }
    const created = s.createGroup(grp, id, entriesRead);
    if (created) {
      c.reply.ok();
      ks.dirty++;
      ks.notify(NOTIFY_STREAM, 'xgroup-create', key, db.id);
    } else {
      c.error('BUSYGROUP Consumer Group name already exists');
    }
  } else if (opt === 'setid' && (argc === 5 || argc === 7)) {
    let id: string;
    if (argv[4] === '$') id = (s as StreamValue).lastId;
    else {
      const p = parseId(c, argv[4], false, false);
      if (p === null) return;
      id = p;
    }
    const gg = g as ConsumerGroup;
    gg.lastId = id;
    gg.entriesRead = entriesRead;
    c.reply.ok();
    ks.dirty++;
    ks.notify(NOTIFY_STREAM, 'xgroup-setid', key, db.id);
  } else if (opt === 'destroy' && argc === 4) {
    if (g !== undefined) {
      (s as StreamValue).groups!.delete(grp);
      c.reply.int(1);
      ks.dirty++;
      ks.notify(NOTIFY_STREAM, 'xgroup-destroy', key, db.id);
      // wake XREADGROUP clients blocked on this group: they get -NOGROUP
      c.server.blocking.signalReady(db, key);
    } else c.reply.int(0);
  } else if (opt === 'createconsumer' && argc === 5) {
    const created = createConsumer(c, g as ConsumerGroup, argv[4], key);
    c.reply.int(created ? 1 : 0);
  } else if (opt === 'delconsumer' && argc === 5) {
    const gg = g as ConsumerGroup;
    let pending = 0;
    const cons = lookupConsumer(gg, argv[4], null);
    if (cons !== undefined) {
      pending = cons.pel.size;
      gg.deleteConsumer(cons);
      ks.dirty++;
      ks.notify(NOTIFY_STREAM, 'xgroup-delconsumer', key, db.id);
    }
    c.reply.int(pending);
  } else {
    subcommandSyntaxError(c, argv);
  }
}

/* ------------------------------------------------------------------ XACK */

function xack(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  let g: ConsumerGroup | undefined;
  if (v !== undefined) {
    const s = asStream(c, v);
    if (!s) return;
    g = s.group(argv[2]);
  }
  if (v === undefined || g === undefined) {
    c.reply.int(0);
    return;
  }
  const ids: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = parseId(c, argv[j], false, true);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.get(id);
    if (nack !== undefined) {
      g.dropNack(id, nack);
      acked++;
      c.server.keyspace.dirty++;
    }
  }
  c.reply.int(acked);
}

/* -------------------------------------------------------------- XPENDING */

function xpending(c: Client, argv: string[]): void {
  const argc = argv.length;
  const justinfo = argc === 3;
  let start = MIN_ID;
  let end = MAX_ID;
  let count = 0;
  let minidle = 0;
  let consumerName: string | null = null;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    c.error(ERR_SYNTAX);
    return;
  }
  if (argc >= 6) {
    let si = 3;
    if (argv[3].toLowerCase() === 'idle') {
      const v = intArg(c, argv[4]);
      if (v === null) return;
      minidle = v;
      if (argc < 8) {
        c.error(ERR_SYNTAX);
        return;
      }
      si += 2;
    }
    const cnt = intArg(c, argv[si + 2]);
    if (cnt === null) return;
    count = cnt < 0 ? 0 : cnt;
    const st = parseRangeBound(c, argv[si], false);
    if (st === null) return;
    start = st;
    const en = parseRangeBound(c, argv[si + 1], true);
    if (en === null) return;
    end = en;
    if (si + 3 < argc) consumerName = argv[si + 3];
  }
  const g = groupOrReply(c, c.db.lookupRead(argv[1]), argv[1], argv[2]);
  if (g === null) return;
  const r = c.reply;
  if (justinfo) {
    r.arrayHeader(4);
    r.int(g.pel.size);
    if (g.pel.size === 0) {
      r.nullBulk();
      r.nullBulk();
      r.nullArray();
    } else {
      r.bulk(idToString(g.pel.firstKey() as string));
      r.bulk(idToString(g.pel.lastKey() as string));
      const withPel = g.sortedConsumers().filter((x) => x.pel.size > 0);
      r.arrayHeader(withPel.length);
      for (const cons of withPel) {
        r.arrayHeader(2);
        r.bulk(cons.name);
        r.bulk(String(cons.pel.size));
      }
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const cons = lookupConsumer(g, consumerName, null);
    if (cons === undefined) {
      r.emptyArray();
      return;
    }
    pel = cons.pel;
  }
  const now = c.server.clock.now();
  const d = deferStart(c);
  let n = 0;
  for (let i = pel.next(pel.lowerBound(start)); count && i < pel.keys.length && pel.keys[i] <= end; i = pel.next(i + 1)) {
    const nack = pel.vals[i] as NACK;
    if (minidle) {
      if (now - nack.deliveryTime < minidle) continue;
    }
    n++;
    count--;
    r.arrayHeader(4);
    r.bulk(idToString(pel.keys[i]));
    r.bulk(nack.consumer ? nack.consumer.name : '');
    let elapsed = now - nack.deliveryTime;
    if (elapsed < 0) elapsed = 0;
    r.int(elapsed);
    r.int(nack.deliveryCount);
  }
  deferEnd(c, d, n);
}

/* ---------------------------------------------------------------- XCLAIM */

/** The named group of a stream (XPENDING, XCLAIM, XAUTOCLAIM), or null after replying WRONGTYPE or NOGROUP. */
function groupOrReply(c: Client, v: RedisValue | undefined, key: string, groupName: string): ConsumerGroup | null {
  const s = asStream(c, v);
  if (s === null) return null;
  const g = s === undefined ? undefined : s.group(groupName);
  if (g === undefined) {
    c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}'`);
    return null;
  }
  return g;
}

/*
 * XCLAIM and XAUTOCLAIM (argv: command key group consumer ...) apply each
 * pending ID with one of these two; idText is the ID as propagated.
 */

/** The ID's entry is gone from the stream: forget the NACK, and propagate the XCLAIM that makes replicas forget it too. */
function dropGoneNack(c: Client, g: ConsumerGroup, argv: string[], id: string, idText: string, nack: NACK): void {
  propagateXclaim(c, argv[1], g, argv[2], idText, nack);
  c.server.keyspace.dirty++;
  g.dropNack(id, nack);
}

/** Give the NACK (delivery time and count already set) to the claiming consumer, reply with the entry (its ID with JUSTID), propagate. */
function claimNack(c: Client, s: StreamValue, g: ConsumerGroup, argv: string[], consumer: Consumer, id: string, idText: string, nack: NACK, justid: boolean): void {
  consumer.takeNack(id, nack);
  if (justid) c.reply.bulk(idToString(id));
  else replyOneEntry(c, s, id);
  propagateXclaim(c, argv[1], g, argv[2], idText, nack);
  c.server.keyspace.dirty++;
}

function xclaim(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = c.db.lookupRead(key);
  const g = groupOrReply(c, v, key, argv[2]);
  if (g === null) return;
  const s = v as StreamValue;
  let minidle = intArg(c, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minidle === null) return;
  if (minidle < 0) minidle = 0;
  const ids: string[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = parseId(null, argv[j], false, true);
    if (id === null) break;
    ids.push(id);
  }
  const lastIdArg = j - 1;
  const now = c.server.clock.now();
  let lastId = MIN_ID;
  let propagateLastId = false;
  let force = false;
  let justid = false;
  let retrycount = -1;
  let deliverytime = -1;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'force') force = true;
    else if (opt === 'justid') justid = true;
    else if (opt === 'idle' && more) {
      j++;
      const x = intArg(c, argv[j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (x === null) return;
      deliverytime = now - x;
    } else if (opt === 'time' && more) {
      j++;
      const x = intArg(c, argv[j], 'ERR Invalid TIME option argument for XCLAIM');
      if (x === null) return;
      deliverytime = x;
    } else if (opt === 'retrycount' && more) {
      j++;
      const x = intArg(c, argv[j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (x === null) return;
      retrycount = x;
    } else if (opt === 'lastid' && more) {
      j++;
      const x = parseId(c, argv[j], false, true);
      if (x === null) return;
      lastId = x;
    } else {
      c.error(`ERR Unrecognized XCLAIM option '${argv[j]}'`);
      return;
    }
  }
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliverytime !== -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else deliverytime = now;
  let consumer: Consumer | null = null;
  const d = deferStart(c);
  let n = 0;
  for (let k = 5; k <= lastIdArg; k++) {
    const id = ids[k - 5];
    let nack = g.pel.get(id);
    if (!s.has(id)) {
      if (nack !== undefined) {
        dropGoneNack(c, g, argv, id, argv[k], nack);
        propagateLastId = false;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = new NACK(null, now);
      g.pel.add(id, nack);
    }
    if (nack !== undefined) {
      if (nack.consumer !== null && minidle) {
        if (now - nack.deliveryTime < minidle) continue;
      }
      consumer ??= consumerOrCreate(c, g, argv[3], key);
      nack.deliveryTime = deliverytime;
      if (retrycount >= 0) nack.deliveryCount = retrycount;
      else if (!justid) nack.deliveryCount++;
      claimNack(c, s, g, argv, consumer, id, argv[k], nack, justid);
      n++;
      propagateLastId = false;
    }
  }
  if (propagateLastId) {
    propagateGroupId(c, key, g, argv[2]);
    c.server.keyspace.dirty++;
  }
  deferEnd(c, d, n);
  preventPropagation(c);
}

function xautoclaim(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = c.db.lookupRead(key);
  let minidle = intArg(c, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minidle === null) return;
  if (minidle < 0) minidle = 0;
  const start = parseRangeBound(c, argv[5], false);
  if (start === null) return;
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'count' && more) {
      const x = parseInteger(argv[j + 1]);
      // at most LONG_MAX / max(sizeof(streamID), attempts_factor)
      const big = x !== null && x > 2 ** 53 ? parseBigInteger(argv[j + 1]) : null;
      if (x === null || x < 1 || (big !== null && big > 576460752303423487n)) {
        c.error('ERR COUNT must be > 0');
        return;
      }
      count = x;
      j++;
    } else if (opt === 'justid') justid = true;
    else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  const g = groupOrReply(c, v, key, argv[2]);
  if (g === null) return;
  const s = v as StreamValue;
  const r = c.reply;
  let attempts = count * 10;
  const deleted: string[] = []; // as text
  let consumer: Consumer | null = null;
  const now = c.server.clock.now();
  r.arrayHeader(3);
  // reply[0] (the cursor) is known only at the end: write entries into a deferred region
  const d0 = deferStart(c);
  let n = 0;
  const pel = g.pel;
  let i = pel.next(pel.lowerBound(start));
  while (attempts-- > 0 && count && i < pel.keys.length) {
    const id = pel.keys[i];
    const nack = pel.vals[i] as NACK;
    // step first: dropping the NACK below leaves the indexes valid (a tombstone, or the last key popped)
    i = pel.next(i + 1);
    if (!s.has(id)) {
      const text = idToString(id);
      dropGoneNack(c, g, argv, id, text, nack);
      deleted.push(text);
      count--;
      continue;
    }
    if (minidle) {
      if (now - nack.deliveryTime < minidle) continue;
    }
    consumer ??= consumerOrCreate(c, g, argv[3], key);
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount++;
    claimNack(c, s, g, argv, consumer, id, idToString(id), nack, justid);
    n++;
    count--;
  }
  const endId = i < pel.keys.length ? pel.keys[i] : MIN_ID;
  // the cursor and the claimed array's header, inserted before the entries just written
  const cursor = idToString(endId);
  insertReply(c, d0, `$${cursor.length}\r\n${cursor}\r\n*${n}\r\n`);
  r.arrayHeader(deleted.length);
  for (const text of deleted) r.bulk(text);
  preventPropagation(c);
}

/* ----------------------------------------------------------------- XINFO */

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

/** The fields XINFO GROUPS and XINFO STREAM FULL both give a group: last-delivered-id, entries-read, lag. */
function replyGroupProgress(c: Client, s: StreamValue, g: ConsumerGroup): void {
  const r = c.reply;
  r.bulk('last-delivered-id');
  r.bulk(idToString(g.lastId));
  r.bulk('entries-read');
  if (g.entriesRead !== INVALID_ENTRIES_READ) r.int(g.entriesRead);
  else r.nullBulk();
  r.bulk('lag');
  const lag = s.lag(g);
  if (lag === null) r.nullBulk();
  else r.int(lag);
}

function xinfoStream(c: Client, argv: string[], s: StreamValue): void {
  let full = true;
  let count = 10;
  const optc = argv.length - 3;
  if (optc === 0) full = false;
  else {
    if ((optc !== 1 && optc !== 3) || argv[3].toLowerCase() !== 'full') {
      subcommandSyntaxError(c, argv);
      return;
    }
    if (optc === 3) {
      if (argv[4].toLowerCase() !== 'count') {
        subcommandSyntaxError(c, argv);
        return;
      }
      const v = intArg(c, argv[5]);
      if (v === null) return;
      count = v < 0 ? 10 : v;
    }
  }
  const r = c.reply;
  r.mapHeader(full ? 9 : 10);
  r.bulk('length');
  r.int(s.length);
  r.bulk('radix-tree-keys');
  r.int(s.nodes.length);
  r.bulk('radix-tree-nodes');
  r.int(raxNodeCount(s.nodes.map((n) => n.masterId)));
  r.bulk('last-generated-id');
  r.bulk(idToString(s.lastId));
  r.bulk('max-deleted-entry-id');
  r.bulk(idToString(s.maxDeletedId));
  r.bulk('entries-added');
  r.int(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(idToString(s.firstId));
  if (!full) {
    r.bulk('groups');
    r.int(s.groups ? s.groups.size : 0);
    r.bulk('first-entry');
    let it = new StreamIterator(s, MIN_ID, MAX_ID, false);
    if (it.next()) replyEntry(c, it);
    else r.nullBulk();
    r.bulk('last-entry');
    it = new StreamIterator(s, MIN_ID, MAX_ID, true);
    if (it.next()) replyEntry(c, it);
    else r.nullBulk();
    return;
  }
  r.bulk('entries');
  replyRange(c, s, MIN_ID, MAX_ID, count, false, null);
  r.bulk('groups');
  const groups = s.sortedGroups();
  r.arrayHeader(groups.length);
  for (const [name, g] of groups) {
    r.mapHeader(7);
    r.bulk('name');
    r.bulk(name);
    replyGroupProgress(c, s, g);
    r.bulk('pel-count');
    r.int(g.pel.size);
    r.bulk('pending');
    const np = count ? Math.min(count, g.pel.size) : g.pel.size;
    r.arrayHeader(np);
    for (let i = g.pel.next(0), k = 0; k < np; i = g.pel.next(i + 1), k++) {
      const nack = g.pel.vals[i] as NACK;
      r.arrayHeader(4);
      r.bulk(idToString(g.pel.keys[i]));
      r.bulk(nack.consumer ? nack.consumer.name : '');
      r.int(nack.deliveryTime);
      r.int(nack.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.sortedConsumers();
    r.arrayHeader(consumers.length);
    for (const cons of consumers) {
      r.mapHeader(4);
      r.bulk('name');
      r.bulk(cons.name);
      r.bulk('seen-time');
      r.int(cons.seenTime);
      r.bulk('pel-count');
      r.int(cons.pel.size);
      r.bulk('pending');
      const nc = count ? Math.min(count, cons.pel.size) : cons.pel.size;
      r.arrayHeader(nc);
      for (let i = cons.pel.next(0), k = 0; k < nc; i = cons.pel.next(i + 1), k++) {
        const nack = cons.pel.vals[i] as NACK;
        r.arrayHeader(3);
        r.bulk(idToString(cons.pel.keys[i]));
        r.int(nack.deliveryTime);
        r.int(nack.deliveryCount);
      }
    }
  }
}

function xinfo(c: Client, argv: string[]): void {
  const opt = argv[1].toLowerCase();
  if (opt === 'help') {
    if (argv.length !== 2) {
      subcommandSyntaxError(c, argv);
      return;
    }
    replyHelp(c, 'XINFO', XINFO_HELP);
    return;
  }
  if (argv.length < 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const key = argv[2];
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.error('ERR no such key');
    return;
  }
  const s = asStream(c, v);
  if (!s) return;
  const r = c.reply;
  if (opt === 'consumers' && argv.length === 4) {
    const g = s.group(argv[3]);
    if (g === undefined) {
      c.error(`NOGROUP No such consumer group '${argv[3]}' for key name '${key}'`);
      return;
    }
    const consumers = g.sortedConsumers();
    r.arrayHeader(consumers.length);
    const now = c.server.clock.now();
    for (const cons of consumers) {
      let idle = now - cons.seenTime;
      if (idle < 0) idle = 0;
      r.mapHeader(3);
      r.bulk('name');
      r.bulk(cons.name);
      r.bulk('pending');
      r.int(cons.pel.size);
      r.bulk('idle');
      r.int(idle);
    }
  } else if (opt === 'groups' && argv.length === 3) {
    const groups = s.sortedGroups();
    r.arrayHeader(groups.length);
    for (const [name, g] of groups) {
      r.mapHeader(6);
      r.bulk('name');
      r.bulk(name);
      r.bulk('consumers');
      r.int(g.consumers.size);
      r.bulk('pending');
      r.int(g.pel.size);
      replyGroupProgress(c, s, g);
    }
  } else if (opt === 'stream') {
    xinfoStream(c, argv, s);
  } else {
    subcommandSyntaxError(c, argv);
  }
}

export const handlers: HandlerMap = {
  xadd,
  xrange: (c, argv) => xrangeGeneric(c, argv, false),
  xrevrange: (c, argv) => xrangeGeneric(c, argv, true),
  xlen,
  xdel,
  xtrim,
  xsetid,
  xread: (c, argv) => xread(c, argv, false),
  xreadgroup: (c, argv) => xread(c, argv, true),
  'xgroup|create': xgroup,
  'xgroup|setid': xgroup,
  'xgroup|destroy': xgroup,
  'xgroup|createconsumer': xgroup,
  'xgroup|delconsumer': xgroup,
  'xgroup|help': xgroup,
  xack,
  xpending,
  xclaim,
  xautoclaim,
  'xinfo|stream': xinfo,
  'xinfo|groups': xinfo,
  'xinfo|consumers': xinfo,
  'xinfo|help': xinfo,
};
