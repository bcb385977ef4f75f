/*
 * Geospatial commands (Redis 7.0): GEOADD, GEODIST, GEOHASH, GEOPOS,
 * GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH and GEOSEARCHSTORE.
 *
 * A geo set is an ordinary sorted set whose scores are 52-bit geohashes
 * (src/types/geohash.ts). GEOADD behaves as the ZADD Redis rewrites it into:
 * it sends the "zadd" event and propagates as "zadd key [options] score
 * member ...". Searches scan the score ranges of the 9 cells that cover the
 * shape, keep the points inside it, then sort by distance (a stable sort,
 * as glibc's qsort is for these sizes) when asked or when COUNT is given
 * without ANY. STORE/STOREDIST (and GEOSEARCHSTORE) write a sorted set whose
 * scores are the geohashes or the distances in the unit asked.
 *
 * Reply formats follow Redis: distances as bulk strings with 4 decimals
 * (rounded as llrint(d * 10000)), coordinates as Redis's "human" long
 * double text (17 decimals, trailing zeros dropped) in a bulk (RESP2) or a
 * RESP3 double, hashes as integers.
 *
 * The search keeps its matches in module-level arrays reused across calls
 * and walks the zset's storage directly (the listpack arrays, or the
 * tree's chain of leaves from the first rank in range), so scanning a
 * candidate allocates nothing and calls no callback; only matched points
 * take space.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/notify-flags';
import { ERR_SYNTAX, floatArg, intArg } from '../command-model/args';
import { ZSet } from '../types/zset';
import { zaddGeneric, zsetRead } from './zset';
import type { ZLeaf } from '../types/zset-tree';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  SHAPE_BOX,
  SHAPE_CIRCLE,
  areasForShape,
  cellScoreMax,
  cellScoreMin,
  decodeScore,
  distance,
  encodeScore,
  geohashString,
  newShape,
  searchCells,
  withinShape,
  xy,
  type GeoShape,
} from '../types/geohash';

const ERR_UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const ERR_DECODE_MEMBER = 'ERR could not decode requested zset member';

/* ---------------------------------------------------------------- number formats */

/**
 * x.toFixed(n), but with C's rounding of exact ties (half to even) where
 * JavaScript rounds them away from zero. A tie at n digits happens exactly
 * when x * 2^(n+1) is an odd integer.
 */
function toFixedEven(x: number, n: number): string {
  const s = x.toFixed(n);
  const k = x * 2 ** (n + 1);
  if (!Number.isInteger(k) || k % 2 === 0) return s;
  const last = s.charCodeAt(s.length - 1) - 48;
  if ((last & 1) === 0) return s;
  // the value truncated toward zero has the even last digit
  const t = x.toFixed(n + 1);
  return t.slice(0, t.length - 1);
}

/** C's printf("%f") (6 decimals), for the invalid-pair error. */
function formatF6(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.000000';
  if (Math.abs(x) >= 1e21) return BigInt(x).toString() + '.000000';
  return toFixedEven(x, 6);
}

/** Redis's "human" long double text: %.17Lf without trailing zeros, "-0" shown as "0". */
export function formatHuman(x: number): string {
  let s: string;
  if (Math.abs(x) >= 1e21) s = BigInt(x).toString();
  else {
    s = toFixedEven(x, 17);
    let l = s.length;
    while (s.charCodeAt(l - 1) === 48) l--;
    if (s.charCodeAt(l - 1) === 46) l--;
    s = s.slice(0, l);
  }
  if (s === '-0') return '0';
  return s;
}

/** fixedpoint_d2string(d, 4): llrint(d * 10^4) (half to even) shown with 4 decimals. */
export function formatDist(d: number): string {
  if (d === 0) return '0.0000';
  const v = d * 10000;
  let r = Math.floor(v);
  const frac = v - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 !== 0)) r += 1;
  const neg = r < 0;
  if (neg) r = -r;
  const ip = Math.floor(r / 10000);
  const fp = r - ip * 10000;
  const fs = fp < 10 ? '000' + fp : fp < 100 ? '00' + fp : fp < 1000 ? '0' + fp : String(fp);
  return (neg ? '-' : '') + ip + '.' + fs;
}

