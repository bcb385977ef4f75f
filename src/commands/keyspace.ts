/*
 * Keyspace commands: the type-agnostic commands of Redis's db.c (DEL,
 * UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX,
 * MOVE, COPY, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL) and OBJECT.
 *
 * Every write goes through Database methods (which signal the modified keys
 * for WATCH, client tracking and blocked clients), sends the keyspace
 * notification Redis sends (del, rename_from/rename_to, move_from/move_to,
 * copy_to) and counts in keyspace.dirty.
 *
 * Lookups follow Redis's flags: EXISTS/TYPE read without touching the
 * access clock, TOUCH reads with it, OBJECT counts hits/misses but fires no
 * keymiss notification, RENAME/MOVE use write lookups (which expire keys but
 * count no statistics), KEYS only filters logically expired keys out while
 * SCAN deletes them.
 *
 * COPY duplicates values through RedisObject.dup(): strings here, each
 * other type brings its own deep copy.
 *
 * SSCAN/HSCAN/ZSCAN reuse parseScanCursor, parseScanOptions and scanDict
 * (exported below) so that every SCAN variant parses and iterates alike.
 */
import type { ModuleHost } from '../server/module-host';
import { afterFlushAll } from '../persistence/persistence';
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import type { Database } from '../keyspace/database';
import type { Server } from '../server/server';
import { type RedisValue, encodingOf, kindOf } from '../keyspace/values';
import { NOTIFY_GENERIC } from '../keyspace/notify-flags';
import { compileGlob, isMatchAll, type Matcher } from '../util/glob';
import type { Dict } from '../types/dict';
import { parseInteger } from '../util/numbers';
import { intArg, isWord, replyHelp, ERR_NOT_INTEGER, ERR_SYNTAX } from '../command-model/args';

const ERR_NO_SUCH_KEY = 'ERR no such key';
const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
const ERR_DB_RANGE = 'ERR DB index is out of range';
/** Redis's OBJ_SHARED_REFCOUNT: the refcount shown for shared integers. */
const SHARED_REFCOUNT = 2147483647;
/** Redis shares the integers 0..OBJ_SHARED_INTEGERS-1. */
const SHARED_INTEGERS = 10000;

/**
 * getIntFromObjectOrReply: a 32-bit integer. With `msg` every failure gives
 * that message; without it, a parse failure gives the usual integer error
 * and a value outside the int range Redis's range message.
 */
function intRangeArg(c: Client, s: string, msg?: string): number | null {
  const v = parseInteger(s);
  if (v === null) {
    c.error(msg ?? ERR_NOT_INTEGER);
    return null;
  }
  if (v < -2147483648 || v > 2147483647) {
    c.error(msg ?? 'ERR value is out of range, value must between -2147483648 and 2147483647');
    return null;
  }
  return v;
}

function typeName(v: RedisValue | undefined): string {
  return v === undefined ? 'none' : kindOf(v);
}

/** keyIsExpired: logically expired, without deleting it (KEYS). Same rule as Database.expireIfNeeded. */
function isExpired(db: Database, key: string): boolean {
  if (db.expires.size === 0) return false;
  const when = db.expires.get(key);
  return when !== undefined && when <= db.keyspace.now;
}

/** Copy the access clock of an entry to another entry (a moved value keeps its LRU/LFU data). */
function copyClock(from: Database, fromKey: string, to: Database, toKey: string): void {
  const a = from.dict.find(fromKey);
  const b = to.dict.find(toKey);
  if (a >= 0 && b >= 0) to.dict.setClockAt(b, from.dict.clockAt(a));
}

/** A copy of a value that can be modified independently of the original, or null for types that cannot be copied yet. */
export function dupValue(v: RedisValue): RedisValue | null {
  if (typeof v === 'string') return v; // JS strings are immutable: sharing is a copy
  return v.dup ? v.dup() : null;
}

// ---------------------------------------------------------------- DEL & co

