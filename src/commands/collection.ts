/*
 * What the collection commands share. Kept here so that HDEL, SREM and ZREM
 * (and later removers) delete empty keys and notify in exactly Redis's order.
 */
import type { Client } from '../server/client';
import { NOTIFY_GENERIC } from '../keyspace/notify-flags';

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
