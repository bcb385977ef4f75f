/*
 * Sorted set commands (Redis 7.0): ZADD and ZINCRBY with every option,
 * removal, counting, ranks, the ZRANGE family (rank, score and lex ranges,
 * REV, LIMIT, WITHSCORES, ZRANGESTORE), pops (ZPOPMIN/MAX, ZMPOP and the
 * blocking BZPOPMIN/BZPOPMAX/BZMPOP), ZRANDMEMBER, the set algebra
 * (ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD, sets as inputs with score 1)
 * and ZSCAN.
 *
 * Replies: scores go through ReplyWriter.double (a bulk "%.17g" in RESP2, a
 * RESP3 double). WITHSCORES replies are flat in RESP2 and arrays of
 * [member, score] pairs in RESP3, as Redis 7.0 sends them.
 *
 * Writes signal the key, send Redis's keyspace events in Redis's order,
 * count dirty changes, and delete a set that becomes empty ("del" event
 * where Redis sends one). The blocking pops, when served later, propagate
 * as ZPOPMIN/ZPOPMAX as Redis rewrites them.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import type { RedisValue } from '../keyspace/values';
import { WRONGTYPE } from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/notify-flags';
import { ERR_SYNTAX, ERR_NOT_INTEGER, ERR_NOT_FLOAT, intArg, isWord } from '../command-model/args';
import { parseInteger, parseBigInteger, parseDouble, formatG17 } from '../util/numbers';
import { ZSet } from '../types/zset';
import { scanDict } from './keyspace';
import { removeMembers, scanCollection } from './collection';

const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX_FLOAT = 'ERR min or max is not a float';
const ERR_MINMAX_LEX = 'ERR min or max not valid string range item';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';

/* ---------------------------------------------------------------- helpers */

/** The zset at key for writing: undefined if absent, null after a WRONGTYPE reply. */
function zsetWrite(c: Client, key: string): ZSet | undefined | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) {
    c.error(WRONGTYPE);
    return null;
  }
  return v;
}

export function zsetRead(c: Client, key: string): ZSet | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) {
    c.error(WRONGTYPE);
    return null;
  }
  return v;
}

function replyScore(c: Client, s: number): void {
  c.reply.double(s);
}

/** A score argument: short plain integers directly, anything else through strtod rules. */
function parseScore(s: string): number | null {
  const n = s.length;
  if (n > 0 && n < 16) {
    let i = s.charCodeAt(0) === 45 ? 1 : 0;
    if (i < n) {
      let v = 0;
      for (; i < n; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === n) return s.charCodeAt(0) === 45 ? -v : v;
    }
  }
  return parseDouble(s);
}

/* ---------------------------------------------------------------- ranges */

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function parseScoreBound(s: string): [number, boolean] | null {
  let ex = false;
  if (s.length > 0 && s.charCodeAt(0) === 40 /* ( */) {
    ex = true;
    s = s.slice(1);
  }
  const v = parseDouble(s);
  if (v === null) return null;
  return [v, ex];
}

function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseScoreBound(min);
  if (a === null) return null;
  const b = parseScoreBound(max);
  if (b === null) return null;
  return { min: a[0], minex: a[1], max: b[0], maxex: b[1] };
}

/** A lex bound: kind 0 value, -1 "-", 1 "+". */
interface LexBound {
  kind: number;
  value: string;
  ex: boolean;
}

function parseLexBound(s: string): LexBound | null {
  if (s.length === 0) return null;
  const ch = s.charCodeAt(0);
  if (ch === 43 /* + */) return s.length === 1 ? { kind: 1, value: '', ex: true } : null;
  if (ch === 45 /* - */) return s.length === 1 ? { kind: -1, value: '', ex: true } : null;
  if (ch === 40 /* ( */) return { kind: 0, value: s.slice(1), ex: true };
  if (ch === 91 /* [ */) return { kind: 0, value: s.slice(1), ex: false };
  return null;
}

interface LexRange {
  min: LexBound;
  max: LexBound;
}

function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexBound(min);
  if (a === null) return null;
  const b = parseLexBound(max);
  if (b === null) return null;
  return { min: a, max: b };
}

/** Ranks [start, end) of the elements within a score range. */
function scoreRanks(z: ZSet, r: ScoreRange): [number, number] {
  const { min, max, minex, maxex } = r;
  if (min > max || (min === max && (minex || maxex))) return [0, 0];
  const start = z.lowerBound(minex ? (s) => s <= min : (s) => s < min);
  const end = z.lowerBound(maxex ? (s) => s < max : (s) => s <= max);
  return end > start ? [start, end] : [0, 0];
}

