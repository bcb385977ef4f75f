/*
 * Blocking operations (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, ...): clients
 * waiting for keys to receive data.
 *
 * A blocking command that finds nothing to serve calls block() with the
 * keys it waits on, a timeout and a handler. The client stops processing
 * input until it is unblocked. Any modification of a key somebody waits on
 * (the keyspace's single write path) marks that key ready; after the
 * current top-level command completes (so a push inside MULTI/EXEC or a
 * script is seen only once the whole transaction ran, as in Redis),
 * handleReady() offers each ready key to its waiters in FIFO order. A
 * handler's serve() either replies (the client is unblocked) or declines
 * (for example the key now holds another type), and the next waiter is
 * tried. Serving may make other keys ready (LMOVE into a watched key);
 * the loop runs until no key is ready.
 *
 * Invariants: a client is in the waiter list of every key it blocks on
 * exactly while `c.blockState` is set; blocked clients are counted by INFO
 * through `c.blocked`.
 */
import type { Server } from './server';
import type { Client } from './client';
import type { Database } from '../keyspace/database';
import { logCompletion } from './dispatch';
import type { ClockTimer } from '../util/clock';

export interface BlockHandler {
  /** `key` may now hold what the client waits for: reply and return true, or return false to keep waiting. */
  serve(key: string): boolean;
  /** The timeout expired (or CLIENT UNBLOCK ... TIMEOUT): write the timeout reply. */
  timeout(): void;
}

export interface BlockState {
  db: Database;
  keys: string[];
  handler: BlockHandler;
  timer: ClockTimer | null;
  /** when the client blocked (ms), for statistics */
  since: number;
  /** the blocking command line and its first run's duration (µs): SLOWLOG and latency stats come at unblock, as in Redis */
  argv?: string[];
  usec?: number;
}

export class BlockingManager {
  private readonly server: Server;
  /** waiters per database, per key, in arrival order */
  private waiting = new Map<Database, Map<string, Client[]>>();
  private waiterCount = 0;
  private ready = new Map<Database, Set<string>>();
  private handling = false;

  constructor(server: Server) {
    this.server = server;
    server.keyspace.onModified((db, key) => {
      if (this.waiterCount > 0) this.signalReady(db, key);
    });
    server.keyspace.onFlush(() => {
      // a flush or swap can make keys appear (SWAPDB): re-offer every watched key
      if (this.waiterCount === 0) return;
      for (const [db, keys] of this.waiting) for (const key of keys.keys()) this.signalReady(db, key);
    });
    server.onClientFreed((c) => this.remove(c));
    server.onClientReset((c) => this.remove(c));
  }

  /** Number of clients blocked on keys. */
  get blockedCount(): number {
    let n = 0;
    for (const c of this.server.clients.values()) if (c.blockState !== null) n++;
    return n;
  }

  /**
   * Block a client on keys. timeoutMs 0 waits forever. The caller has
   * already checked that blocking is allowed (not inside MULTI or a script).
   */
  block(c: Client, db: Database, keys: string[], timeoutMs: number, handler: BlockHandler): void {
    const clock = this.server.clock;
    const state: BlockState = { db, keys, handler, timer: null, since: clock.now() };
    let perDb = this.waiting.get(db);
    if (perDb === undefined) {
      perDb = new Map();
      this.waiting.set(db, perDb);
    }
    for (const key of keys) {
      let list = perDb.get(key);
      if (list === undefined) {
        list = [];
        perDb.set(key, list);
      }
      if (!list.includes(c)) {
        list.push(c);
        this.waiterCount++;
      }
    }
    if (timeoutMs > 0) {
      // a real clock's timers fire after at most 2^31-1 ms (Node's limit): longer waits re-arm until the deadline
      // (the deadline is on the server's clock: a manual clock fires it from advance())
      const deadline = clock.now() + timeoutMs;
      const fire = (): void => {
        if (c.blockState !== state) return;
        const left = deadline - clock.now();
        if (left > 0) {
          state.timer = clock.setTimer(fire, left);
          return;
        }
        this.remove(c);
        this.server.keyspace.now = clock.now();
        state.handler.timeout();
        this.statsOnUnblock(c, state, 0);
        this.resume(c);
      };
      state.timer = clock.setTimer(fire, timeoutMs);
    }
    c.blockState = state;
    c.blocked = true;
  }

