/*
 * Transactions on the server's side (Redis 7.0's multi.c): the queue of a
 * client inside MULTI and the keys it WATCHes. The commands themselves
 * (MULTI, EXEC, DISCARD, WATCH, UNWATCH) are commands/multi.ts.
 *
 * Queueing. While a client is inside MULTI (c.multi.queued >= 0), dispatch
 * runs every check Redis runs before a command executes (unknown command,
 * arity, authentication, no_multi, gates such as OOM) and then, instead of
 * calling it, hands it to queueCommand(), which replies +QUEUED. A refusal
 * during those checks marks the transaction dirty (flagTransaction): EXEC
 * then replies EXECABORT and drops everything. Once dirty (or once a watched
 * key changed) Redis stops storing queued commands, but still replies
 * +QUEUED; so do we (multi= in CLIENT LIST stops growing). MULTI, EXEC,
 * DISCARD, WATCH, QUIT and RESET are never queued (isTransactionControl).
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
 */
import { perServer } from './per-server';
import type { Client } from './client';
import type { Server } from './server';
import type { Database } from '../keyspace/database';
import type { Command } from '../command-model/table';
import { feedMonitors } from './dispatch';

/** One WATCHed key of one client. */
interface WatchEntry {
  readonly client: Client;
  readonly db: Database;
  readonly key: string;
  /** the key was already logically expired when WATCH ran */
  expired: boolean;
}


/**
 * A client's transaction while inside MULTI. Created at the client's first
 * MULTI, kept on the client (c.multi.state) and reused by the next ones.
 */
export class MultiState {
  /**
   * The queued commands and their arguments, in parallel (no object per
   * queued command): the first `count` entries. The arrays are kept from one
   * transaction to the next (no allocation or regrowth per transaction);
   * arguments are released when the transaction ends.
   */
  cmds: Command[] = [];
  argvs: string[][] = [];
  count = 0;
  /** a command was refused while queueing (Redis's CLIENT_DIRTY_EXEC) */
  dirtyExec = false;

  /** Memory the queued commands hold (CLIENT LIST's multi-mem): summed when asked, not per command. */
  memory(): number {
    let mem = 0;
    for (let j = 0; j < this.count; j++) {
      const argv = this.argvs[j];
      mem += argv.length * ARGV_POINTER_BYTES;
      for (let i = 0; i < argv.length; i++) mem += argv[i].length;
    }
    return mem;
  }
}

/**
 * A client's transaction and WATCH state (Client.multi), owned by this
 * module and commands/multi.ts. Allocated with the client and never
 * replaced: dispatch reads `queued` for every command.
 */
export class ClientTransaction {
  /** commands queued by MULTI, -1 outside a transaction (CLIENT LIST multi=, flag x) */
  queued = -1;
  /** the transaction's queue and flags, from the client's first MULTI on */
  state: MultiState | null = null;
  /** command flags of the queued commands OR'ed together (CLIENT PAUSE WRITE holds EXEC of writes) */
  cmdFlags = 0;
  /** OR of the complements of the queued commands' flags (a flag some queued command lacks) */
  cmdInvFlags = 0;
  /** a WATCHed key was touched: EXEC will fail (flag d) */
  dirtyCas = false;
}

/** Per-server index of watched keys: db -> key -> entries (one per watching client). */
export class WatchRegistry {
  readonly byDb = new Map<Database, Map<string, WatchEntry[]>>();
  /** number of entries, so that the write path returns at once when nobody watches */
  count = 0;
}

const watchedByClient = new WeakMap<Client, WatchEntry[]>();
/** watch entries of all servers in the process: 0 lets EXEC skip every WATCH step */
let totalWatches = 0;

/** Whether any client of any server watches a key (EXEC and DISCARD skip every WATCH step otherwise). */
export function anyWatches(): boolean {
  return totalWatches > 0;
}

/** What a released queue slot holds */
const NO_ARGV: string[] = [];

/** Bytes Redis adds per queued argument (a pointer) on top of the argument's length (multi-mem). */
const ARGV_POINTER_BYTES = 8;

