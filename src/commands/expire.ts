/*
 * Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT),
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST, as Redis 7.0.
 *
 * Times are absolute Unix milliseconds stored in db.expires. Like Redis
 * 7.0 (mstime()), relative times, TTL replies and the "already expired"
 * check read the wall clock itself: keyspace.now is a batch-level
 * snapshot that may lag it by a millisecond or two. Setting an
 * expire time that is already past deletes the key at once (on a primary),
 * notified as "del" and propagated as DEL, like Redis; otherwise the effect
 * is propagated as PEXPIREAT with the absolute time.
 *
 * install() registers the active expiry cycle (src/server/active-expire.ts)
 * as a cron task.
 */
import type { ModuleHost } from '../server/module-host';
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { NOTIFY_GENERIC } from '../keyspace/notify-flags';
import { ERR_NOT_INTEGER } from '../command-model/args';
import { parseInteger, INT64_MAX, INT64_MIN } from '../util/numbers';
import { ActiveExpire } from '../server/active-expire';

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function invalidExpire(c: Client): void {
  c.error(`ERR invalid expire time in '${c.cmd ? c.cmd.fullName : ''}' command`);
}

/** parseExtendedExpireArgumentsOrReply: the flags, or -1 after replying. */
function parseExpireFlags(c: Client, argv: string[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'nx') flags |= EXPIRE_NX;
    else if (opt === 'xx') flags |= EXPIRE_XX;
    else if (opt === 'gt') flags |= EXPIRE_GT;
    else if (opt === 'lt') flags |= EXPIRE_LT;
    else {
      c.error(`ERR Unsupported option ${argv[j]}`);
      return -1;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    c.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return -1;
  }
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) {
    c.error('ERR GT and LT options at the same time are not compatible');
    return -1;
  }
  return flags;
}

/**
 * The absolute time in ms for an EXPIRE-family argument, or null after
 * replying: negative values are allowed, overflows of the unit conversion
 * or of adding the base time are errors.
 */
function absoluteTime(c: Client, arg: string, basetime: number, seconds: boolean): number | null {
  const v = parseInteger(arg);
  if (v === null) {
    c.error(ERR_NOT_INTEGER);
    return null;
  }
  // fast path: everything stays exact in doubles
  if (v <= MAX_SAFE / 1000 && v >= -MAX_SAFE / 1000) {
    const ms = seconds ? v * 1000 : v;
    return ms + basetime;
  }
  let when = BigInt(arg);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      invalidExpire(c);
      return null;
    }
    when *= 1000n;
  }
  if (when > INT64_MAX - BigInt(basetime)) {
    invalidExpire(c);
    return null;
  }
  return Number(when + BigInt(basetime));
}

function expireGeneric(c: Client, argv: string[], basetime: number, seconds: boolean): void {
  const key = argv[1];
  const flags = parseExpireFlags(c, argv);
  if (flags < 0) return;
  const when = absoluteTime(c, argv[2], basetime, seconds);
  if (when === null) return;
  const db = c.db;
  const ks = c.server.keyspace;
  if (db.lookupWrite(key) === undefined) {
    c.reply.int(0);
    return;
  }
  if (flags !== 0) {
    const current = db.getExpire(key);
    if ((flags & EXPIRE_NX) !== 0 && current !== -1) {
      c.reply.int(0);
      return;
    }
    if ((flags & EXPIRE_XX) !== 0 && current === -1) {
      c.reply.int(0);
      return;
    }
    if ((flags & EXPIRE_GT) !== 0 && (when <= current || current === -1)) {
      c.reply.int(0);
      return;
    }
    if ((flags & EXPIRE_LT) !== 0 && current !== -1 && when >= current) {
      c.reply.int(0);
      return;
    }
  }
  if (when <= c.server.clock.now() && !ks.isReplica) {
    // already expired: delete now (Redis's checkAlreadyExpired)
    db.delete(key);
    ks.dirty++;
    ks.propagate(db.id, [c.server.config.lazyfreeLazyExpire ? 'UNLINK' : 'DEL', key]);
    ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
    c.reply.int(1);
    return;
  }
  db.setExpire(key, when);
  c.reply.int(1);
  ks.propagate(db.id, ['PEXPIREAT', key, String(when)]);
  ks.signalModified(db, key);
  ks.notify(NOTIFY_GENERIC, 'expire', key, db.id);
  ks.dirty++;
}

function expire(c: Client, argv: string[]): void {
  expireGeneric(c, argv, c.server.clock.now(), true);
}

function pexpire(c: Client, argv: string[]): void {
  expireGeneric(c, argv, c.server.clock.now(), false);
}

function expireat(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 0, true);
}

function pexpireat(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 0, false);
}

/** ttlGenericCommand */
function ttlGeneric(c: Client, key: string, ms: boolean, abs: boolean): void {
  const db = c.db;
  if (db.lookupRead(key, false) === undefined) {
    c.reply.int(-2);
    return;
  }
  const when = db.getExpire(key);
  if (when === -1) {
    c.reply.int(-1);
    return;
  }
  let ttl = abs ? when : when - c.server.clock.now();
  if (ttl < 0) ttl = 0;
  c.reply.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function ttl(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], false, false);
}

function pttl(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], true, false);
}

function expiretime(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], false, true);
}

function pexpiretime(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], true, true);
}

function persist(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const ks = c.server.keyspace;
  if (db.lookupWrite(key) === undefined || !db.removeExpire(key)) {
    c.reply.int(0);
    return;
  }
  ks.signalModified(db, key);
  ks.notify(NOTIFY_GENERIC, 'persist', key, db.id);
  c.reply.int(1);
  ks.dirty++;
}

export const handlers: HandlerMap = {
  expire, pexpire, expireat, pexpireat, ttl, pttl, expiretime, pexpiretime, persist,
};

export function install(host: ModuleHost): void {
  const cycle = new ActiveExpire(host.server);
  host.addCronTask(() => cycle.run());
}