  /** Mark a key as possibly ready for its waiters. */
  signalReady(db: Database, key: string): void {
    const perDb = this.waiting.get(db);
    if (perDb === undefined || !perDb.has(key)) return;
    let set = this.ready.get(db);
    if (set === undefined) {
      set = new Set();
      this.ready.set(db, set);
    }
    set.add(key);
  }

  get hasReadyKeys(): boolean {
    return this.ready.size > 0;
  }

  /**
   * Serve waiters of every ready key, until no key is ready. Called after top-level commands.
   * While a script runs past busy-reply-threshold (server.scriptBusy) its writes wake nobody until it ends.
   */
  handleReady(): void {
    if (this.handling || this.server.scriptBusy) return;
    this.handling = true;
    try {
      while (this.ready.size > 0) {
        const batch = this.ready;
        this.ready = new Map();
        for (const [db, keys] of batch) {
          for (const key of keys) this.serveKey(db, key);
        }
      }
    } finally {
      this.handling = false;
    }
  }

  private serveKey(db: Database, key: string): void {
    const list = this.waiting.get(db)?.get(key);
    if (list === undefined) return;
    for (const c of [...list]) {
      const state = c.blockState;
      if (state === null) continue;
      const clock = this.server.clock;
      this.server.keyspace.now = clock.now();
      const prevDb = c.db;
      c.db = state.db;
      let served: boolean;
      c.errorInCommand = false;
      // the served client is the current one (as Redis does), so that invalidations it causes follow its reply
      const prevCurrent = this.server.current;
      this.server.current = c;
      const t0 = clock.mono();
      try {
        served = state.handler.serve(key);
      } finally {
        if (c.db === state.db) c.db = prevDb;
        this.server.current = prevCurrent;
      }
      this.server.tracking.flushPending();
      if (served) {
        // an error reply when served (BLMOVE into a key of another type) fails the blocked command
        if (c.errorInCommand && c.lastCmd !== null) c.lastCmd.stats.failedCalls++;
        this.statsOnUnblock(c, state, Math.round((clock.mono() - t0) * 1000));
        this.remove(c);
        this.resume(c);
      }
    }
  }

  /**
   * CLIENT UNBLOCK: end a client's wait. With error, it gets Redis's
   * -UNBLOCKED error, otherwise its timeout reply. False if it was not blocked.
   */
  unblock(c: Client, withError: boolean): boolean {
    const state = c.blockState;
    if (state === null) return false;
    this.remove(c);
    if (withError) {
      c.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      if (c.lastCmd !== null) c.lastCmd.stats.failedCalls++;
    } else state.handler.timeout();
    this.statsOnUnblock(c, state, 0);
    this.resume(c);
    return true;
  }

  /**
   * Redis's updateStatsOnUnblock: the blocked command's SLOWLOG entry and
   * latency sample are recorded when it completes, with its first run's
   * duration plus the time spent replying (not the time spent blocked).
   */
  private statsOnUnblock(c: Client, state: BlockState, replyUs: number): void {
    const cmd = c.lastCmd;
    if (cmd === null || state.argv === undefined) return;
    const usec = (state.usec ?? 0) + replyUs;
    cmd.stats.usec += replyUs;
    logCompletion(this.server, c, cmd, state.argv, usec, usec * 1000);
  }

  /** Forget a client's wait without replying. */
  remove(c: Client): void {
    const state = c.blockState;
    if (state === null) return;
    if (state.timer !== null) this.server.clock.clearTimer(state.timer);
    const perDb = this.waiting.get(state.db);
    if (perDb !== undefined) {
      for (const key of state.keys) {
        const list = perDb.get(key);
        if (list === undefined) continue;
        const i = list.indexOf(c);
        if (i >= 0) {
          list.splice(i, 1);
          this.waiterCount--;
        }
        if (list.length === 0) perDb.delete(key);
      }
      if (perDb.size === 0) this.waiting.delete(state.db);
    }
    c.blockState = null;
    c.blocked = false;
  }

  /** After unblocking: send the reply and go on with the client's buffered commands. */
  private resume(c: Client): void {
    c.unblocked = true;
    this.server.scheduleFlush(c);
    setImmediate(() => {
      c.unblocked = false;
      if (c.closed || c.blockState !== null) return;
      this.server.processInput(c);
      this.server.flush(c);
    });
  }
}
