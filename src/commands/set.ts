/*
 * Set commands with Redis 7.0.15's replies, errors, notifications and
 * propagation.
 *
 * Encodings (see types/set.ts): a set created from an integer starts as an
 * intset and becomes a hashtable for good when a non-integer is added or it
 * grows past set-max-intset-entries (read live from the config).
 *
 * Writes: SADD creates the key only when it adds something; in-place
 * changes call signalModified, then the notification, then dirty. A set
 * emptied by SREM/SPOP/SMOVE is deleted with a "del" event after the
 * command's own. SPOP propagates as SREM (one per popped member) or, when
 * it empties the set, as DEL/UNLINK, as Redis rewrites it. The *STORE
 * commands build the result as Redis does (starting from an intset) so the
 * stored encoding and the order of SUNION/SDIFF replies match Redis's.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { WRONGTYPE } from '../keyspace/values';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../keyspace/notify-flags';
import { SetValue } from '../types/set';
import { scanDict } from './keyspace';
import { removeMembers, scanCollection } from './collection';
import { parseBigInteger, parseInteger, INT64_MAX } from '../util/numbers';
import { Dict } from '../types/dict';

const RANGE_ERR = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';

function readSet(c: Client, key: string): SetValue | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) return undefined;
  if (v instanceof SetValue) return v;
  c.error(WRONGTYPE);
  return null;
}

function writeSet(c: Client, key: string): SetValue | undefined | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined) return undefined;
  if (v instanceof SetValue) return v;
  c.error(WRONGTYPE);
  return null;
}

/** Write all members of s as a set reply (RESP3 '~'). */
function replyMembers(c: Client, s: SetValue): void {
  const r = c.reply;
  r.setHeader(s.size);
  const a = s.is;
  if (a !== null) for (let i = 0; i < a.length; i++) r.bulk(a[i]);
  else (s.ht as Dict<null>).forEach((m) => r.bulk(m));
}

/* ---------------------------------------------------------------- basics */

function sadd(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const s0 = writeSet(c, key);
  if (s0 === null) return;
  const s = s0 ?? SetValue.forMember(argv[2]);
  const max = c.server.config.setMaxIntsetEntries;
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i], max)) added++;
  const ks = c.server.keyspace;
  if (s0 === undefined) db.add(key, s);
  if (added > 0) {
    if (s0 !== undefined) ks.signalModified(db, key);
    ks.notify(NOTIFY_SET, 'sadd', key, db.id);
  }
  ks.dirty += added;
  c.reply.int(added);
}

function srem(c: Client, argv: string[]): void {
  const key = argv[1];
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.reply.int(0);
    return;
  }
  removeMembers(c, key, s, (m) => s.remove(m), argv, 2, NOTIFY_SET, 'srem');
}

function scard(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.reply.int(s === undefined ? 0 : s.size);
}

function sismember(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.reply.int(s !== undefined && s.has(argv[2]) ? 1 : 0);
}

function smismember(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.int(s !== undefined && s.has(argv[i]) ? 1 : 0);
}

function smembers(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined) c.reply.setHeader(0);
  else replyMembers(c, s);
}

function smove(c: Client, argv: string[]): void {
  const src = argv[1];
  const dst = argv[2];
  const ele = argv[3];
  const db = c.db;
  const sv = db.lookupWrite(src);
  const dv = db.lookupWrite(dst);
  if (sv === undefined) {
    c.reply.int(0);
    return;
  }
  if (!(sv instanceof SetValue) || (dv !== undefined && !(dv instanceof SetValue))) {
    c.error(WRONGTYPE);
    return;
  }
  if (sv === dv) {
    c.reply.int(sv.has(ele) ? 1 : 0);
    return;
  }
  if (!sv.remove(ele)) {
    c.reply.int(0);
    return;
  }
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_SET, 'srem', src, db.id);
  if (sv.size === 0) {
    db.delete(src);
    ks.notify(NOTIFY_GENERIC, 'del', src, db.id);
  } else {
    ks.signalModified(db, src);
  }
  let d = dv as SetValue | undefined;
  let fresh = false;
  if (d === undefined) {
    d = SetValue.forMember(ele);
    fresh = true;
  }
  ks.dirty++;
  if (d.add(ele, c.server.config.setMaxIntsetEntries)) {
    if (fresh) db.add(dst, d);
    else ks.signalModified(db, dst);
    ks.dirty++;
    ks.notify(NOTIFY_SET, 'sadd', dst, db.id);
  }
  c.reply.int(1);
}

/* ---------------------------------------------------------------- SPOP / SRANDMEMBER */

/** Above remaining*5 > count pop one by one, else keep the remaining in a new set (Redis's CASE 2/3). */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spop(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.syntaxError();
    return;
  }
  const key = argv[1];
  const db = c.db;
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.reply.nullBulk();
    return;
  }
  const ele = s.pop();
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_SET, 'spop', key, db.id);
  ks.propagate(db.id, ['SREM', key, ele]);
  c.reply.bulk(ele);
  if (s.size === 0) {
    db.delete(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
  } else {
    ks.signalModified(db, key);
  }
  ks.dirty++;
}

