/*
 * What the collection commands share, so that HDEL/SREM/ZREM delete empty
 * keys and notify in exactly Redis's order, and HSCAN/SSCAN/ZSCAN check
 * and reply alike.
 */
import type { Client } from '../server/client';
import { NOTIFY_GENERIC } from '../keyspace/notify-flags';
import { parseScanCursor, parseScanOptions } from './keyspace';

/** A collection that can lose members. */
export interface MemberRemover {
  readonly size: number;
}

/**
 * Remove argv[first..] through `remove`, delete the key when the collection
 * empties, then signal, send the type's event (and "del"), count dirty, and
 * reply with the number removed, as Redis's hdel/srem/zrem do.
 */
export function removeMembers(
  c: Client, key: string, coll: MemberRemover, remove: (member: string) => boolean,
  argv: string[], first: number, notifyClass: number, event: string,
): void {
  const db = c.db;
  let deleted = 0;
  let removed = false;
  for (let i = first; i < argv.length; i++) {
    if (!remove(argv[i])) continue;
    deleted++;
    if (coll.size === 0) {
      db.delete(key);
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    const ks = c.server.keyspace;
    if (!removed) ks.signalModified(db, key);
    ks.notify(notifyClass, event, key, db.id);
    if (removed) ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
    ks.dirty += deleted;
  }
  c.reply.int(deleted);
}

/**
 * HSCAN, SSCAN and ZSCAN: check the cursor, look the key up (the reader
 * replies WRONGTYPE and returns null), answer an absent key with an empty
 * page, parse MATCH/COUNT, then let `walk` fill the page and return the next
 * cursor (compact encodings are walked whole and return 0, as in Redis).
 */
export function scanCollection<T>(
  c: Client, argv: string[],
  read: (c: Client, key: string) => T | null | undefined,
  walk: (value: T, cursor: number, count: number, keep: (member: string) => boolean, out: string[]) => number,
): void {
  const cursorIn = parseScanCursor(argv[2]);
  if (cursorIn < 0) {
    c.error('ERR invalid cursor');
    return;
  }
  const value = read(c, argv[1]);
  if (value === null) return;
  const r = c.reply;
  if (value === undefined) {
    r.arrayHeader(2);
    r.bulk('0');
    r.emptyArray();
    return;
  }
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const match = opts.match;
  const keep = match === null ? () => true : match;
  const out: string[] = [];
  const cursor = walk(value, cursorIn, opts.count, keep, out);
  r.arrayHeader(2);
  r.bulk(String(cursor));
  r.bulkArray(out);
}
