/*
 * SORT and SORT_RO (Redis 7.0's sort.c): order the elements of a list, set
 * or sorted set numerically or lexicographically, by their own value or by
 * the value of other keys (BY pattern, "->field" for hash fields), page the
 * result (LIMIT), replace elements with looked-up values (GET, "#" for the
 * element itself), and reply or store the result as a list (STORE).
 *
 * Rules kept from Redis:
 * - options are parsed before the key is looked up; a BY pattern without
 *   '*' means "do not sort" (and stays so even if a later BY has one);
 * - a set with "do not sort" is sorted ALPHA anyway when the result is
 *   stored (or, later, when a script runs SORT), so that replicas agree;
 * - lists and sorted sets with "do not sort" keep their native order
 *   (DESC walks it backwards) and LIMIT selects directly in it;
 * - numeric sorting parses with strtod's rules (leading blanks, hex, inf;
 *   NaN, trailing bytes, overflow and underflow refused) and fails the whole
 *   command with "One or more scores can't be converted into double" only
 *   after sorting; a missing BY key sorts as 0 (numeric) or first (ALPHA);
 *   equal scores fall back to comparing the elements' bytes;
 * - STORE writes a list (or deletes the destination when the result is
 *   empty) and counts one change per stored element.
 *
 * VALUE ADAPTERS. The list, set, sorted set and hash types are written in
 * their own modules; SORT reads them only through these duck-typed methods,
 * which each type must provide:
 *   kind 'list':  toArray(): string[]   elements, head to tail
 *   kind 'set':   toArray(): string[]   members in the type's iteration
 *                                       order (what SMEMBERS returns)
 *   kind 'zset':  toArray(): string[]   members by ascending (score, member)
 *                 convertToSkiplist?(): void   optional: Redis converts a
 *                                       listpack sorted set to skiplist on
 *                                       SORT (OBJECT ENCODING shows it)
 *   kind 'hash':  get(field: string): string | undefined   a field's value
 * Elements are latin1 strings (integers in compact encodings rendered in
 * decimal). STORE creates a list value (ListValue). A set sorted BY nosort
 * from a script (a script client) comes out ALPHA-sorted, as Redis does for
 * determinism.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import type { Database } from '../keyspace/database';
import { type RedisObject, type RedisValue, WRONGTYPE, stringOf, isStringValue } from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/notify-flags';
import { intArg, isWord, ERR_SYNTAX } from '../command-model/args';
import { ListValue } from '../types/list';
import { aclFullKeyAccess } from './acl';

/** What SORT reads from lists, sets and sorted sets. */
export interface SortableValue extends RedisObject {
  toArray(): string[];
  convertToSkiplist?(): void;
}

/** What SORT reads from hashes (BY/GET patterns with "->field"). */
export interface HashFieldReader extends RedisObject {
  get(field: string): string | undefined;
}

const ERR_SCORES = "ERR One or more scores can't be converted into double";

/** One element being sorted: its value, its numeric score, or its ALPHA comparison value. */
interface SortItem {
  obj: string;
  score: number;
  /** the BY value for ALPHA sorting with a pattern; null when the key is missing */
  cmp: string | null;
}

/** The part of a byte string that C string functions see (up to the first NUL). */
function cLength(s: string): number {
  const z = s.indexOf('\0');
  return z < 0 ? s.length : z;
}

/**
 * Resolve a GET/BY pattern for one element (Redis's lookupKeyByPattern):
 * "#" is the element itself; the first '*' is replaced by the element; a
 * "->field" after the '*' reads that field of a hash. Returns undefined when
 * the pattern has no '*', the key is missing or holds the wrong type.
 */