/** DEL frees values as lazyfree-lazy-user-del says, UNLINK always in the background. */
function delGeneric(c: Client, argv: string[], lazy: boolean): void {
  const db = c.db;
  const ks = c.server.keyspace;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    db.expireIfNeeded(key);
    if (db.delete(key, lazy)) {
      ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
      ks.dirty++;
      n++;
    }
  }
  c.reply.int(n);
}

function exists(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (c.db.lookupRead(argv[i], false) !== undefined) n++;
  }
  c.reply.int(n);
}

function touch(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (c.db.lookupRead(argv[i]) !== undefined) n++;
  }
  c.reply.int(n);
}

function type(c: Client, argv: string[]): void {
  c.reply.simple(typeName(c.db.lookupRead(argv[1], false)));
}

function dbsize(c: Client): void {
  c.reply.int(c.db.size);
}

// ---------------------------------------------------------------- KEYS, SCAN, RANDOMKEY

function keys(c: Client, argv: string[]): void {
  const db = c.db;
  const pattern = argv[1];
  const all = isMatchAll(pattern);
  const match = compileGlob(pattern);
  const out: string[] = [];
  db.dict.forEach((key) => {
    if ((all || match(key)) && !isExpired(db, key)) out.push(key);
  });
  c.reply.bulkArray(out);
}

/**
 * parseScanCursorOrReply: strtoul() rules. An optional sign, decimal
 * digits, nothing else; the empty string is cursor 0, "-n" wraps around
 * 2^64, leading whitespace and values above 2^64-1 are rejected.
 * Returns the low 32 bits (our tables never have more buckets; the bits
 * above the table mask do not influence the next cursor anyway), or -1.
 */
export function parseScanCursor(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) i = 1;
  if (i === n) return -1;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return -1;
  }
  let z = i;
  while (z < n - 1 && s.charCodeAt(z) === 48) z++; // leading zeros
  if (n - z > 20) return -1;
  i = z;
  let v: bigint;
  if (n - i <= 15) {
    v = BigInt(Number(s.slice(i)));
  } else {
    v = BigInt(s.slice(i));
    if (v > 0xffffffffffffffffn) return -1;
  }
  if (c0 === 45) v = (-v) & 0xffffffffffffffffn;
  return Number(v & 0xffffffffn);
}

/** SCAN's options (also the shape SSCAN/HSCAN/ZSCAN use, without TYPE). */
export interface ScanOptions {
  count: number;
  /** null when absent or "*" (Redis then skips matching altogether) */
  match: Matcher | null;
  /** lower-cased type name for SCAN ... TYPE, or null */
  type: string | null;
}

/**
 * Parse `[MATCH pattern] [COUNT count] [TYPE type]` from argv[start] on, as
 * scanGenericCommand does (TYPE only when allowType: the keyspace SCAN).
 * Replies with Redis's error and returns null on a bad option.
 */
export function parseScanOptions(c: Client, argv: string[], start: number, allowType: boolean): ScanOptions | null {
  const opts: ScanOptions = { count: 10, match: null, type: null };
  for (let i = start; i < argv.length;) {
    const left = argv.length - i;
    const opt = argv[i];
    if (isWord(opt, 'count') && left >= 2) {
      const n = intArg(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 1) {
        c.error(ERR_SYNTAX);
        return null;
      }
      opts.count = n;
      i += 2;
    } else if (isWord(opt, 'match') && left >= 2) {
      const pattern = argv[i + 1];
      opts.match = isMatchAll(pattern) ? null : compileGlob(pattern);
      i += 2;
    } else if (allowType && isWord(opt, 'type') && left >= 2) {
      opts.type = argv[i + 1].toLowerCase();
      i += 2;
    } else {
      c.error(ERR_SYNTAX);
      return null;
    }
  }
  return opts;
}