function spopWithCount(c: Client, argv: string[]): void {
  const n = parseInteger(argv[2]);
  if (n === null || n < 0) {
    c.error('ERR value is out of range, must be positive');
    return;
  }
  const key = argv[1];
  const db = c.db;
  const s = writeSet(c, key);
  if (s === null) return;
  const r = c.reply;
  if (s === undefined || n === 0) {
    r.setHeader(0);
    return;
  }
  const size = s.size;
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_SET, 'spop', key, db.id);
  ks.dirty += n;
  if (n >= size) {
    // CASE 1: the whole set goes
    replyMembers(c, s);
    db.delete(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
    ks.propagate(db.id, [c.server.config.lazyfreeLazyServerDel ? 'UNLINK' : 'DEL', key]);
    return;
  }
  const remaining = size - n;
  r.setHeader(n);
  if (remaining * SPOP_MOVE_STRATEGY_MUL > n) {
    // CASE 2: pop one by one
    for (let i = 0; i < n; i++) {
      const ele = s.pop();
      r.bulk(ele);
      ks.propagate(db.id, ['SREM', key, ele]);
    }
  } else {
    // CASE 3: move `remaining` random members to a new set, return the rest
    const keep = s.is !== null ? new SetValue([], null) : new SetValue(null, new Dict<null>());
    const max = c.server.config.setMaxIntsetEntries;
    for (let i = 0; i < remaining; i++) keep.add(s.pop(), max);
    s.forEach((ele) => {
      r.bulk(ele);
      ks.propagate(db.id, ['SREM', key, ele]);
    });
    db.overwrite(key, keep);
  }
  ks.signalModified(db, key);
}

/** Above count*3 > size pick by removing from a copy (Redis's CASE 3). */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function srandmember(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const s = readSet(c, argv[1]);
    if (s === null) return;
    if (s === undefined) c.reply.nullBulk();
    else c.reply.bulk(s.random());
    return;
  }
  if (argv.length > 3) {
    c.syntaxError();
    return;
  }
  const b = parseBigInteger(argv[2]);
  if (b === null) {
    c.error(ERR_NOT_INTEGER);
    return;
  }
  if (b < -INT64_MAX) {
    c.error(RANGE_ERR);
    return;
  }
  const s = readSet(c, argv[1]);
  if (s === null) return;
  const r = c.reply;
  if (s === undefined || b === 0n) {
    r.emptyArray();
    return;
  }
  const size = s.size;
  if (b < 0n) {
    const count = Number(-b);
    r.arrayHeader(count);
    for (let i = 0; i < count; i++) r.bulk(s.random());
    return;
  }
  if (b >= BigInt(size)) {
    // CASE 2: the whole set, as an array (intset: ascending)
    r.arrayHeader(size);
    s.forEach((m) => r.bulk(m));
    return;
  }
  const count = Number(b);
  if (s.is === null && count * SRANDMEMBER_SUB_STRATEGY_MUL <= size) {
    // CASE 4 on a big table: random picks, skipping repeats, O(count)
    const picked = new Set<string>();
    r.arrayHeader(count);
    while (picked.size < count) {
      const m = s.random();
      if (picked.has(m)) continue;
      picked.add(m);
      r.bulk(m);
    }
    return;
  }
  const all = s.members();
  const n = all.length;
  r.arrayHeader(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > n) {
    let live = n;
    while (live > count) {
      const i = Math.floor(Math.random() * live);
      all[i] = all[--live];
    }
    for (let i = 0; i < count; i++) r.bulk(all[i]);
    return;
  }
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    const m = all[j];
    all[j] = all[i];
    all[i] = m;
    r.bulk(m);
  }
}

/* ---------------------------------------------------------------- SINTER family */

/**
 * Look up the sets named by keys. Missing keys give null entries. Returns
 * false after a WRONGTYPE reply.
 */
function collectSets(c: Client, keys: string[], forWrite: boolean, out: (SetValue | null)[]): boolean {
  const db = c.db;
  for (let i = 0; i < keys.length; i++) {
    const v = forWrite ? db.lookupWrite(keys[i]) : db.lookupRead(keys[i]);
    if (v === undefined) {
      out.push(null);
      continue;
    }
    if (!(v instanceof SetValue)) {
      c.error(WRONGTYPE);
      return false;
    }
    out.push(v);
  }
  return true;
}

/** Store result at dst (or delete dst when empty) and reply, as the *STORE commands do. */
function storeResult(c: Client, dst: string, result: SetValue, event: string): void {
  const db = c.db;
  const ks = c.server.keyspace;
  const n = result.size;
  if (n > 0) {
    db.setKey(dst, result);
    c.reply.int(n);
    ks.notify(NOTIFY_SET, event, dst, db.id);
    ks.dirty++;
  } else {
    c.reply.int(0);
    db.expireIfNeeded(dst);
    if (db.delete(dst)) {
      ks.dirty++;
      ks.notify(NOTIFY_GENERIC, 'del', dst, db.id);
    }
  }
}

