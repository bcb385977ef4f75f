/*
 * Hash commands (HSET family, HGET family, HINCRBY*, HRANDFIELD, HSCAN)
 * with Redis 7.0.15's replies, errors, notifications and propagation.
 *
 * Encodings: a new hash starts as a listpack (a packed string, see
 * types/strpack.ts) and becomes a
 * hashtable, once and for good, when a field or value longer than
 * hash-max-listpack-value is written or when it grows past
 * hash-max-listpack-entries (both read live from the config).
 *
 * Writes: a hash is created (db.add, "new" event) only when something is
 * actually stored, so failing commands never leave an empty hash behind;
 * in-place changes call signalModified, then the command's notification,
 * then dirty. A hash emptied by HDEL is deleted ("hdel" then "del").
 * HINCRBYFLOAT propagates as HSET with the final value, as Redis does.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { WRONGTYPE, type RedisValue } from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../keyspace/notify-flags';
import { HashValue } from '../types/hash';
import { isWord, ERR_SYNTAX, ERR_NOT_FLOAT } from '../command-model/args';
import { scanDict } from './keyspace';
import { removeMembers, scanCollection } from './collection';
import {
  parseInteger, parseBigInteger, INT64_MAX, INT64_MIN,
  parseLongDouble, addLongDouble, formatLongDoubleHuman,
} from '../util/numbers';

const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
const RANGE_ERR = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

/** The hash at key for reading: undefined when missing, null after a WRONGTYPE reply. */
function readHash(c: Client, key: string): HashValue | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) return undefined;
  if (v instanceof HashValue) return v;
  c.error(WRONGTYPE);
  return null;
}

function writeHash(c: Client, key: string): HashValue | undefined | null {
  const v: RedisValue | undefined = c.db.lookupWrite(key);
  if (v === undefined) return undefined;
  if (v instanceof HashValue) return v;
  c.error(WRONGTYPE);
  return null;
}

/** hashTypeSet with Redis 7.0.15's conversion checks. Returns true for a new field. */
function hashSet(c: Client, h: HashValue, field: string, value: string): boolean {
  if (h.isListpack) {
    const maxValue = c.server.config.hashMaxListpackValue;
    if (field.length > maxValue || value.length > maxValue) h.toHashtable();
  }
  const created = h.set(field, value);
  // checked after updates too, as Redis does (a lowered limit applies on the next write)
  if (h.isListpack && h.size > c.server.config.hashMaxListpackEntries) h.toHashtable();
  return created;
}

/* ---------------------------------------------------------------- writes */

function hsetGeneric(c: Client, argv: string[], isHmset: boolean): void {
  const n = argv.length;
  if ((n & 1) === 1) {
    c.arityError();
    return;
  }
  const key = argv[1];
  const db = c.db;
  let h = writeHash(c, key);
  if (h === null) return;
  const ks = c.server.keyspace;
  let fresh = false;
  if (h === undefined) {
    h = new HashValue();
    fresh = true;
  }
  // hashTypeTryConversion: any long argument converts before inserting
  if (h.isListpack) {
    const maxValue = c.server.config.hashMaxListpackValue;
    for (let i = 2; i < n; i++) {
      if (argv[i].length > maxValue) {
        h.toHashtable();
        break;
      }
    }
  }
  let created = 0;
  for (let i = 2; i < n; i += 2) if (hashSet(c, h, argv[i], argv[i + 1])) created++;
  if (fresh) db.add(key, h);
  if (isHmset) c.reply.ok();
  else c.reply.int(created);
  if (!fresh) ks.signalModified(db, key);
  ks.notify(NOTIFY_HASH, 'hset', key, db.id);
  ks.dirty += (n - 2) >> 1;
}

function hset(c: Client, argv: string[]): void {
  hsetGeneric(c, argv, false);
}

function hmset(c: Client, argv: string[]): void {
  hsetGeneric(c, argv, true);
}

function hsetnx(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const h0 = writeHash(c, key);
  if (h0 === null) return;
  if (h0 !== undefined && h0.has(argv[2])) {
    c.reply.int(0);
    return;
  }
  const h = h0 ?? new HashValue();
  hashSet(c, h, argv[2], argv[3]);
  if (h0 === undefined) db.add(key, h);
  else c.server.keyspace.signalModified(db, key);
  c.reply.int(1);
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_HASH, 'hset', key, db.id);
  ks.dirty++;
}

function hdel(c: Client, argv: string[]): void {
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  if (h === undefined) {
    c.reply.int(0);
    return;
  }
  removeMembers(c, key, h, (f) => h.delete(f), argv, 2, NOTIFY_HASH, 'hdel');
}