/**
 * Walk a dict from `cursor` until `count` entries were collected, the
 * iteration ended, or count*10 buckets were visited (sparse tables), as
 * Redis's SCAN loop. Returns the next cursor. `count` counts entries: for
 * HSCAN/ZSCAN Redis doubles COUNT and counts fields and values, which is
 * the same thing.
 */
export function scanDict<V>(dict: Dict<V>, cursor: number, count: number, visit: (key: string, value: V) => void): number {
  if (dict.size === 0) return 0;
  let collected = 0;
  let maxIterations = count * 10;
  const fn = (key: string, value: V) => {
    collected++;
    visit(key, value);
  };
  do {
    cursor = dict.scan(cursor, fn);
  } while (cursor !== 0 && maxIterations-- !== 0 && collected < count);
  return cursor;
}

/** SCAN and RANDOMKEY run directly: their lazy expirations are not wrapped in MULTI/EXEC. */
function touchesArbitraryKeys(c: Client): void {
  if (c.multi.queued < 0 && c.server.inExec === 0) c.server.propagator.touchesArbitraryKeys = true;
}

function scan(c: Client, argv: string[]): void {
  touchesArbitraryKeys(c);
  const cursorIn = parseScanCursor(argv[1]);
  if (cursorIn < 0) {
    c.error('ERR invalid cursor');
    return;
  }
  const opts = parseScanOptions(c, argv, 2, true);
  if (opts === null) return;
  const db = c.db;
  const found: string[] = [];
  const cursor = scanDict(db.dict, cursorIn, opts.count, (key) => {
    found.push(key);
  });
  // Filter in Redis's order: pattern, then type (a read lookup), then expiry.
  const { match, type: typeFilter } = opts;
  const out: string[] = [];
  for (let i = 0; i < found.length; i++) {
    const key = found[i];
    if (match !== null && !match(key)) continue;
    if (typeFilter !== null && typeName(db.lookupRead(key, false)) !== typeFilter) continue;
    if (db.expireIfNeeded(key)) continue;
    out.push(key);
  }
  c.reply.arrayHeader(2);
  c.reply.bulk(String(cursor));
  c.reply.bulkArray(out);
}

function randomkey(c: Client): void {
  touchesArbitraryKeys(c);
  const db = c.db;
  const dict = db.dict;
  const allVolatile = dict.size === db.expires.size;
  let maxTries = 100;
  for (;;) {
    const id = dict.randomId();
    if (id < 0) {
      c.reply.nullBulk();
      return;
    }
    const key = dict.keyAt(id);
    if (db.expires.size > 0 && db.expireIfNeeded(key)) {
      // Normally the expired key is gone now and we pick again. When it
      // could not be deleted (a replica waits for the primary's DEL) and
      // every key is volatile, give up after a few tries with that key,
      // as Redis does, instead of looping forever.
      if (allVolatile && dict.find(key) >= 0 && --maxTries === 0) {
        c.reply.bulk(key);
        return;
      }
      continue;
    }
    c.reply.bulk(key);
    return;
  }
}