/**
 * sinterGenericCommand. dst: the STORE target or null; cardOnly: SINTERCARD
 * (limit 0 = no limit).
 */
function sinterGeneric(c: Client, keys: string[], dst: string | null, cardOnly: boolean, limit: number): void {
  const sets: (SetValue | null)[] = [];
  if (!collectSets(c, keys, dst !== null, sets)) return;
  const r = c.reply;
  for (let i = 0; i < sets.length; i++) {
    if (sets[i] === null) {
      if (dst !== null) storeResult(c, dst, new SetValue(), 'sinterstore');
      else if (cardOnly) r.int(0);
      else r.setHeader(0);
      return;
    }
  }
  const ss = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = ss[0];
  const others = ss.length - 1;
  const matches = (m: string): boolean => {
    for (let j = 1; j <= others; j++) {
      const o = ss[j];
      if (o === first) continue;
      if (!o.has(m)) return false;
    }
    return true;
  };
  if (cardOnly) {
    let card = 0;
    const a = first.members();
    for (let i = 0; i < a.length; i++) {
      if (matches(a[i])) {
        card++;
        if (limit > 0 && card >= limit) break;
      }
    }
    r.int(card);
    return;
  }
  if (dst === null) {
    const out: string[] = [];
    first.forEach((m) => {
      if (matches(m)) out.push(m);
    });
    r.setHeader(out.length);
    for (let i = 0; i < out.length; i++) r.bulk(out[i]);
    return;
  }
  const result = new SetValue();
  const max = c.server.config.setMaxIntsetEntries;
  first.forEach((m) => {
    if (matches(m)) result.add(m, max);
  });
  storeResult(c, dst, result, 'sinterstore');
}

function sinter(c: Client, argv: string[]): void {
  sinterGeneric(c, argv.slice(1), null, false, 0);
}

function sinterstore(c: Client, argv: string[]): void {
  sinterGeneric(c, argv.slice(2), argv[1], false, 0);
}

function sintercard(c: Client, argv: string[]): void {
  const numkeys = parseInteger(argv[1]);
  if (numkeys === null || numkeys < 1) {
    c.error('ERR numkeys should be greater than 0');
    return;
  }
  if (numkeys > argv.length - 2) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    const left = argv.length - j - 1;
    if (argv[j].toLowerCase() === 'limit' && left > 0) {
      const l = parseInteger(argv[j + 1]);
      if (l === null || l < 0) {
        c.error("ERR LIMIT can't be negative");
        return;
      }
      limit = l;
      j++;
    } else {
      c.syntaxError();
      return;
    }
  }
  sinterGeneric(c, argv.slice(2, 2 + numkeys), null, true, limit);
}

const OP_UNION = 0;
const OP_DIFF = 1;

/** sunionDiffGenericCommand. */
function sunionDiffGeneric(c: Client, keys: string[], dst: string | null, op: number): void {
  const sets: (SetValue | null)[] = [];
  if (!collectSets(c, keys, dst !== null, sets)) return;
  const max = c.server.config.setMaxIntsetEntries;
  const result = new SetValue();
  if (op === OP_UNION) {
    for (let i = 0; i < sets.length; i++) {
      const s = sets[i];
      if (s !== null) s.forEach((m) => result.add(m, max));
    }
  } else {
    const first = sets[0];
    if (first !== null) {
      let sameset = false;
      for (let i = 1; i < sets.length; i++) if (sets[i] === first) sameset = true;
      if (!sameset) {
        first.forEach((m) => {
          for (let j = 1; j < sets.length; j++) {
            const o = sets[j];
            if (o !== null && o.has(m)) return;
          }
          result.add(m, max);
        });
      }
    }
  }
  if (dst === null) replyMembers(c, result);
  else storeResult(c, dst, result, op === OP_UNION ? 'sunionstore' : 'sdiffstore');
}

function sunion(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv.slice(1), null, OP_UNION);
}

function sunionstore(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv.slice(2), argv[1], OP_UNION);
}

function sdiff(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv.slice(1), null, OP_DIFF);
}

function sdiffstore(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv.slice(2), argv[1], OP_DIFF);
}

/* ---------------------------------------------------------------- SSCAN */

function sscan(c: Client, argv: string[]): void {
  scanCollection(c, argv, readSet, (s, cursor, count, keep, out) => {
    if (s.is !== null) {
      for (const m of s.is) if (keep(m)) out.push(m);
      return 0;
    }
    return scanDict(s.ht as Dict<null>, cursor, count, (m) => {
      if (keep(m)) out.push(m);
    });
  });
}

export const handlers: HandlerMap = {
  sadd, srem, scard, sismember, smismember, smembers, smove,
  spop, srandmember,
  sinter, sintercard, sinterstore, sunion, sunionstore, sdiff, sdiffstore,
  sscan,
};