function hincrby(c: Client, argv: string[]): void {
  const key = argv[1];
  const field = argv[2];
  const incrS = argv[3];
  const incrN = parseInteger(incrS);
  if (incrN === null) {
    c.error('ERR value is not an integer or out of range');
    return;
  }
  const db = c.db;
  const h0 = writeHash(c, key);
  if (h0 === null) return;
  let out: string;
  const cur = h0 === undefined ? undefined : h0.get(field);
  if (cur === undefined) {
    out = incrS; // string2ll accepted it: already canonical
  } else {
    const v = parseInteger(cur);
    if (v === null) {
      c.error('ERR hash value is not an integer');
      return;
    }
    const sum = v + incrN;
    if (Number.isSafeInteger(sum) && Number.isSafeInteger(v) && Number.isSafeInteger(incrN)) {
      out = String(sum);
    } else {
      const b = (parseBigInteger(cur) as bigint) + (parseBigInteger(incrS) as bigint);
      if (b > INT64_MAX || b < INT64_MIN) {
        c.error(ERR_OVERFLOW);
        return;
      }
      out = String(b);
    }
  }
  const h = h0 ?? new HashValue();
  hashSet(c, h, field, out);
  const ks = c.server.keyspace;
  if (h0 === undefined) db.add(key, h);
  else ks.signalModified(db, key);
  c.reply.int(out.length <= 15 ? Number(out) : BigInt(out));
  ks.notify(NOTIFY_HASH, 'hincrby', key, db.id);
  ks.dirty++;
}

function hincrbyfloat(c: Client, argv: string[]): void {
  const key = argv[1];
  const field = argv[2];
  const inc = parseLongDouble(argv[3]);
  if (inc === null) {
    c.error(ERR_NOT_FLOAT);
    return;
  }
  if (inc.inf) {
    c.error('ERR value is NaN or Infinity');
    return;
  }
  const db = c.db;
  const h0 = writeHash(c, key);
  if (h0 === null) return;
  const curS = h0 === undefined ? undefined : h0.get(field);
  let sum = inc;
  if (curS !== undefined) {
    const cur = parseLongDouble(curS);
    if (cur === null) {
      c.error('ERR hash value is not a float');
      return;
    }
    sum = addLongDouble(cur, inc);
    if (sum.inf) {
      c.error('ERR increment would produce NaN or Infinity');
      return;
    }
  } else {
    sum = addLongDouble({ neg: false, m: 0n, e: 0, inf: false }, inc);
  }
  const out = formatLongDoubleHuman(sum);
  const h = h0 ?? new HashValue();
  hashSet(c, h, field, out);
  const ks = c.server.keyspace;
  if (h0 === undefined) db.add(key, h);
  else ks.signalModified(db, key);
  c.reply.bulk(out);
  ks.notify(NOTIFY_HASH, 'hincrbyfloat', key, db.id);
  ks.dirty++;
  ks.propagate(db.id, ['HSET', key, field, out]);
}

/* ---------------------------------------------------------------- reads */

function hget(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  const v = h === undefined ? undefined : h.get(argv[2]);
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

function hmget(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  const n = argv.length - 2;
  c.reply.arrayHeader(n);
  for (let i = 2; i < argv.length; i++) {
    const v = h === undefined ? undefined : h.get(argv[i]);
    if (v === undefined) c.reply.nullBulk();
    else c.reply.bulk(v);
  }
}

function hlen(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.reply.int(h === undefined ? 0 : h.size);
}

function hstrlen(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  const n = h === undefined ? -1 : h.valueLength(argv[2]);
  c.reply.int(n < 0 ? 0 : n);
}

function hexists(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.reply.int(h !== undefined && h.has(argv[2]) ? 1 : 0);
}

const WANT_KEYS = 1;
const WANT_VALS = 2;

function getall(c: Client, argv: string[], what: number): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  const r = c.reply;
  if (h === undefined) {
    if (what === (WANT_KEYS | WANT_VALS)) r.mapHeader(0);
    else r.emptyArray();
    return;
  }
  if (what === (WANT_KEYS | WANT_VALS)) r.mapHeader(h.size);
  else r.arrayHeader(h.size);
  h.forEach((f, v) => {
    if (what & WANT_KEYS) r.bulk(f);
    if (what & WANT_VALS) r.bulk(v);
  });
}

function hkeys(c: Client, argv: string[]): void {
  getall(c, argv, WANT_KEYS);
}

function hvals(c: Client, argv: string[]): void {
  getall(c, argv, WANT_VALS);
}