/* ---------------------------------------------------------------- argument helpers */

/** Parsed longitude/latitude pair (scratch). */
const lonlat = new Float64Array(2);

/** extractLongLatOrReply: two doubles at argv[i], argv[i+1] within the limits; into lonlat. */
function lonLatArg(c: Client, argv: string[], i: number): boolean {
  const lon = floatArg(c, argv[i]);
  if (lon === null) return false;
  const lat = floatArg(c, argv[i + 1]);
  if (lat === null) return false;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.error(`ERR invalid longitude,latitude pair ${formatF6(lon)},${formatF6(lat)}`);
    return false;
  }
  lonlat[0] = lon;
  lonlat[1] = lat;
  return true;
}

/** Meters per unit, or -1 after replying with the error. */
function unitArg(c: Client, s: string): number {
  const u = s.length <= 2 ? s.toLowerCase() : '';
  if (u === 'm') return 1;
  if (u === 'km') return 1000;
  if (u === 'ft') return 0.3048;
  if (u === 'mi') return 1609.34;
  c.error(ERR_UNIT);
  return -1;
}

/* ---------------------------------------------------------------- GEOADD */

function geoadd(c: Client, argv: string[]): void {
  let xx = false;
  let nx = false;
  let i = 2;
  const argc = argv.length;
  for (; i < argc; i++) {
    const o = argv[i];
    if (o.length !== 2) break;
    const l = o.toLowerCase();
    if (l === 'nx') nx = true;
    else if (l === 'xx') xx = true;
    else if (l !== 'ch') break; // CH only matters to the ZADD below
  }
  const longIdx = i;
  if ((argc - longIdx) % 3 !== 0 || (xx && nx)) {
    c.error(ERR_SYNTAX);
    return;
  }
  // no elements: the rewritten ZADD below replies ERR_SYNTAX itself
  const elements = (argc - longIdx) / 3;
  // Redis runs GEOADD as the ZADD it rewrites it into ("zadd key [options]
  // score member ..."), and propagates that
  const zargv = new Array<string>(longIdx + elements * 2);
  zargv[0] = 'zadd';
  for (let k = 1; k < longIdx; k++) zargv[k] = argv[k];
  for (let j = 0; j < elements; j++) {
    if (!lonLatArg(c, argv, longIdx + j * 3)) return;
    zargv[longIdx + j * 2] = String(encodeScore(lonlat[0], lonlat[1]));
    zargv[longIdx + j * 2 + 1] = argv[longIdx + j * 3 + 2];
  }
  const ks = c.server.keyspace;
  const dirty = ks.dirty;
  zaddGeneric(c, zargv, 0);
  if (ks.dirty !== dirty) ks.propagate(c.db.id, zargv);
}

/* ---------------------------------------------------------------- GEODIST / GEOHASH / GEOPOS */

function geodist(c: Client, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = unitArg(c, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    c.error(ERR_SYNTAX);
    return;
  }
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.reply.nullBulk();
    return;
  }
  const s1 = z.score(argv[2]);
  const s2 = s1 === undefined ? undefined : z.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    c.reply.nullBulk();
    return;
  }
  decodeScore(s1);
  const lon1 = xy[0];
  const lat1 = xy[1];
  decodeScore(s2);
  c.reply.bulk(formatDist(distance(lon1, lat1, xy[0], xy[1]) / toMeter));
}

function geohash(c: Client, argv: string[]): void {
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]);
    if (s === undefined) c.reply.nullBulk();
    else c.reply.bulk(geohashString(s));
  }
}

function replyCoord(c: Client, d: number): void {
  c.reply.doubleString(formatHuman(d));
}

function geopos(c: Client, argv: string[]): void {
  const z = zsetRead(c, argv[1]);
  if (z === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]);
    if (s === undefined) {
      c.reply.nullArray();
    } else {
      decodeScore(s);
      const lat = xy[1];
      c.reply.arrayHeader(2);
      replyCoord(c, xy[0]);
      replyCoord(c, lat);
    }
  }
}