function lookupKeyByPattern(db: Database, pattern: string, subst: string): string | undefined {
  const climit = cLength(pattern);
  if (climit === 1 && pattern.charCodeAt(0) === 35 /* # */) return subst;
  const p = pattern.indexOf('*');
  if (p < 0 || p >= climit) return undefined;
  const f = pattern.indexOf('->', p + 1);
  let field: string | null = null;
  let keyEnd = pattern.length;
  if (f >= 0 && f + 2 < climit) {
    field = pattern.slice(f + 2);
    keyEnd = f;
  }
  const key = pattern.slice(0, p) + subst + pattern.slice(p + 1, keyEnd);
  const o = db.lookupRead(key);
  if (o === undefined) return undefined;
  if (field !== null) {
    if (typeof o === 'string' || o.kind !== 'hash') return undefined;
    return (o as HashFieldReader).get(field);
  }
  return isStringValue(o) ? stringOf(o) : undefined;
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

const STRTOD_DEC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const STRTOD_HEX = /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?/;
const STRTOD_INF = /^[+-]?(infinity|inf)/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * A hexadecimal float body ("1.8p3" without 0x) as strtod reads it: the
 * value, and whether a denormal result is exact (glibc reports ERANGE only
 * for inexact underflow).
 */
function parseHexFloat(mant: string, exp: string | undefined): { v: number; exactDenormal: boolean } {
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const fracDigits = dot < 0 ? 0 : mant.length - dot - 1;
  let m = digits.length === 0 ? 0n : BigInt('0x' + digits);
  let e = (exp === undefined ? 0 : parseInt(exp, 10)) - 4 * fracDigits;
  if (m === 0n) return { v: 0, exactDenormal: false };
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  const exactDenormal = m < 1n << 53n && e >= -1074;
  // m * 2^e, rounded once: scale in two steps so that neither overflows early
  const v = Number(m) * Math.pow(2, e / 2 | 0) * Math.pow(2, e - (e / 2 | 0));
  return { v, exactDenormal };
}

/**
 * A SORT score: strtod over the string as C sees it (up to a NUL), the whole
 * of it consumed; NaN and out-of-range values (ERANGE) refused. An empty
 * string is 0, as strtod leaves nothing unparsed. Returns null on error.
 */
export function sortScore(s: string): number | null {
  const n = cLength(s);
  if (n === 0) return 0;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  const body = i === 0 && n === s.length ? s : s.slice(i, n);
  let m = STRTOD_INF.exec(body);
  if (m !== null) {
    if (m[0].length !== body.length) return null;
    return body.charCodeAt(0) === 45 ? -Infinity : Infinity;
  }
  m = STRTOD_HEX.exec(body);
  let v: number;
  let exactDenormal = false;
  if (m !== null) {
    if (m[0].length !== body.length) return null;
    const h = parseHexFloat(m[1], m[2] === undefined ? undefined : m[2].slice(1));
    v = body.charCodeAt(0) === 45 ? -h.v : h.v;
    exactDenormal = h.exactDenormal;
  } else {
    m = STRTOD_DEC.exec(body);
    if (m === null || m[0].length !== body.length) return null;
    v = Number(body);
  }
  if (Number.isNaN(v) || !Number.isFinite(v)) return null;
  // underflow (ERANGE): a non-zero number that came out denormal or zero
  const a = Math.abs(v);
  if (a < MIN_NORMAL && !exactDenormal && (a !== 0 || /[1-9a-fA-F]/.test(m[1]))) return null;
  return v;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: byte order of the C strings (up to the first NUL). */
function compareCStrings(a: string, b: string): number {
  const na = cLength(a);
  const nb = cLength(b);
  return compareBytes(na === a.length ? a : a.slice(0, na), nb === b.length ? b : b.slice(0, nb));
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  const cluster = c.server.config.clusterEnabled;

  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (isWord(a, 'asc')) {
      desc = false;
    } else if (isWord(a, 'desc')) {
      desc = true;
    } else if (isWord(a, 'alpha')) {
      alpha = true;
    } else if (left >= 2 && isWord(a, 'limit')) {
      const s = intArg(c, argv[j + 1]);
      if (s === null) return;
      const n = intArg(c, argv[j + 2]);
      if (n === null) return;
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && left >= 1 && isWord(a, 'store')) {
      storekey = argv[++j];
    } else if (left >= 1 && isWord(a, 'by')) {
      sortby = argv[j + 1];
      const star = sortby.indexOf('*');
      if (star < 0 || star >= cLength(sortby)) {
        dontsort = true;
      } else if (cluster) {
        c.error('ERR BY option of SORT denied in Cluster mode.');
        return;
      } else if (!aclFullKeyAccess(c, argv)) {
        c.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
        return;
      }
      j++;
    } else if (left >= 1 && isWord(a, 'get')) {
      if (cluster) {
        c.error('ERR GET option of SORT denied in Cluster mode.');
        return;
      }
      if (!aclFullKeyAccess(c, argv)) {
        c.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
        return;
      }
      gets.push(argv[++j]);
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }

  const db = c.db;
  const sortval: RedisValue | undefined = db.lookupRead(argv[1]);
  let kind: 'list' | 'set' | 'zset' = 'list';
  if (sortval !== undefined) {
    if (typeof sortval === 'string' || (sortval.kind !== 'list' && sortval.kind !== 'set' && sortval.kind !== 'zset')) {
      c.error(WRONGTYPE);
      return;
    }
    kind = sortval.kind;
  }
  const source = sortval as SortableValue | undefined;

  // a set has no order of its own: make stored (and scripted) results deterministic
  if (dontsort && kind === 'set' && (storekey !== null || c.isScriptClient)) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  if (kind === 'zset') source?.convertToSkiplist?.();

  const all = source === undefined ? [] : source.toArray();
  let vectorlen = all.length;
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  const count = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  let elements: string[];
  if (dontsort && kind !== 'set') {
    // native order (backwards for DESC), only the LIMIT range
    elements = [];
    if (end >= start) {
      const len = all.length;
      if (desc) for (let i = len - 1 - start, k = 0; k <= end - start; i--, k++) elements.push(all[i]);
      else for (let i = start; i <= end; i++) elements.push(all[i]);
      end -= start;
      start = 0;
    }
    vectorlen = elements.length;
  } else {
    elements = all;
  }

  let conversionError = false;
  let order: SortItem[] | null = null;
  if (!dontsort) {
    order = new Array<SortItem>(vectorlen);
    for (let j = 0; j < vectorlen; j++) {
      const item: SortItem = { obj: elements[j], score: 0, cmp: null };
      order[j] = item;
      let byval: string | undefined;
      if (sortby !== null) {
        byval = lookupKeyByPattern(db, sortby, item.obj);
        if (byval === undefined) continue;
      } else {
        byval = item.obj;
      }
      if (alpha) {
        if (sortby !== null) item.cmp = byval;
      } else {
        const sc = sortScore(byval);
        if (sc === null) conversionError = true;
        else item.score = sc;
      }
    }
    order.sort(makeComparator(alpha, sortby !== null, storekey !== null, desc));
  }

  const outCount = end - start + 1;
  const outputlen = gets.length > 0 ? gets.length * outCount : outCount;
  if (conversionError) {
    c.error(ERR_SCORES);
    return;
  }
  const elementAt = order === null ? (j: number) => elements[j] : (j: number) => (order as SortItem[])[j].obj;
  if (storekey === null) {
    const r = c.reply;
    r.arrayHeader(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = elementAt(j);
      if (gets.length === 0) r.bulk(obj);
      for (const pat of gets) {
        const val = lookupKeyByPattern(db, pat, obj);
        if (val === undefined) r.nullBulk();
        else r.bulk(val);
      }
    }
    return;
  }
  const items: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = elementAt(j);
    if (gets.length === 0) items.push(obj);
    for (const pat of gets) items.push(lookupKeyByPattern(db, pat, obj) ?? '');
  }
  const ks = c.server.keyspace;
  if (outputlen > 0) {
    db.setKey(storekey, ListValue.from(items, c.server.config.listMaxListpackSize, c.server.config.listCompressDepth));
    ks.notify(NOTIFY_LIST, 'sortstore', storekey, db.id);
    ks.dirty += outputlen;
  } else if (db.delete(storekey)) {
    ks.notify(NOTIFY_GENERIC, 'del', storekey, db.id);
    ks.dirty++;
  }
  c.reply.int(outputlen);
}

/** Redis's sortCompare for one SORT invocation's options. */
function makeComparator(alpha: boolean, byPattern: boolean, store: boolean, desc: boolean): (a: SortItem, b: SortItem) => number {
  const sign = desc ? -1 : 1;
  if (!alpha) {
    return (a, b) => {
      // equal scores: the elements' bytes decide, so the result is deterministic
      const cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.obj, b.obj);
      return sign * cmp;
    };
  }
  const strcmp = store ? compareBytes : compareCStrings;
  if (byPattern) {
    return (a, b) => {
      let cmp: number;
      if (a.cmp === null || b.cmp === null) cmp = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
      else cmp = strcmp(a.cmp, b.cmp);
      return sign * cmp;
    };
  }
  return (a, b) => sign * strcmp(a.obj, b.obj);
}

export const handlers: HandlerMap = {
  sort: (c, argv) => sortGeneric(c, argv, false),
  sort_ro: (c, argv) => sortGeneric(c, argv, true),
};