/** Ranks [start, end) of the elements within a lex range (members compared alone). */
function lexRanks(z: ZSet, r: LexRange): [number, number] {
  const { min, max } = r;
  // empty ranges: min above max, or equal with an exclusive end
  if (min.kind === 1 || max.kind === -1) return [0, 0];
  if (min.kind === 0 && max.kind === 0) {
    if (min.value > max.value || (min.value === max.value && (min.ex || max.ex))) return [0, 0];
  }
  let start = 0;
  if (min.kind === 0) {
    const v = min.value;
    start = z.lowerBound(min.ex ? (_s, m) => m <= v : (_s, m) => m < v);
  }
  let end = z.size;
  if (max.kind === 0) {
    const v = max.value;
    end = z.lowerBound(max.ex ? (_s, m) => m < v : (_s, m) => m <= v);
  }
  return end > start ? [start, end] : [0, 0];
}

/* ---------------------------------------------------------------- ZADD / ZINCRBY */

const F_NX = 1;
const F_XX = 2;
const F_GT = 4;
const F_LT = 8;
const F_CH = 16;
const F_INCR = 32;

/** ZADD/ZINCRBY on argv as ZADD's (GEOADD calls it with the ZADD it rewrites itself into). */
export function zaddGeneric(c: Client, argv: string[], flags: number): void {
  let i = 2;
  const n = argv.length;
  for (; i < n; i++) {
    const o = argv[i];
    // options are 2-4 letters; a score never starts with a letter other than i/n (inf, nan)
    if (o.length > 4 || o.length < 2 || ((o.charCodeAt(0) | 32) < 97)) break;
    const l = o.toLowerCase();
    if (l === 'nx') flags |= F_NX;
    else if (l === 'xx') flags |= F_XX;
    else if (l === 'gt') flags |= F_GT;
    else if (l === 'lt') flags |= F_LT;
    else if (l === 'ch') flags |= F_CH;
    else if (l === 'incr') flags |= F_INCR;
    else break;
  }
  const elements = n - i;
  if (elements === 0 || (elements & 1) !== 0) {
    c.error(ERR_SYNTAX);
    return;
  }
  const pairs = elements >> 1;
  if ((flags & F_NX) && (flags & F_XX)) {
    c.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if (((flags & F_GT) && (flags & F_NX)) || ((flags & F_LT) && (flags & F_NX)) || ((flags & F_GT) && (flags & F_LT))) {
    c.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  const incr = (flags & F_INCR) !== 0;
  if (incr && pairs > 1) {
    c.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  const scoreIdx = i;
  let scores: number[] | null = null;
  let score0 = 0;
  if (pairs === 1) {
    const s = parseScore(argv[scoreIdx]);
    if (s === null) {
      c.error(ERR_NOT_FLOAT);
      return;
    }
    score0 = s;
  } else {
    scores = new Array<number>(pairs);
    for (let j = 0; j < pairs; j++) {
      const s = parseScore(argv[scoreIdx + j * 2]);
      if (s === null) {
        c.error(ERR_NOT_FLOAT);
        return;
      }
      scores[j] = s;
    }
  }
  const key = argv[1];
  const db = c.db;
  const cfg = c.server.config;
  let z = zsetWrite(c, key);
  if (z === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  if (z === undefined) {
    if (flags & F_XX) {
      if (incr) c.reply.nullBulk();
      else c.reply.int(0);
      return;
    }
    z = ZSet.create(cfg, argv[scoreIdx + 1].length);
    db.add(key, z);
  }
  for (let j = 0; j < pairs; j++) {
    let score = scores === null ? score0 : scores[j];
    const member = argv[scoreIdx + j * 2 + 1];
    const cur = z.score(member);
    if (cur !== undefined) {
      if (flags & F_NX) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          c.error(ERR_NAN);
          if (added || updated) notifyZadd(c, key, incr, added + updated);
          return;
        }
      }
      if (((flags & F_LT) && score >= cur) || ((flags & F_GT) && score <= cur)) continue;
      processed++;
      lastScore = score;
      if (score !== cur) {
        z.update(member, cur, score);
        updated++;
      }
    } else {
      if (flags & F_XX) continue;
      z.insert(member, score, cfg);
      added++;
      processed++;
      lastScore = score;
    }
  }
  if (incr) {
    if (processed) replyScore(c, lastScore);
    else c.reply.nullBulk();
  } else {
    c.reply.int(flags & F_CH ? added + updated : added);
  }
  if (added || updated) notifyZadd(c, key, incr, added + updated);
}

function notifyZadd(c: Client, key: string, incr: boolean, changes: number): void {
  const ks = c.server.keyspace;
  ks.signalModified(c.db, key);
  ks.notify(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key, c.db.id);
  ks.dirty += changes;
}

function zadd(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrby(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, F_INCR);
}

/* ---------------------------------------------------------------- simple reads and ZREM */

function zrem(c: Client, argv: string[]): void {
  const key = argv[1];
  const z = zsetWrite(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  removeMembers(c, key, z, (m) => z.remove(m), argv, 2, NOTIFY_ZSET, 'zrem');
}

function zcard(c: Client, argv: string[]): void {
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  c.reply.int(z === undefined ? 0 : z.size);
}

function zscore(c: Client, argv: string[]): void {
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  const s = z === undefined ? undefined : z.score(argv[2]);
  if (s === undefined) c.reply.nullBulk();
  else replyScore(c, s);
}

function zmscore(c: Client, argv: string[]): void {
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]);
    if (s === undefined) c.reply.nullBulk();
    else replyScore(c, s);
  }
}