/* ---------------------------------------------------------------- search */

const F_COORDS = 1; // GEORADIUS: around coordinates
const F_MEMBER = 2; // GEORADIUSBYMEMBER: around a member
const F_NOSTORE = 4; // _RO variants
const F_SEARCH = 8; // GEOSEARCH syntax
const F_SEARCHSTORE = 16; // GEOSEARCHSTORE

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** Matched points of the running search (reused; cleared after each search). */
const resMembers: string[] = [];
const resScores: number[] = [];
const resDist: number[] = [];
const resLon: number[] = [];
const resLat: number[] = [];
let resCount = 0;

/** State of the range scan (module-level so that the lower-bound predicate is no closure). */
const shape: GeoShape = newShape();
let scanMin = 0;
let scanLimit = 0;

function belowMin(score: number): boolean {
  return score < scanMin;
}

/** Append the points of z inside the shape with min <= score < max (stopping at the ANY limit). */
function scanRange(z: ZSet, min: number, max: number): void {
  scanMin = min;
  const start = z.lowerBound(belowMin);
  if (start >= z.size) return;
  const limit = scanLimit;
  const sh = shape;
  // walk the storage directly (listpack arrays, or the tree's leaf chain): no callback per element
  if (z.tree === null) {
    const ms = z.lpMembers as string[];
    const ss = z.lpScores as number[];
    for (let i = start; i < ss.length; i++) {
      const score = ss[i];
      if (score >= max) return;
      if (withinShape(sh, score)) addResult(ms[i], score);
      if (resCount !== 0 && limit !== 0 && resCount >= limit) return;
    }
    return;
  }
  const p = z.tree.at(start);
  let leaf: ZLeaf | null = p.leaf;
  let i = p.i;
  while (leaf !== null) {
    const ms = leaf.members;
    const ss = leaf.scores;
    for (; i < ss.length; i++) {
      const score = ss[i];
      if (score >= max) return;
      if (withinShape(sh, score)) addResult(ms[i], score);
      if (resCount !== 0 && limit !== 0 && resCount >= limit) return;
    }
    leaf = leaf.next;
    i = 0;
  }
}

function addResult(member: string, score: number): void {
  const k = resCount++;
  resMembers[k] = member;
  resScores[k] = score;
  resDist[k] = xy[2];
  resLon[k] = xy[0];
  resLat[k] = xy[1];
}

/** Scan the 9 cells (membersOfAllNeighbors), skipping empty cells and repeats of the previous one. */
function scanCells(z: ZSet, limit: number): void {
  scanLimit = limit;
  let last = -1;
  for (let i = 0; i < 9; i++) {
    const cell = searchCells[i];
    if (cell.step === 0 && cell.lat === 0 && cell.lon === 0) continue;
    if (last > 0) {
      const p = searchCells[last];
      if (p.lat === cell.lat && p.lon === cell.lon && p.step === cell.step) continue;
    }
    if (resCount !== 0 && limit !== 0 && resCount >= limit) break;
    scanRange(z, cellScoreMin(cell), cellScoreMax(cell));
    last = i;
  }
}

function clearResults(): void {
  if (resMembers.length > 4096) {
    // a big search: give the space back rather than keep it for ever
    resMembers.length = 0;
    resScores.length = 0;
    resDist.length = 0;
    resLon.length = 0;
    resLat.length = 0;
  } else {
    // drop member references so the strings can be collected
    for (let k = 0; k < resCount; k++) resMembers[k] = '';
  }
  resCount = 0;
}