function hgetall(c: Client, argv: string[]): void {
  getall(c, argv, WANT_KEYS | WANT_VALS);
}

/* ---------------------------------------------------------------- HRANDFIELD */

/** Above this ratio of count to size, pick by removing from a copy (Redis's CASE 3). */
const RANDFIELD_SUB_STRATEGY_MUL = 3;

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const h = readHash(c, argv[1]);
    if (h === null) return;
    if (h === undefined) c.reply.nullBulk();
    else c.reply.bulk(h.randomEntry()[0]);
    return;
  }
  let withValues = false;
  if (argv.length === 4) {
    if (!isWord(argv[3], 'withvalues')) {
      c.error(ERR_SYNTAX);
      return;
    }
    withValues = true;
  } else if (argv.length > 4) {
    c.error(ERR_SYNTAX);
    return;
  }
  const b = parseBigInteger(argv[2]);
  if (b === null) {
    c.error('ERR value is not an integer or out of range');
    return;
  }
  if (b < -INT64_MAX) {
    c.error(RANGE_ERR);
    return;
  }
  if (withValues && (b > INT64_MAX / 2n || b < -(INT64_MAX / 2n))) {
    c.error('ERR value is out of range');
    return;
  }
  const h = readHash(c, argv[1]);
  if (h === null) return;
  if (h === undefined) {
    c.reply.emptyArray();
    return;
  }
  const r = c.reply;
  const resp3 = r.resp === 3;
  const emit = (f: string, v: string): void => {
    if (withValues) {
      if (resp3) r.arrayHeader(2);
      r.bulk(f);
      r.bulk(v);
    } else {
      r.bulk(f);
    }
  };
  const header = (n: number): void => {
    r.arrayHeader(withValues && !resp3 ? n * 2 : n);
  };
  if (b === 0n) {
    r.emptyArray();
    return;
  }
  const size = h.size;
  if (b < 0n) {
    const count = Number(-b);
    header(count);
    if (h.isListpack) {
      // unpack once rather than walking the pack for every pick
      const flat = h.flat();
      const n = flat.length >> 1;
      for (let i = 0; i < count; i++) {
        const j = Math.floor(Math.random() * n) << 1;
        emit(flat[j], flat[j + 1]);
      }
      return;
    }
    for (let i = 0; i < count; i++) {
      const e = h.randomEntry();
      emit(e[0], e[1]);
    }
    return;
  }
  const count = b >= BigInt(size) ? size : Number(b);
  if (count === size) {
    header(size);
    h.forEach(emit);
    return;
  }
  if (!h.isListpack && count * RANDFIELD_SUB_STRATEGY_MUL <= size) {
    // CASE 4 on a big table: random picks, skipping repeats, O(count)
    const picked = new Set<string>();
    header(count);
    while (picked.size < count) {
      const e = h.randomEntry();
      if (picked.has(e[0])) continue;
      picked.add(e[0]);
      emit(e[0], e[1]);
    }
    return;
  }
  const flat = h.flat();
  const n = flat.length >> 1;
  if (count * RANDFIELD_SUB_STRATEGY_MUL > n) {
    // drop random entries from a copy until count remain (swap-remove)
    let live = n;
    while (live > count) {
      const i = Math.floor(Math.random() * live);
      live--;
      flat[2 * i] = flat[2 * live];
      flat[2 * i + 1] = flat[2 * live + 1];
    }
    header(count);
    for (let i = 0; i < count; i++) emit(flat[2 * i], flat[2 * i + 1]);
    return;
  }
  // partial Fisher-Yates: count distinct random picks
  header(count);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    const f = flat[2 * j];
    const v = flat[2 * j + 1];
    flat[2 * j] = flat[2 * i];
    flat[2 * j + 1] = flat[2 * i + 1];
    flat[2 * i] = f;
    flat[2 * i + 1] = v;
    emit(f, v);
  }
}

/* ---------------------------------------------------------------- HSCAN */

function hscan(c: Client, argv: string[]): void {
  scanCollection(c, argv, readHash, (h, cursor, count, keep, out) => {
    const visit = (f: string, v: string): void => {
      if (keep(f)) out.push(f, v);
    };
    const d = h.data;
    if (typeof d === 'string') {
      h.forEach(visit);
      return 0;
    }
    return scanDict(d, cursor, count, visit);
  });
}

export const handlers: HandlerMap = {
  hset, hmset, hsetnx, hdel, hincrby, hincrbyfloat,
  hget, hmget, hlen, hstrlen, hexists, hkeys, hvals, hgetall,
  hrandfield, hscan,
};