// ---------------------------------------------------------------- RENAME, MOVE, COPY, SWAPDB

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const db = c.db;
  const ks = c.server.keyspace;
  const src = argv[1];
  const dst = argv[2];
  const v = db.lookupWrite(src);
  if (v === undefined) {
    c.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (src === dst) {
    if (nx) c.reply.int(0);
    else c.reply.ok();
    return;
  }
  const expire = db.getExpire(src);
  if (db.lookupWrite(dst) !== undefined) {
    if (nx) {
      c.reply.int(0);
      return;
    }
    db.delete(dst);
  }
  db.add(dst, v);
  copyClock(db, src, db, dst);
  if (expire !== -1) db.setExpire(dst, expire);
  db.detach(src);
  ks.notify(NOTIFY_GENERIC, 'rename_from', src, db.id);
  ks.notify(NOTIFY_GENERIC, 'rename_to', dst, db.id);
  ks.dirty++;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

function rename(c: Client, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenx(c: Client, argv: string[]): void {
  renameGeneric(c, argv, true);
}

function move(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const src = c.db;
  const key = argv[1];
  const dbid = intRangeArg(c, argv[2]);
  if (dbid === null) return;
  if (dbid < 0 || dbid >= ks.dbs.length) {
    c.error(ERR_DB_RANGE);
    return;
  }
  const dst = ks.dbs[dbid];
  if (dst === src) {
    c.error(ERR_SAME_OBJECT);
    return;
  }
  const v = src.lookupWrite(key);
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  const expire = src.getExpire(key);
  if (dst.lookupWrite(key) !== undefined) {
    c.reply.int(0);
    return;
  }
  dst.add(key, v);
  copyClock(src, key, dst, key);
  if (expire !== -1) dst.setExpire(key, expire);
  src.detach(key);
  ks.notify(NOTIFY_GENERIC, 'move_from', key, src.id);
  ks.notify(NOTIFY_GENERIC, 'move_to', key, dst.id);
  ks.dirty++;
  c.reply.int(1);
}

function copy(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const src = c.db;
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isWord(argv[j], 'replace')) {
      replace = true;
    } else if (isWord(argv[j], 'db') && more >= 1) {
      const dbid = intRangeArg(c, argv[j + 1]);
      if (dbid === null) return;
      if (dbid < 0 || dbid >= ks.dbs.length) {
        c.error(ERR_DB_RANGE);
        return;
      }
      dst = ks.dbs[dbid];
      j++;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) {
    c.error(ERR_SAME_OBJECT);
    return;
  }
  const v = src.lookupRead(key);
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  const expire = src.getExpire(key);
  let del = false;
  if (dst.lookupWrite(newkey) !== undefined) {
    if (!replace) {
      c.reply.int(0);
      return;
    }
    del = true;
  }
  const dup = dupValue(v);
  if (dup === null) {
    c.error('ERR unknown type object');
    return;
  }
  if (del) dst.delete(newkey);
  dst.add(newkey, dup);
  if (expire !== -1) dst.setExpire(newkey, expire);
  ks.notify(NOTIFY_GENERIC, 'copy_to', newkey, dst.id);
  ks.dirty++;
  c.reply.int(1);
}

function swapdb(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const id1 = intRangeArg(c, argv[1], 'ERR invalid first DB index');
  if (id1 === null) return;
  const id2 = intRangeArg(c, argv[2], 'ERR invalid second DB index');
  if (id2 === null) return;
  const n = ks.dbs.length;
  if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
    c.error(ERR_DB_RANGE);
    return;
  }
  if (id1 !== id2) ks.swap(id1, id2);
  ks.dirty++;
  c.reply.ok();
}

// ---------------------------------------------------------------- FLUSHDB, FLUSHALL

/**
 * [SYNC|ASYNC]: whether the flushed values are freed in the background
 * (keyspace/lazyfree.ts); without the option lazyfree-lazy-user-flush says.
 * Null after a syntax error (replied).
 */
function flushLazy(c: Client, argv: string[]): boolean | null {
  if (argv.length === 1) return c.server.config.lazyfreeLazyUserFlush;
  if (argv.length === 2 && isWord(argv[1], 'sync')) return false;
  if (argv.length === 2 && isWord(argv[1], 'async')) return true;
  c.error(ERR_SYNTAX);
  return null;
}

function flushdb(c: Client, argv: string[]): void {
  const lazy = flushLazy(c, argv);
  if (lazy === null) return;
  const ks = c.server.keyspace;
  ks.dirty += ks.flush(c.db.id, lazy);
  // replicated even when the database was already empty, as Redis does
  c.server.propagator.force();
  c.reply.ok();
}

function flushall(c: Client, argv: string[]): void {
  const lazy = flushLazy(c, argv);
  if (lazy === null) return;
  const ks = c.server.keyspace;
  ks.dirty += ks.flush(-1, lazy);
  // a running background save is stopped; with save points the empty dataset is saved at once
  afterFlushAll(c.server);
  c.server.propagator.force();
  c.reply.ok();
}