/** Distance + radius/box parsing helpers (extractDistanceOrReply / extractBoxOrReply). */
function radiusArgs(c: Client, argv: string[], i: number): boolean {
  const d = floatArg(c, argv[i], 'ERR need numeric radius');
  if (d === null) return false;
  if (d < 0) {
    c.error('ERR radius cannot be negative');
    return false;
  }
  shape.radius = d;
  const conv = unitArg(c, argv[i + 1]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

function boxArgs(c: Client, argv: string[], i: number): boolean {
  const w = floatArg(c, argv[i], 'ERR need numeric width');
  if (w === null) return false;
  const h = floatArg(c, argv[i + 1], 'ERR need numeric height');
  if (h === null) return false;
  if (h < 0 || w < 0) {
    c.error('ERR height or width cannot be negative');
    return false;
  }
  shape.width = w;
  shape.height = h;
  const conv = unitArg(c, argv[i + 2]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

/** Position of a member into shape's centre; false after the "could not decode" error. */
function memberCentre(c: Client, z: ZSet, member: string): boolean {
  const s = z.score(member);
  if (s === undefined) {
    c.error(ERR_DECODE_MEMBER);
    return false;
  }
  decodeScore(s);
  shape.lon = xy[0];
  shape.lat = xy[1];
  return true;
}

function georadiusGeneric(c: Client, argv: string[], srcIdx: number, flags: number): void {
  let storeKey: string | null = null;
  let storeDist = false;
  const z = zsetRead(c, argv[srcIdx]);
  if (z === null) return;
  const sh = shape;
  sh.type = 0;
  sh.lon = 0;
  sh.lat = 0;
  sh.radius = 0;
  sh.width = 0;
  sh.height = 0;
  sh.conversion = 0;

  let base: number;
  if (flags & F_COORDS) {
    base = 6;
    sh.type = SHAPE_CIRCLE;
    if (!lonLatArg(c, argv, 2)) return;
    sh.lon = lonlat[0];
    sh.lat = lonlat[1];
    if (!radiusArgs(c, argv, base - 2)) return;
  } else if ((flags & F_MEMBER) && z === undefined) {
    base = 5;
  } else if (flags & F_MEMBER) {
    base = 5;
    sh.type = SHAPE_CIRCLE;
    if (!memberCentre(c, z as ZSet, argv[2])) return;
    if (!radiusArgs(c, argv, base - 2)) return;
  } else {
    base = 2;
    if (flags & F_SEARCHSTORE) {
      base = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const argc = argv.length;
  const remaining = argc - base;
  for (let i = 0; i < remaining; i++) {
    const a = argv[base + i].toLowerCase();
    if (a === 'withdist') withDist = true;
    else if (a === 'withhash') withHash = true;
    else if (a === 'withcoord') withCoords = true;
    else if (a === 'any') any = true;
    else if (a === 'asc') sort = SORT_ASC;
    else if (a === 'desc') sort = SORT_DESC;
    else if (a === 'count' && i + 1 < remaining) {
      const n = intArg(c, argv[base + i + 1]);
      if (n === null) return;
      if (n <= 0) {
        c.error('ERR COUNT must be > 0');
        return;
      }
      count = n;
      i++;
    } else if ((a === 'store' || a === 'storedist') && i + 1 < remaining && !(flags & F_NOSTORE) && !(flags & F_SEARCH)) {
      storeKey = argv[base + i + 1];
      storeDist = a === 'storedist';
      i++;
    } else if (a === 'storedist' && (flags & F_SEARCH) && (flags & F_SEARCHSTORE)) {
      storeDist = true;
    } else if (a === 'frommember' && i + 1 < remaining && (flags & F_SEARCH) && !fromLoc) {
      if (z !== undefined && !memberCentre(c, z, argv[base + i + 1])) return;
      fromMember = true;
      i++;
    } else if (a === 'fromlonlat' && i + 2 < remaining && (flags & F_SEARCH) && !fromMember) {
      if (!lonLatArg(c, argv, base + i + 1)) return;
      sh.lon = lonlat[0];
      sh.lat = lonlat[1];
      fromLoc = true;
      i += 2;
    } else if (a === 'byradius' && i + 2 < remaining && (flags & F_SEARCH) && !byBox) {
      if (!radiusArgs(c, argv, base + i + 1)) return;
      sh.type = SHAPE_CIRCLE;
      byRadius = true;
      i += 2;
    } else if (a === 'bybox' && i + 3 < remaining && (flags & F_SEARCH) && !byRadius) {
      if (!boxArgs(c, argv, base + i + 1)) return;
      sh.type = SHAPE_BOX;
      byBox = true;
      i += 3;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    c.error(
      `ERR ${flags & F_SEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
    return;
  }
  if ((flags & F_SEARCH) && !(fromMember || fromLoc)) {
    c.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return;
  }
  if ((flags & F_SEARCH) && !(byRadius || byBox)) {
    c.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return;
  }
  if (any && count === 0) {
    c.error('ERR the ANY argument requires COUNT argument');
    return;
  }

  const ks = c.server.keyspace;
  if (z === undefined) {
    if (storeKey !== null) {
      if (c.db.delete(storeKey)) {
        ks.notify(NOTIFY_GENERIC, 'del', storeKey, c.db.id);
        ks.dirty++;
      }
      c.reply.int(0);
    } else {
      c.reply.emptyArray();
    }
    return;
  }

  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  areasForShape(sh);
  resCount = 0;
  try {
    scanCells(z, any ? count : 0);
    if (resCount === 0 && storeKey === null) {
      c.reply.emptyArray();
      return;
    }
    const total = resCount;
    const returned = count === 0 || total < count ? total : count;
    const order = sortedOrder(total, returned, sort);
    const conv = sh.conversion;
    if (storeKey === null) {
      let opts = 0;
      if (withDist) opts++;
      if (withCoords) opts++;
      if (withHash) opts++;
      const r = c.reply;
      r.arrayHeader(returned);
      for (let k = 0; k < returned; k++) {
        const idx = order === null ? k : order[k];
        if (opts !== 0) r.arrayHeader(opts + 1);
        r.bulk(resMembers[idx]);
        if (withDist) r.bulk(formatDist(resDist[idx] / conv));
        if (withHash) r.int(Math.trunc(resScores[idx]));
        if (withCoords) {
          r.arrayHeader(2);
          replyCoord(c, resLon[idx]);
          replyCoord(c, resLat[idx]);
        }
      }
      return;
    }
    storeResults(c, storeKey, storeDist, returned, order, conv, (flags & F_SEARCH) !== 0);
  } finally {
    clearResults();
  }
}

/**
 * Indexes of the results in the requested order (null: scan order). As in
 * Redis, a full sort is stable (glibc's merge sort) and a sort limited to
 * the first `returned` places is a partial quicksort whose order among
 * equal distances is its own: see partialSort().
 */
function sortedOrder(total: number, returned: number, sort: number): number[] | null {
  if (sort === SORT_NONE) return null;
  const order = new Array<number>(total);
  for (let k = 0; k < total; k++) order[k] = k;
  if (total < 2) return order;
  const cmp = sort === SORT_ASC ? byDistAsc : byDistDesc;
  if (returned === total) order.sort(cmp);
  else partialSort(order, 0, total, cmp, 0, returned - 1);
  return order;
}

function byDistAsc(a: number, b: number): number {
  const da = resDist[a];
  const db = resDist[b];
  return da > db ? 1 : da === db ? 0 : -1;
}

function byDistDesc(a: number, b: number): number {
  const da = resDist[a];
  const db = resDist[b];
  return da > db ? -1 : da === db ? 0 : 1;
}

type IdxCmp = (a: number, b: number) => number;

function swapAt(v: number[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/** Swap the n elements starting at i with those starting at j, pairwise in order. */
function swapRuns(v: number[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swapAt(v, i + k, j + k);
}

/** Position of the median of three positions. */
function median3(v: number[], a: number, b: number, c: number, cmp: IdxCmp): number {
  if (cmp(v[a], v[b]) < 0) {
    if (cmp(v[b], v[c]) < 0) return b;
    return cmp(v[a], v[c]) < 0 ? c : a;
  }
  if (cmp(v[b], v[c]) > 0) return b;
  return cmp(v[a], v[c]) < 0 ? a : c;
}

/**
 * The partial quicksort Redis uses when only ranks [lr, rr] matter: a
 * Bentley-McIlroy three-way quicksort (median of three, or ninther above
 * 40 elements; insertion sort below 7) that skips the partitions lying
 * entirely outside [lr, rr]. Reproduced step for step so that equal
 * distances come out in Redis's order. Sorts v[lo, lo + n).
 */
function partialSort(v: number[], lo: number, n: number, cmp: IdxCmp, lr: number, rr: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = lo + 1; m < lo + n; m++) {
        for (let l = m; l > lo && cmp(v[l - 1], v[l]) > 0; l--) swapAt(v, l, l - 1);
      }
      return;
    }
    let pm = lo + (n >>> 1);
    if (n > 7) {
      let pl = lo;
      let pn = lo + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(v, pm - d, pm, pm + d, cmp);
        pn = median3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(v, pl, pm, pn, cmp);
    }
    swapAt(v, lo, pm);
    let pa = lo + 1;
    let pb = pa;
    let pc = lo + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(v[pb], v[lo])) <= 0) {
        if (r === 0) swapAt(v, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc], v[lo])) >= 0) {
        if (r === 0) swapAt(v, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swapAt(v, pb++, pc--);
    }
    const end = lo + n;
    let r = Math.min(pa - lo, pb - pa);
    swapRuns(v, lo, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(v, pb, end - r, r);
    r = pb - pa;
    // recurse into a partition only when it overlaps the ranks that matter
    if (r > 1 && !(rr < lo || lr >= lo + r)) partialSort(v, lo, r, cmp, lr, rr);
    r = pd - pc;
    if (r <= 1) return;
    lo = end - r;
    n = r;
    if (rr < lo || lr >= lo + n) return;
  }
}

function storeResults(c: Client, key: string, storeDist: boolean, returned: number, order: number[] | null, conv: number, search: boolean): void {
  const ks = c.server.keyspace;
  const db = c.db;
  if (returned === 0) {
    if (db.delete(key)) {
      ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
      ks.dirty++;
    }
    c.reply.int(0);
    return;
  }
  let maxLen = 0;
  for (let k = 0; k < returned; k++) {
    const idx = order === null ? k : order[k];
    const l = resMembers[idx].length;
    if (l > maxLen) maxLen = l;
  }
  const cfg = c.server.config;
  const out = ZSet.forResult(cfg, returned, maxLen);
  // the encoding is already decided: insert() must not convert a compact result
  const limits = { zsetMaxListpackEntries: Math.max(returned, cfg.zsetMaxListpackEntries), zsetMaxListpackValue: Math.max(maxLen, cfg.zsetMaxListpackValue) };
  for (let k = 0; k < returned; k++) {
    const idx = order === null ? k : order[k];
    const m = resMembers[idx];
    if (out.score(m) !== undefined) continue;
    out.insert(m, storeDist ? resDist[idx] / conv : resScores[idx], limits);
  }
  db.setKey(key, out);
  ks.notify(NOTIFY_ZSET, search ? 'geosearchstore' : 'georadiusstore', key, db.id);
  ks.dirty += returned;
  c.reply.int(returned);
}

export const handlers: HandlerMap = {
  geoadd,
  geodist,
  geohash,
  geopos,
  georadius: (c, argv) => georadiusGeneric(c, argv, 1, F_COORDS),
  georadiusbymember: (c, argv) => georadiusGeneric(c, argv, 1, F_MEMBER),
  georadius_ro: (c, argv) => georadiusGeneric(c, argv, 1, F_COORDS | F_NOSTORE),
  georadiusbymember_ro: (c, argv) => georadiusGeneric(c, argv, 1, F_MEMBER | F_NOSTORE),
  geosearch: (c, argv) => georadiusGeneric(c, argv, 1, F_SEARCH),
  geosearchstore: (c, argv) => georadiusGeneric(c, argv, 2, F_SEARCH | F_SEARCHSTORE),
};