export const watchRegistryOf = perServer(() => new WatchRegistry());

/* --------------------------------------------------------------- queueing */

/**
 * A command whose flags depend on its arguments (EVAL/FCALL of a script
 * that declares flags: Redis's getCommandFlags), set on the server's own
 * command table by the module that owns the command: EXEC is checked
 * against what the queued commands may really do.
 */
export function setQueuedFlags(server: Server, fullName: string, fn: (c: Client, flags: number, argv: string[]) => number): void {
  // by the command's own name: rename-command may have moved it
  for (const cmd of server.commands.all()) if (cmd.fullName === fullName) cmd.queuedFlags = fn;
}

/** Redis's getCommandFlags: the command's flags, or those its arguments' script declares. */
export function commandFlags(c: Client, cmd: Command, argv: string[]): number {
  const dyn = cmd.queuedFlags;
  return dyn === null ? cmd.flags : dyn(c, cmd.flags, argv);
}

/** Called by dispatch once a command passed every check inside MULTI. */
export function queueCommand(c: Client, cmd: Command, argv: string[]): void {
  const st = c.multi.state;
  // no point storing commands of a transaction that cannot run
  if (st !== null && !st.dirtyExec && !c.multi.dirtyCas) {
    const n = st.count++;
    if (n < st.cmds.length) {
      st.cmds[n] = cmd;
      st.argvs[n] = argv;
    } else {
      st.cmds.push(cmd);
      st.argvs.push(argv);
    }
    c.multi.queued++;
    const flags = commandFlags(c, cmd, argv);
    c.multi.cmdFlags |= flags;
    c.multi.cmdInvFlags |= ~flags;
  }
  c.reply.raw('+QUEUED\r\n');
}

/** A command was refused while the client is in MULTI: EXEC will abort. */
export function flagTransaction(c: Client): void {
  if (c.multi.queued < 0) return;
  const st = c.multi.state;
  if (st !== null) st.dirtyExec = true;
}


/**
 * The commands that run even inside MULTI: MULTI, EXEC, DISCARD, WATCH,
 * QUIT and RESET, marked on the server's own table when the transaction
 * module installs (by the command's own name, so renames keep working).
 */
export function isTransactionControl(cmd: Command): boolean {
  return cmd.txControl;
}

export function markTransactionControl(server: Server, fullNames: readonly string[]): void {
  for (const cmd of server.commands.all()) if (fullNames.includes(cmd.fullName)) cmd.txControl = true;
}

/**
 * EXEC refused before running (arity, authentication...): Redis drops the
 * transaction, replies EXECABORT with the refusal's text, and still shows the
 * EXEC to MONITOR clients.
 */
export function execCommandAbort(server: Server, c: Client, msg: string, argv: string[]): void {
  discardTransaction(c);
  const text = msg.startsWith('ERR ') ? msg.slice(4) : msg;
  c.error(`EXECABORT Transaction discarded because of: ${text}`);
  if (server.monitors.size > 0) feedMonitors(server, c, argv, server.clock.mono());
}

/** Leave MULTI (if in it), forget the queue, the dirty flags and every watched key. */
export function discardTransaction(c: Client): void {
  if (c.multi.queued >= 0) {
    const st = c.multi.state;
    if (st !== null) {
      // release the arguments; the arrays stay for the next transaction
      // (truncating goes through the runtime and frees their storage)
      const argvs = st.argvs;
      for (let i = 0; i < st.count; i++) argvs[i] = NO_ARGV;
      st.count = 0;
      st.dirtyExec = false;
    }
  }
  c.multi.queued = -1;
  c.multi.cmdFlags = 0;
  c.multi.cmdInvFlags = 0;
  c.multi.dirtyCas = false;
  if (totalWatches > 0) unwatchAllKeys(c);
}

/* ------------------------------------------------------------------ WATCH */

/** Logically expired now (the rule lookups use), without deleting it. */
function keyIsExpired(db: Database, key: string): boolean {
  const when = db.getExpire(key);
  return when >= 0 && when <= db.keyspace.now;
}