function zrankGeneric(c: Client, argv: string[], rev: boolean): void {
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  const r = z === undefined ? -1 : z.rank(argv[2], rev);
  if (r < 0) c.reply.nullBulk();
  else c.reply.int(r);
}

function zcount(c: Client, argv: string[]): void {
  const r = parseScoreRange(argv[2], argv[3]);
  if (r === null) {
    c.error(ERR_MINMAX_FLOAT);
    return;
  }
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  const [s, e] = scoreRanks(z, r);
  c.reply.int(e - s);
}

function zlexcount(c: Client, argv: string[]): void {
  const r = parseLexRange(argv[2], argv[3]);
  if (r === null) {
    c.error(ERR_MINMAX_LEX);
    return;
  }
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  const [s, e] = lexRanks(z, r);
  c.reply.int(e - s);
}

/* ---------------------------------------------------------------- ZRANGE family */

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;
const DIR_AUTO = 0;
const DIR_FWD = 1;
const DIR_REV = 2;

/**
 * zrangeGenericCommand: argStart is the index of the source key; store is
 * the destination key for ZRANGESTORE (null otherwise).
 */
function zrangeGeneric(c: Client, argv: string[], argStart: number, store: string | null, rangeType: number, dir: number): void {
  const key = argv[argStart];
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (store === null && isWord(a, 'withscores')) withScores = true;
    else if (isWord(a, 'limit') && left >= 2) {
      const o = intArg(c, argv[j + 1]);
      if (o === null) return;
      const l = intArg(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === DIR_AUTO && isWord(a, 'rev')) dir = DIR_REV;
    else if (rangeType === RANGE_AUTO && isWord(a, 'bylex')) rangeType = RANGE_LEX;
    else if (rangeType === RANGE_AUTO && isWord(a, 'byscore')) rangeType = RANGE_SCORE;
    else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  if (dir === DIR_AUTO) dir = DIR_FWD;
  if (rangeType === RANGE_AUTO) rangeType = RANGE_RANK;
  if (limit !== -1 && rangeType === RANGE_RANK) {
    c.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && rangeType === RANGE_LEX) {
    c.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  const rev = dir === DIR_REV;
  if (rev && rangeType !== RANGE_RANK) {
    const t = minIdx;
    minIdx = maxIdx;
    maxIdx = t;
  }
  let rankStart = 0;
  let rankEnd = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (rangeType === RANGE_RANK) {
    const s = intArg(c, argv[minIdx]);
    if (s === null) return;
    const e = intArg(c, argv[maxIdx]);
    if (e === null) return;
    rankStart = s;
    rankEnd = e;
  } else if (rangeType === RANGE_SCORE) {
    scoreRange = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (scoreRange === null) {
      c.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lexRange === null) {
      c.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const z = zsetRead(c, key);
  if (z === null) return;
  // the ascending ranks [from, to] to emit, in reverse when rev
  let from = 0;
  let to = -1;
  if (z !== undefined) {
    const len = z.size;
    if (rangeType === RANGE_RANK) {
      let s = rankStart;
      let e = rankEnd;
      if (s < 0) s = len + s;
      if (e < 0) e = len + e;
      if (s < 0) s = 0;
      if (!(s > e || s >= len)) {
        if (e >= len) e = len - 1;
        if (rev) {
          from = len - 1 - e;
          to = len - 1 - s;
        } else {
          from = s;
          to = e;
        }
      }
    } else {
      const [a, b] = scoreRange !== null ? scoreRanks(z, scoreRange) : lexRanks(z, lexRange as LexRange);
      // a..b-1 in range; apply LIMIT from the iteration's start
      if (b > a && offset >= 0 && !(offset > 0 && offset >= len)) {
        let count = b - a - offset;
        if (limit >= 0 && count > limit) count = limit;
        if (count > 0) {
          if (rev) {
            to = b - 1 - offset;
            from = to - count + 1;
          } else {
            from = a + offset;
            to = from + count - 1;
          }
        }
      }
    }
  }
  if (store !== null) {
    storeRange(c, store, z === undefined ? null : z, from, to, rev);
    return;
  }
  if (z === undefined) {
    c.reply.emptyArray();
    return;
  }
  emitRange(c, z, from, to, rev, withScores);
}

function emitRange(c: Client, z: ZSet, from: number, to: number, rev: boolean, withScores: boolean): void {
  const n = to >= from ? to - from + 1 : 0;
  const w = c.reply;
  const resp3 = w.resp === 3;
  w.arrayHeader(withScores && !resp3 ? n * 2 : n);
  if (n === 0) return;
  if (!withScores) {
    z.forRange(from, to, rev, (m) => {
      w.bulk(m);
    });
  } else if (resp3) {
    z.forRange(from, to, rev, (m, s) => {
      w.arrayHeader(2);
      w.bulk(m);
      w.double(s);
    });
  } else {
    z.forRange(from, to, rev, (m, s) => {
      w.bulk(m);
      w.double(s);
    });
  }
}

function storeRange(c: Client, dst: string, z: ZSet | null, from: number, to: number, rev: boolean): void {
  const ks = c.server.keyspace;
  const n = z === null || to < from ? 0 : to - from + 1;
  if (n === 0 || z === null) {
    c.reply.int(0);
    if (c.db.delete(dst)) {
      ks.notify(NOTIFY_GENERIC, 'del', dst, c.db.id);
      ks.dirty++;
    }
    return;
  }
  const ms: string[] = [];
  const ss: number[] = [];
  let maxLen = 0;
  z.forRange(from, to, rev, (m, s) => {
    ms.push(m);
    ss.push(s);
    if (m.length > maxLen) maxLen = m.length;
  });
  const out = ZSet.forResult(c.server.config, n, maxLen);
  if (rev) {
    for (let i = ms.length - 1; i >= 0; i--) out.appendSorted(ms[i], ss[i]);
  } else {
    for (let i = 0; i < ms.length; i++) out.appendSorted(ms[i], ss[i]);
  }
  c.db.setKey(dst, out);
  c.reply.int(n);
  ks.notify(NOTIFY_ZSET, 'zrangestore', dst, c.db.id);
  ks.dirty++;
}

/* ---------------------------------------------------------------- ZREMRANGEBY* */

function zremrangeGeneric(c: Client, argv: string[], type: number): void {
  const key = argv[1];
  let rs = 0;
  let re = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (type === RANGE_RANK) {
    const s = intArg(c, argv[2]);
    if (s === null) return;
    const e = intArg(c, argv[3]);
    if (e === null) return;
    rs = s;
    re = e;
  } else if (type === RANGE_SCORE) {
    sr = parseScoreRange(argv[2], argv[3]);
    if (sr === null) {
      c.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lr = parseLexRange(argv[2], argv[3]);
    if (lr === null) {
      c.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const z = zsetWrite(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  let from: number;
  let to: number;
  if (type === RANGE_RANK) {
    const len = z.size;
    if (rs < 0) rs = len + rs;
    if (re < 0) re = len + re;
    if (rs < 0) rs = 0;
    if (rs > re || rs >= len) {
      c.reply.int(0);
      return;
    }
    if (re >= len) re = len - 1;
    from = rs;
    to = re;
  } else {
    const [a, b] = sr !== null ? scoreRanks(z, sr) : lexRanks(z, lr as LexRange);
    from = a;
    to = b - 1;
  }
  const deleted = to >= from ? z.removeRange(from, to) : 0;
  const ks = c.server.keyspace;
  if (deleted) {
    let removed = false;
    if (z.size === 0) {
      c.db.delete(key);
      removed = true;
    }
    ks.signalModified(c.db, key);
    const ev = type === RANGE_RANK ? 'zremrangebyrank' : type === RANGE_SCORE ? 'zremrangebyscore' : 'zremrangebylex';
    ks.notify(NOTIFY_ZSET, ev, key, c.db.id);
    if (removed) ks.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
  }
  ks.dirty += deleted;
  c.reply.int(deleted);
}

/* ---------------------------------------------------------------- pops */

/**
 * genericZpopCommand. emitKey: reply starts with the key (BZPOP*, ZMPOP);
 * nested: elements as [member, score] pairs (ZMPOP, RESP3 ZPOP with count).
 * Returns the key popped from, or null (nothing to pop, count 0, or a
 * WRONGTYPE error; all replied).
 */
/** What a pop removed: the key and how many elements (Redis propagates the number actually popped). */
interface Popped {
  key: string;
  popped: number;
}

function popGeneric(c: Client, keys: string[], max: boolean, emitKey: boolean, count: number, nested: boolean): Popped | null {
  let z: ZSet | undefined;
  let key = '';
  for (let i = 0; i < keys.length; i++) {
    const v = c.db.lookupWrite(keys[i]);
    if (v === undefined) continue;
    if (!(v instanceof ZSet)) {
      c.error(WRONGTYPE);
      return null;
    }
    z = v;
    key = keys[i];
    break;
  }
  if (z === undefined) {
    if (emitKey) c.reply.nullArray();
    else c.reply.emptyArray();
    return null;
  }
  if (count === 0) {
    c.reply.emptyArray();
    return null;
  }
  if (count < 0) count = 1;
  const len = z.size;
  const n = count > len ? len : count;
  const w = c.reply;
  if (!nested && !emitKey) w.arrayHeader(n * 2);
  else if (nested && !emitKey) w.arrayHeader(n);
  else if (!nested && emitKey) {
    w.arrayHeader(n * 2 + 1);
    w.bulk(key);
  } else {
    w.arrayHeader(2);
    w.bulk(key);
    w.arrayHeader(n);
  }
  const ks = c.server.keyspace;
  for (let k = 0; k < n; k++) {
    const e = z.removeAt(max ? z.size - 1 : 0);
    if (nested) w.arrayHeader(2);
    w.bulk(e[0]);
    w.double(e[1]);
  }
  ks.dirty += n;
  ks.notify(NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin', key, c.db.id);
  if (z.size === 0) {
    c.db.delete(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
  } else {
    ks.signalModified(c.db, key);
  }
  return { key, popped: n };
}

/**
 * Propagate a [B]ZMPOP or BZPOP* as Redis rewrites it: ZPOPMIN/ZPOPMAX key,
 * with the number of elements actually popped when a count was given.
 */
function propagatePop(c: Client, p: Popped, max: boolean, count: number): void {
  const name = max ? 'ZPOPMAX' : 'ZPOPMIN';
  c.server.keyspace.propagate(c.db.id, count < 0 ? [name, p.key] : [name, p.key, String(p.popped)]);
}

function zpopGeneric(c: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) {
    c.error(ERR_SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const v = parseInteger(argv[2]);
    if (v === null || v < 0) {
      c.error(ERR_POSITIVE);
      return;
    }
    count = v;
  }
  popGeneric(c, [argv[1]], max, false, count, c.reply.resp === 3 && argv.length === 3);
}

/** Parse numkeys, keys, MIN|MAX and COUNT of [B]ZMPOP from argv[idx]. */
function parseMpop(c: Client, argv: string[], idx: number): { keys: string[]; max: boolean; count: number } | null {
  const nk = parseInteger(argv[idx]);
  if (nk === null || nk < 1) {
    c.error('ERR numkeys should be greater than 0');
    return null;
  }
  const whereIdx = idx + nk + 1;
  if (whereIdx >= argv.length) {
    c.error(ERR_SYNTAX);
    return null;
  }
  let max: boolean;
  if (isWord(argv[whereIdx], 'min')) max = false;
  else if (isWord(argv[whereIdx], 'max')) max = true;
  else {
    c.error(ERR_SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && isWord(argv[j], 'count') && more > 0) {
      j++;
      const v = parseInteger(argv[j]);
      if (v === null || v < 1) {
        c.error('ERR count should be greater than 0');
        return null;
      }
      count = v;
    } else {
      c.error(ERR_SYNTAX);
      return null;
    }
  }
  if (count === -1) count = 1;
  return { keys: argv.slice(idx + 1, idx + 1 + nk), max, count };
}

function zmpop(c: Client, argv: string[]): void {
  const p = parseMpop(c, argv, 1);
  if (p === null) return;
  const popped = popGeneric(c, p.keys, p.max, true, p.count, true);
  if (popped !== null) propagatePop(c, popped, p.max, p.count);
}

/** getTimeoutFromObjectOrReply (seconds, as a float): ms, or null after replying. */
function timeoutArg(c: Client, s: string): number | null {
  const v = parseDouble(s);
  if (v === null) {
    c.error('ERR timeout is not a float or out of range');
    return null;
  }
  const ms = v * 1000;
  if (ms > 9223372036854775807) {
    c.error('ERR timeout is out of range');
    return null;
  }
  const t = Math.ceil(ms);
  if (t < 0) {
    c.error('ERR timeout is negative');
    return null;
  }
  return t;
}

function blockingPop(c: Client, keys: string[], max: boolean, timeoutArgStr: string, count: number, nested: boolean): void {
  const timeout = timeoutArg(c, timeoutArgStr);
  if (timeout === null) return;
  for (let i = 0; i < keys.length; i++) {
    const v = c.db.lookupWrite(keys[i]);
    if (v === undefined) continue;
    if (!(v instanceof ZSet)) {
      c.error(WRONGTYPE);
      return;
    }
    if (v.size === 0) continue;
    const popped = popGeneric(c, [keys[i]], max, true, count, nested);
    if (popped !== null) propagatePop(c, popped, max, count);
    return;
  }
  if (c.denyBlocking) {
    c.reply.nullArray();
    return;
  }
  const db = c.db;
  c.server.blocking.block(c, db, keys, timeout, {
    serve(key: string): boolean {
      const v = c.db.lookupWrite(key);
      if (!(v instanceof ZSet) || v.size === 0) return false;
      const popped = popGeneric(c, [key], max, true, count, nested);
      if (popped !== null) propagatePop(c, popped, max, count);
      return true;
    },
    timeout(): void {
      c.reply.nullArray();
    },
  });
}

function bzpopGeneric(c: Client, argv: string[], max: boolean): void {
  blockingPop(c, argv.slice(1, argv.length - 1), max, argv[argv.length - 1], -1, false);
}

function bzmpop(c: Client, argv: string[]): void {
  const p = parseMpop(c, argv, 2);
  if (p === null) return;
  blockingPop(c, p.keys, p.max, argv[1], p.count, true);
}

/* ---------------------------------------------------------------- ZRANDMEMBER */

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const l = parseInteger(argv[2]);
    if (l === null) {
      c.error(ERR_NOT_INTEGER);
      return;
    }
    if (argv[2] === '-9223372036854775808') {
      c.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      return;
    }
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3], 'withscores'))) {
      c.error(ERR_SYNTAX);
      return;
    }
    if (argv.length === 4) withScores = true;
    zrandmemberWithCount(c, argv[1], l, withScores, argv[2]);
    return;
  }
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.bulk(z.random()[0]);
}

function zrandmemberWithCount(c: Client, key: string, l: number, withScores: boolean, argv2: string): void {
  const z = zsetRead(c, key);
  if (z === null) return;
  if (z === undefined || l === 0) {
    c.reply.emptyArray();
    return;
  }
  const w = c.reply;
  const resp3 = w.resp === 3;
  const emit = (m: string, s: number) => {
    if (withScores && resp3) w.arrayHeader(2);
    w.bulk(m);
    if (withScores) w.double(s);
  };
  const size = z.size;
  if (l < 0) {
    // repetitions allowed
    // Redis refuses counts whose reply size would overflow; beyond 2^32
    // elements it would drop the client anyway (output buffer limits)
    if ((withScores && (l < -4611686018427387903 || parseBigInteger(String(argv2)) as bigint < -4611686018427387903n)) || l < -4294967296) {
      c.error('ERR value is out of range');
      return;
    }
    const count = -l;
    w.arrayHeader(withScores && !resp3 ? count * 2 : count);
    for (let k = 0; k < count; k++) {
      const e = z.random();
      emit(e[0], e[1]);
    }
    return;
  }
  const count = l;
  if (count >= size) {
    w.arrayHeader(withScores && !resp3 ? size * 2 : size);
    z.forEach(emit);
    return;
  }
  w.arrayHeader(withScores && !resp3 ? count * 2 : count);
  if (z.tree !== null && count * 3 <= size) {
    const seen = new Set<string>();
    while (seen.size < count) {
      const e = z.random();
      if (seen.has(e[0])) continue;
      seen.add(e[0]);
      emit(e[0], e[1]);
    }
    return;
  }
  // partial shuffle of ranks
  const idx = new Array<number>(size);
  for (let i = 0; i < size; i++) idx[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
    const e = z.memberAt(idx[i]);
    emit(e[0], e[1]);
  }
}

/* ---------------------------------------------------------------- ZUNION / ZINTER / ZDIFF */

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

/** An input of the set algebra: a sorted set, a plain set (scores 1), or nothing. */
interface Src {
  z: ZSet | null;
  set: SetLike | null;
  weight: number;
  size: number;
}

/**
 * What we need of the set type (owned by another module): iteration over
 * its members and membership tests. Looked up by duck typing so that this
 * module does not depend on that type's internals.
 */
interface SetLike {
  kind: 'set';
  size?: number;
  has?(m: string): boolean;
  contains?(m: string): boolean;
  isMember?(m: string): boolean;
  forEach?(fn: (m: string) => void): void;
  members?(): Iterable<string>;
}

function setSize(s: SetLike): number {
  if (typeof s.size === 'number') return s.size;
  let n = 0;
  setForEach(s, () => n++);
  return n;
}

function setHas(s: SetLike, m: string): boolean {
  if (typeof s.has === 'function') return s.has(m);
  if (typeof s.contains === 'function') return s.contains(m);
  if (typeof s.isMember === 'function') return s.isMember(m);
  let found = false;
  setForEach(s, (x) => {
    if (x === m) found = true;
  });
  return found;
}

function setForEach(s: SetLike, fn: (m: string) => void): void {
  if (typeof s.forEach === 'function') {
    s.forEach((m: string) => fn(m));
    return;
  }
  if (typeof s.members === 'function') {
    for (const m of s.members()) fn(m);
  }
}

function srcForEach(src: Src, fn: (m: string, s: number) => void): void {
  if (src.z !== null) src.z.forEach(fn);
  else if (src.set !== null) setForEach(src.set, (m) => fn(m, 1));
}

function srcScore(src: Src, m: string): number | undefined {
  if (src.z !== null) return src.z.score(m);
  if (src.set !== null) return setHas(src.set, m) ? 1 : undefined;
  return undefined;
}

function aggregate(agg: number, a: number, b: number): number {
  if (agg === AGG_SUM) {
    const r = a + b;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === AGG_MIN) return b < a ? b : a;
  return b > a ? b : a;
}

function zsetOpGeneric(c: Client, argv: string[], dst: string | null, numkeysIdx: number, op: number, cardOnly: boolean): void {
  const setnum = parseInteger(argv[numkeysIdx]);
  if (setnum === null) {
    c.error(ERR_NOT_INTEGER);
    return;
  }
  if (setnum < 1) {
    c.error(`ERR at least 1 input key is needed for '${argv[0].toLowerCase()}' command`);
    return;
  }
  if (setnum > argv.length - (numkeysIdx + 1)) {
    c.error(ERR_SYNTAX);
    return;
  }
  const srcs: Src[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v: RedisValue | undefined = dst !== null ? c.db.lookupWrite(argv[j]) : c.db.lookupRead(argv[j]);
    const src: Src = { z: null, set: null, weight: 1, size: 0 };
    if (v !== undefined) {
      if (v instanceof ZSet) {
        src.z = v;
        src.size = v.size;
      } else if (typeof v !== 'string' && v.kind === 'set') {
        src.set = v as unknown as SetLike;
        src.size = setSize(src.set);
      } else {
        c.error(WRONGTYPE);
        return;
      }
    }
    srcs.push(src);
  }
  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const a = argv[j];
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && isWord(a, 'weights')) {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const w = parseDouble(argv[j]);
        if (w === null) {
          c.error('ERR weight value is not a float');
          return;
        }
        srcs[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && isWord(a, 'aggregate')) {
      j++;
      const t = argv[j];
      if (isWord(t, 'sum')) agg = AGG_SUM;
      else if (isWord(t, 'min')) agg = AGG_MIN;
      else if (isWord(t, 'max')) agg = AGG_MAX;
      else {
        c.error(ERR_SYNTAX);
        return;
      }
      j++;
      remaining -= 2;
    } else if (remaining >= 1 && dst === null && !cardOnly && isWord(a, 'withscores')) {
      j++;
      remaining--;
      withScores = true;
    } else if (cardOnly && remaining >= 2 && isWord(a, 'limit')) {
      j++;
      const l = parseInteger(argv[j]);
      if (l === null || l < 0) {
        c.error("ERR LIMIT can't be negative");
        return;
      }
      limit = l;
      j++;
      remaining -= 2;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  if (op !== OP_DIFF) {
    // smallest input first (stable)
    srcs.sort((x, y) => x.size - y.size);
  }
  const resMembers: string[] = [];
  const resScores: number[] = [];
  let cardinality = 0;
  if (op === OP_INTER) {
    const first = srcs[0];
    if (first.size > 0) {
      const emitAll = !cardOnly;
      const visit = (m: string, s0: number): boolean => {
        let score = first.weight * s0;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < srcs.length; k++) {
          const other = srcs[k];
          let value: number | undefined;
          if ((other.z !== null && other.z === first.z) || (other.set !== null && other.set === first.set)) value = s0;
          else value = srcScore(other, m);
          if (value === undefined) break;
          score = aggregate(agg, score, value * other.weight);
        }
        if (k === srcs.length) {
          if (emitAll) {
            resMembers.push(m);
            resScores.push(score);
          } else {
            cardinality++;
            if (limit && cardinality >= limit) return false;
          }
        }
        return true;
      };
      if (first.z !== null) first.z.forRange(0, first.z.size - 1, false, visit);
      else {
        let stop = false;
        srcForEach(first, (m, s) => {
          if (!stop && visit(m, s) === false) stop = true;
        });
      }
    }
  } else if (op === OP_UNION) {
    const acc = new Map<string, number>();
    for (const src of srcs) {
      if (src.size === 0) continue;
      srcForEach(src, (m, s0) => {
        let score = src.weight * s0;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(agg, cur, score));
      });
    }
    for (const [m, s] of acc) {
      resMembers.push(m);
      resScores.push(s);
    }
  } else {
    const first = srcs[0];
    if (first.size > 0) {
      srcForEach(first, (m, s) => {
        for (let k = 1; k < srcs.length; k++) {
          if (srcs[k].size > 0 && srcScore(srcs[k], m) !== undefined) return;
        }
        resMembers.push(m);
        resScores.push(s);
      });
    }
  }
  if (cardOnly) {
    c.reply.int(cardinality);
    return;
  }
  // sort the result by (score, member)
  const n = resMembers.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const sa = resScores[a];
    const sb = resScores[b];
    if (sa < sb) return -1;
    if (sa > sb) return 1;
    const ma = resMembers[a];
    const mb = resMembers[b];
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  const ks = c.server.keyspace;
  if (dst !== null) {
    if (n > 0) {
      let maxLen = 0;
      for (let i = 0; i < n; i++) if (resMembers[i].length > maxLen) maxLen = resMembers[i].length;
      const out = ZSet.forResult(c.server.config, n, maxLen);
      for (let i = 0; i < n; i++) out.appendSorted(resMembers[order[i]], resScores[order[i]]);
      c.db.setKey(dst, out);
      c.reply.int(n);
      ks.notify(NOTIFY_ZSET, op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore', dst, c.db.id);
      ks.dirty++;
    } else {
      c.reply.int(0);
      if (c.db.delete(dst)) {
        ks.notify(NOTIFY_GENERIC, 'del', dst, c.db.id);
        ks.dirty++;
      }
    }
    return;
  }
  const w = c.reply;
  const resp3 = w.resp === 3;
  w.arrayHeader(withScores && !resp3 ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    const k = order[i];
    if (withScores && resp3) w.arrayHeader(2);
    w.bulk(resMembers[k]);
    if (withScores) w.double(resScores[k]);
  }
}

/* ---------------------------------------------------------------- ZSCAN */

function zscan(c: Client, argv: string[]): void {
  scanCollection(c, argv, zsetRead, (z, cursor, count, keep, out) => {
    const visit = (m: string, s: number): void => {
      if (keep(m)) out.push(m, formatG17(s));
    };
    if (z.dict !== null) return scanDict(z.dict, cursor, count, visit);
    z.forEach(visit);
    return 0;
  });
}

export const handlers: HandlerMap = {
  zadd,
  zincrby,
  zrem,
  zcard,
  zscore,
  zmscore,
  zrank: (c, argv) => zrankGeneric(c, argv, false),
  zrevrank: (c, argv) => zrankGeneric(c, argv, true),
  zcount,
  zlexcount,
  zrange: (c, argv) => zrangeGeneric(c, argv, 1, null, RANGE_AUTO, DIR_AUTO),
  zrangestore: (c, argv) => zrangeGeneric(c, argv, 2, argv[1], RANGE_AUTO, DIR_AUTO),
  zrevrange: (c, argv) => zrangeGeneric(c, argv, 1, null, RANGE_RANK, DIR_REV),
  zrangebyscore: (c, argv) => zrangeGeneric(c, argv, 1, null, RANGE_SCORE, DIR_FWD),
  zrevrangebyscore: (c, argv) => zrangeGeneric(c, argv, 1, null, RANGE_SCORE, DIR_REV),
  zrangebylex: (c, argv) => zrangeGeneric(c, argv, 1, null, RANGE_LEX, DIR_FWD),
  zrevrangebylex: (c, argv) => zrangeGeneric(c, argv, 1, null, RANGE_LEX, DIR_REV),
  zremrangebyrank: (c, argv) => zremrangeGeneric(c, argv, RANGE_RANK),
  zremrangebyscore: (c, argv) => zremrangeGeneric(c, argv, RANGE_SCORE),
  zremrangebylex: (c, argv) => zremrangeGeneric(c, argv, RANGE_LEX),
  zpopmin: (c, argv) => zpopGeneric(c, argv, false),
  zpopmax: (c, argv) => zpopGeneric(c, argv, true),
  zmpop,
  bzpopmin: (c, argv) => bzpopGeneric(c, argv, false),
  bzpopmax: (c, argv) => bzpopGeneric(c, argv, true),
  bzmpop,
  zrandmember,
  zunion: (c, argv) => zsetOpGeneric(c, argv, null, 1, OP_UNION, false),
  zinter: (c, argv) => zsetOpGeneric(c, argv, null, 1, OP_INTER, false),
  zdiff: (c, argv) => zsetOpGeneric(c, argv, null, 1, OP_DIFF, false),
  zunionstore: (c, argv) => zsetOpGeneric(c, argv, argv[1], 2, OP_UNION, false),
  zinterstore: (c, argv) => zsetOpGeneric(c, argv, argv[1], 2, OP_INTER, false),
  zdiffstore: (c, argv) => zsetOpGeneric(c, argv, argv[1], 2, OP_DIFF, false),
  zintercard: (c, argv) => zsetOpGeneric(c, argv, null, 1, OP_INTER, true),
  zscan,
};