// ---------------------------------------------------------------- OBJECT

function isLfu(server: Server): boolean {
  return server.config.maxmemoryPolicy.indexOf('lfu') >= 0;
}

/**
 * objectCommandLookup: a read lookup that does not touch the access clock
 * and fires no keymiss event, but counts hits and misses. Returns the entry
 * id in db.dict, or -1 (after replying with a null).
 */
function objectLookup(c: Client, key: string): number {
  const db = c.db;
  const stats = db.keyspace.stats;
  if (db.expires.size > 0 && db.expireIfNeeded(key)) {
    stats.keyspaceMisses++;
    c.reply.nullBulk();
    return -1;
  }
  const id = db.dict.find(key);
  if (id < 0) {
    stats.keyspaceMisses++;
    c.reply.nullBulk();
    return -1;
  }
  stats.keyspaceHits++;
  return id;
}

function objectEncoding(c: Client, argv: string[]): void {
  const id = objectLookup(c, argv[2]);
  if (id < 0) return;
  c.reply.bulk(encodingOf(c.db.dict.valueAt(id)));
}

/**
 * Redis shares the objects of the integers 0..9999 (refcount
 * OBJ_SHARED_REFCOUNT) unless an LRU/LFU maxmemory policy is active with a
 * maxmemory limit, since shared objects cannot carry per-key access data.
 * Redis decides when the value is created; we decide from the value and
 * the current settings, which agree unless the policy changed since.
 */
function objectRefcount(c: Client, argv: string[]): void {
  const id = objectLookup(c, argv[2]);
  if (id < 0) return;
  const v = c.db.dict.valueAt(id);
  const cfg = c.server.config;
  const policy = cfg.maxmemoryPolicy;
  const noShared = cfg.maxmemory !== 0 && (policy.indexOf('lru') >= 0 || policy.indexOf('lfu') >= 0);
  let shared = false;
  if (!noShared && typeof v === 'string' && v.length > 0 && v.length <= 4 && encodingOf(v) === 'int') {
    const n = Number(v);
    shared = n >= 0 && n < SHARED_INTEGERS;
  }
  c.reply.int(shared ? SHARED_REFCOUNT : 1);
}

function objectIdletime(c: Client, argv: string[]): void {
  const id = objectLookup(c, argv[2]);
  if (id < 0) return;
  if (isLfu(c.server)) {
    c.error('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  const ks = c.server.keyspace;
  c.reply.int(Math.floor(ks.idleTimeMs(c.db.dict.clockAt(id)) / 1000));
}

function objectFreq(c: Client, argv: string[]): void {
  const id = objectLookup(c, argv[2]);
  if (id < 0) return;
  if (!isLfu(c.server)) {
    c.error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  c.reply.int(c.server.keyspace.lfuCounter(c.db.dict.clockAt(id)));
}

function objectHelp(c: Client): void {
  replyHelp(c, 'OBJECT', [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);
}

/** The access clocks follow the maxmemory policy chosen at startup (CONFIG SET keeps them in step later). */
export function install(host: ModuleHost): void {
  if (isLfu(host.server)) host.keyspace.clockMode = 'lfu';
}

export const handlers: HandlerMap = {
  del: (c, argv) => delGeneric(c, argv, c.server.config.lazyfreeLazyUserDel),
  unlink: (c, argv) => delGeneric(c, argv, true),
  exists,
  touch,
  type,
  dbsize,
  keys,
  scan,
  randomkey,
  rename,
  renamenx,
  move,
  copy,
  swapdb,
  flushdb,
  flushall,
  'object|encoding': objectEncoding,
  'object|refcount': objectRefcount,
  'object|idletime': objectIdletime,
  'object|freq': objectFreq,
  'object|help': objectHelp,
};
