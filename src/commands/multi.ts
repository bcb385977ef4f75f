/*
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0's multi.c).
 * The queue and the watched keys live on the server's side
 * (server/transaction.ts); dispatch queues a command there once it passed
 * every check.
 *
 * EXEC runs the queued commands through dispatch's call(), so each one is
 * counted in commandstats, SLOWLOG, latency and MONITOR exactly like a
 * top-level command, while the client stays flagged as in MULTI (CLIENT
 * LIST shows x) and may not block (c.denyBlocking). A runtime error of one
 * command is just its element of the reply array. The transaction counts
 * as a failed EXEC only when EXEC itself failed (EXECABORT, EXEC without
 * MULTI), not when a queued command did, as in Redis.
 *
 * WATCH. Every watched (db, key) has a WatchEntry, indexed both per client
 * and per database/key. The keyspace's single write path
 * (keyspace.onModified) touches the entries of a modified key: their
 * clients get dirtyCas and are unwatched at once (nothing they watch can
 * matter any more). A key that was already logically expired when watched
 * (entry.expired) is special, as in Redis 7.0: its deletion (lazy/active
 * expiry, DEL, FLUSHDB) is no logical change, only a later write is.
 * EXEC also fails when a key that was live at WATCH time has expired since
 * (isWatchedKeyExpired), even if nobody deleted it yet.
 * FLUSHDB/FLUSHALL reach us as one modification per existing key (the
 * keyspace signals them before clearing). SWAPDB reaches us through
 * keyspace.onSwap, with Redis's rules (touchAllWatchedKeysInDb): only keys
 * that exist in either database are touched; a stale key replaced by
 * nothing, by another stale key, or nothing replaced by a stale key, is no
 * change.
 *
 * Propagation (for when replication/AOF exist): Redis 7.0 wraps the writes
 * propagated by one EXEC in MULTI ... EXEC when there is more than one of
 * them (a single write, or none, is propagated bare; read-only transactions
 * propagate nothing). The wrapping belongs to the propagation layer's
 * end-of-command flush, not here.
 */
import type { ModuleHost } from '../server/module-host';
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { call } from '../server/dispatch';
import { aclCheckExec } from '../server/acl-check';
import {
  MultiState, discardTransaction, markTransactionControl, watchRegistryOf, anyWatches, watchKey, unwatchAllKeys,
  touchClient, touchWatchedKey, touchOnSwap, isWatchedKeyExpired,
} from '../server/transaction';

/* --------------------------------------------------------------- commands */

function multi(c: Client): void {
  if (c.multi.queued >= 0) {
    c.error('ERR MULTI calls can not be nested');
    return;
  }
  if (c.multi.state === null) c.multi.state = new MultiState();
  c.multi.queued = 0;
  c.multi.cmdFlags = 0;
  c.multi.cmdInvFlags = 0;
  c.reply.ok();
}

function exec(c: Client): void {
  const st = c.multi.queued >= 0 ? c.multi.state : null;
  if (st === null) {
    c.error('ERR EXEC without MULTI');
    return;
  }
  if (!c.multi.dirtyCas && isWatchedKeyExpired(c)) c.multi.dirtyCas = true;
  if (st.dirtyExec || c.multi.dirtyCas) {
    if (st.dirtyExec) c.error('EXECABORT Transaction discarded because of previous errors.');
    else c.reply.nullArray();
    discardTransaction(c);
    return;
  }
  const server = c.server;
  const prevDeny = c.denyBlocking;
  c.denyBlocking = true;
  // nothing watched matters any more: unwatch before running the writes
  if (anyWatches()) unwatchAllKeys(c);
  const execCmd = c.cmd;
  const cmds = st.cmds;
  const argvs = st.argvs;
  const count = st.count;
  c.reply.arrayHeader(count);
  server.inExec++;
  try {
    for (let i = 0; i < count; i++) {
      const cmd = cmds[i];
      c.cmd = cmd;
      // ACL rules may have changed since the command was queued
      const denied = c.aclUser.unrestricted ? null : aclCheckExec(c, cmd, argvs[i]);
      if (denied !== null) c.error(denied);
      else call(server, c, cmd, argvs[i]);
    }
  } finally {
    server.inExec--;
    c.cmd = execCmd;
    c.denyBlocking = prevDeny;
    discardTransaction(c);
  }
  // errors of the queued commands are theirs: EXEC itself succeeded
  c.errorInCommand = false;
  // call() times EXEC up to the end of its last command, which it has just read the clock for
  if (count > 0) server.execEndClock = server.lastCallEnd;
}

function discard(c: Client): void {
  if (c.multi.queued < 0) {
    c.error('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c);
  c.reply.ok();
}

function watch(c: Client, argv: string[]): void {
  if (c.multi.queued >= 0) {
    c.error('ERR WATCH inside MULTI is not allowed');
    return;
  }
  // a transaction that already failed stays failed: nothing to watch
  if (!c.multi.dirtyCas) {
    for (let i = 1; i < argv.length; i++) watchKey(c, c.db, argv[i]);
  }
  c.reply.ok();
}

function unwatch(c: Client): void {
  unwatchAllKeys(c);
  c.multi.dirtyCas = false;
  c.reply.ok();
}

export const handlers: HandlerMap = { multi, exec, discard, watch, unwatch };

export function install(host: ModuleHost): void {
  const server = host.server;
  // QUIT and RESET (other families) are never queued either
  markTransactionControl(server, ['multi', 'exec', 'discard', 'watch', 'quit', 'reset']);
  const reg = watchRegistryOf(server);
  server.keyspace.onModified((db, key) => {
    if (reg.count > 0) touchWatchedKey(reg, db, key);
  });
  server.keyspace.onSwap((a, b) => {
    if (reg.count === 0) return;
    const touched: Client[] = [];
    touchOnSwap(reg, a, b, touched);
    touchOnSwap(reg, b, a, touched);
    for (const c of touched) if (!c.multi.dirtyCas) touchClient(c);
  });
  host.onClientReset((c) => discardTransaction(c));
  host.onClientFreed((c) => discardTransaction(c));
}