export function watchKey(c: Client, db: Database, key: string): void {
  const reg = watchRegistryOf(c.server);
  let perDb = reg.byDb.get(db);
  if (perDb === undefined) {
    perDb = new Map();
    reg.byDb.set(db, perDb);
  }
  let entries = perDb.get(key);
  if (entries === undefined) {
    entries = [];
    perDb.set(key, entries);
  } else {
    for (let i = 0; i < entries.length; i++) if (entries[i].client === c) return;
  }
  const wk: WatchEntry = { client: c, db, key, expired: keyIsExpired(db, key) };
  entries.push(wk);
  reg.count++;
  totalWatches++;
  let mine = watchedByClient.get(c);
  if (mine === undefined) {
    mine = [];
    watchedByClient.set(c, mine);
  }
  mine.push(wk);
}

export function unwatchAllKeys(c: Client): void {
  const mine = watchedByClient.get(c);
  if (mine === undefined) return;
  watchedByClient.delete(c);
  const reg = watchRegistryOf(c.server);
  for (const wk of mine) {
    const perDb = reg.byDb.get(wk.db);
    const entries = perDb?.get(wk.key);
    if (perDb === undefined || entries === undefined) continue;
    const i = entries.indexOf(wk);
    if (i < 0) continue;
    entries.splice(i, 1);
    reg.count--;
    totalWatches--;
    if (entries.length === 0) {
      perDb.delete(wk.key);
      if (perDb.size === 0) reg.byDb.delete(wk.db);
    }
  }
}

/** Mark a client's transaction as failed by WATCH and drop its watches. */
export function touchClient(c: Client): void {
  c.multi.dirtyCas = true;
  unwatchAllKeys(c);
}

/** A key was modified through the keyspace (Redis's touchWatchedKey). */
export function touchWatchedKey(reg: WatchRegistry, db: Database, key: string): void {
  const perDb = reg.byDb.get(db);
  if (perDb === undefined) return;
  const entries = perDb.get(key);
  if (entries === undefined) return;
  // touchClient() edits the list we iterate
  const snapshot = entries.slice();
  for (const wk of snapshot) {
    if (wk.client.multi.dirtyCas) continue;
    // an already stale key going away (or still stale, as while FLUSHDB runs) is no logical change
    if (wk.expired && (!db.dict.has(key) || keyIsExpired(db, key))) {
      wk.expired = false;
      continue;
    }
    touchClient(wk.client);
  }
}

/**
 * SWAPDB exchanged the contents of a and b (Redis's touchAllWatchedKeysInDb
 * applied to both). For keys watched in `watchDb`, `formerDb` now holds
 * what watchDb held before the swap.
 */
export function touchOnSwap(reg: WatchRegistry, watchDb: Database, formerDb: Database, out: Client[]): void {
  const perDb = reg.byDb.get(watchDb);
  if (perDb === undefined) return;
  for (const [key, entries] of perDb) {
    const existedBefore = formerDb.dict.has(key);
    const existsNow = watchDb.dict.has(key);
    if (!existedBefore && !existsNow) continue;
    for (const wk of entries) {
      if (wk.client.multi.dirtyCas) continue;
      if (wk.expired) {
        // a stale key replaced by nothing, or by another stale key
        if (!existsNow) {
          wk.expired = false;
          continue;
        }
        if (keyIsExpired(watchDb, key)) continue;
      } else if (!existedBefore && keyIsExpired(watchDb, key)) {
        // nothing replaced by a stale key
        wk.expired = true;
        continue;
      }
      out.push(wk.client);
    }
  }
}

/** EXEC fails when a key that was live at WATCH time has expired since, even if not yet deleted. */
export function isWatchedKeyExpired(c: Client): boolean {
  if (totalWatches === 0) return false;
  const mine = watchedByClient.get(c);
  if (mine === undefined) return false;
  for (const wk of mine) {
    if (wk.expired) continue;
    if (keyIsExpired(wk.db, wk.key)) return true;
  }
  return false;
}
