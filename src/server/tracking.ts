/*
 * Client-side caching (CLIENT TRACKING): remember which clients may cache
 * which keys, and tell them when those keys change.
 *
 * Default mode: after a read-only command of a tracking client, the keys it
 * read are added to the tracking table (key -> ids of the clients that read
 * it). When a key is modified (Keyspace.signalModified) every client listed
 * for it gets an invalidation and the entry is dropped: a key is reported
 * once per read. Ids are removed lazily: a client that went away or turned
 * tracking off is skipped when an entry is consumed, as in Redis.
 *
 * BCAST mode: no per-key table; clients subscribe to key prefixes ("" for
 * all). Modified keys matching a prefix are collected per prefix with the
 * client that modified them (null for expiry and eviction) and sent at the
 * end of the event-loop turn as one message per prefix (NOLOOP clients get
 * their own list without the keys they modified themselves).
 *
 * Delivery: a RESP3 client gets a push ">2 invalidate [keys]" (or a null for
 * "everything", after FLUSHDB/FLUSHALL); with REDIRECT the message goes to
 * the other client, as a push in RESP3 or, in RESP2, as a message on the
 * __redis__:invalidate channel when that client is subscribed. A redirect
 * target that went away flags the client (tracking-redir-broken push).
 * Invalidations for the client whose command caused them wait until that
 * top-level command has replied (flushPending, called by dispatch), so that
 * they never interleave with the command's reply.
 *
 * tracking-table-max-keys bounds the table: above it, entries are evicted
 * (oldest first) with invalidations, like Redis's random walk; the effort
 * grows while the table stays over the limit.
 */
import type { Client } from './client';
import type { Server } from './server';
import type { Command } from '../command-model/table';
import { KeysResult, getKeysFromCommand } from '../command-model/keys';
import { markPush, checkOutputBufferLimits } from './pubsub';
import { CMD_PUBSUB } from '../command-model/table';
import { encodeCommand } from '../protocol/command-encoder';

export const TRACK_BCAST = 1;
export const TRACK_OPTIN = 2;
export const TRACK_OPTOUT = 4;
export const TRACK_NOLOOP = 8;

/**
 * A client's client-side caching state (Client.tracking), owned by this
 * module (CLIENT TRACKING / CACHING set it through it). Allocated with the
 * client and never replaced: dispatch reads `caching` for every command.
 */
export class ClientTracking {
  /** CLIENT TRACKING on (CLIENT LIST flag t) */
  enabled = false;
  /** BCAST mode (flag B) */
  bcast = false;
  /** the redirection client went away (flag R) */
  brokenRedir = false;
  /** the client id invalidations are redirected to (redir=), -1 for none */
  redirect = -1;
  /** TRACK_* option bits */
  options = 0;
  /** BCAST prefixes, null until the first one */
  prefixes: Set<string> | null = null;
  /** CLIENT CACHING yes/no applies to the next command (or transaction) */
  caching = false;
}

interface BcastState {
  /** keys modified since the last broadcast -> the client that modified them last (null: the server) */
  keys: Map<string, Client | null>;
  clients: Set<Client>;
}

const INVALIDATE_HDR3 = '>2\r\n$10\r\ninvalidate\r\n';
const INVALIDATE_HDR2 = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n';
const NULL_PAYLOAD = ['', '', '$-1\r\n', '_\r\n'];

export class Tracking {
  readonly server: Server;
  /** key -> ids of clients that may cache it */
  readonly table = new Map<string, Set<number>>();
  totalItems = 0;
  readonly prefixes = new Map<string, BcastState>();
  /** clients with tracking on (INFO tracking_clients) */
  clients = 0;
  /** invalidations for server.current, sent after its command (null: flush) */
  private pending: (string | null)[] = [];
  private pendingClient: Client | null = null;
  private limitCounter = 0;
  private broadcastScheduled = false;
  private readonly keys = new KeysResult();

  constructor(server: Server) {
    this.server = server;
  }

  enable(c: Client, redirect: number, options: number, prefixes: string[]): void {
    if (!c.tracking.enabled) {
      this.clients++;
      this.server.gatesStale = true;
    }
    c.tracking.enabled = true;
    c.tracking.brokenRedir = false;
    c.tracking.options = options & (TRACK_OPTIN | TRACK_OPTOUT | TRACK_NOLOOP | TRACK_BCAST);
    c.tracking.bcast = (options & TRACK_BCAST) !== 0;
    c.tracking.redirect = redirect;
    if (c.tracking.bcast) {
      if (prefixes.length === 0) this.addPrefix(c, '');
      for (const p of prefixes) this.addPrefix(c, p);
    }
  }

  private addPrefix(c: Client, prefix: string): void {
    let bs = this.prefixes.get(prefix);
    if (bs === undefined) {
      bs = { keys: new Map(), clients: new Set() };
      this.prefixes.set(prefix, bs);
    }
    if (!bs.clients.has(c)) {
      bs.clients.add(c);
      if (c.tracking.prefixes === null) c.tracking.prefixes = new Set();
      c.tracking.prefixes.add(prefix);
    }
  }

  disable(c: Client): void {
    if (c.tracking.prefixes !== null) {
      for (const p of c.tracking.prefixes) {
        const bs = this.prefixes.get(p);
        if (bs === undefined) continue;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixes.delete(p);
      }
      c.tracking.prefixes = null;
    }
    if (c.tracking.enabled) {
      this.clients--;
      this.server.gatesStale = true;
      c.tracking.enabled = false;
      c.tracking.bcast = false;
      c.tracking.brokenRedir = false;
      c.tracking.options = 0;
      c.tracking.caching = false;
    }
  }

  /** The error for prefixes that overlap each other or the client's current ones, or null. */
  prefixCollision(c: Client, prefixes: string[]): string | null {
    const overlaps = (a: string, b: string) => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b));
    for (let i = 0; i < prefixes.length; i++) {
      if (c.tracking.prefixes !== null) {
        for (const old of [...c.tracking.prefixes].sort()) {
          if (overlaps(old, prefixes[i])) {
            return `ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${old}'. Prefixes for a single client must not overlap.`;
          }
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(prefixes[i], prefixes[j])) {
          return `ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`;
        }
      }
    }
    return null;
  }

  /** After a read-only command of a tracking client (not BCAST): remember the keys it read. */
  rememberKeys(c: Client, cmd: Command, argv: string[]): void {
    const opts = c.tracking.options;
    if (((opts & TRACK_OPTIN) !== 0 && !c.tracking.caching) || ((opts & TRACK_OPTOUT) !== 0 && c.tracking.caching)) return;
    const r = this.keys;
    const n = getKeysFromCommand(cmd, argv, r);
    if (n === 0 || (cmd.flags & CMD_PUBSUB) !== 0) return;
    for (let i = 0; i < n; i++) {
      const key = argv[r.pos[i]];
      let ids = this.table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.table.set(key, ids);
      }
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
  }

  /**
   * A key changed. `by` is the client that changed it (null for the server:
   * expiry, eviction, table limit). bcast false: only the table's clients are
   * told (table eviction: the key did not change).
   */
  invalidateKey(by: Client | null, key: string, bcast: boolean): void {
    if (bcast && this.prefixes.size > 0) this.rememberForBroadcast(by, key);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const server = this.server;
    const current = server.current;
    // the payload, built for the first client sent one
    let payload: string | null = null;
    for (const id of ids) {
      const target = server.clients.get(id);
      if (target === undefined || !target.tracking.enabled || target.tracking.bcast) continue;
      if ((target.tracking.options & TRACK_NOLOOP) !== 0 && target === current) continue;
      if (target === current) this.addPending(target, key);
      else this.send(target, (payload ??= encodeCommand([key])));
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
  }

  private addPending(c: Client, key: string | null): void {
    this.pendingClient = c;
    this.pending.push(key);
  }

  /** After a top-level command: the invalidations its client caused for itself. */
  flushPending(): void {
    if (this.pending.length === 0) return;
    const c = this.pendingClient;
    const list = this.pending;
    this.pending = [];
    this.pendingClient = null;
    if (c === null || c.closed) return;
    for (const key of list) this.send(c, key === null ? NULL_PAYLOAD[c.resp] : encodeCommand([key]));
  }

  private rememberForBroadcast(by: Client | null, key: string): void {
    for (const [prefix, bs] of this.prefixes) {
      if (prefix.length > key.length || !key.startsWith(prefix)) continue;
      bs.keys.delete(key); // keep the last modification's position, as a re-insert
      bs.keys.set(key, by);
    }
    if (!this.broadcastScheduled) {
      this.broadcastScheduled = true;
      setImmediate(() => this.broadcast());
    }
  }

  /** Send the keys collected per prefix to the BCAST clients (once per event-loop turn). */
  broadcast(): void {
    this.broadcastScheduled = false;
    for (const bs of this.prefixes.values()) {
      if (bs.keys.size === 0) continue;
      let common: string | null = null;
      for (const c of bs.clients) {
        if ((c.tracking.options & TRACK_NOLOOP) !== 0) {
          const own = buildKeyArray(bs.keys, c);
          if (own !== null) this.send(c, own);
        } else {
          if (common === null) common = buildKeyArray(bs.keys, null) as string;
          this.send(c, common);
        }
      }
      bs.keys = new Map();
    }
  }

  /** FLUSHDB / FLUSHALL: every tracking client is told "everything" (a null), the table is emptied. */
  invalidateAll(): void {
    if (this.clients > 0) {
      const current = this.server.current;
      for (const c of this.server.clients.values()) {
        if (!c.tracking.enabled) continue;
        if (c === current) this.addPending(c, null);
        else this.send(c, NULL_PAYLOAD[c.resp]);
      }
    }
    this.table.clear();
    this.totalItems = 0;
  }

  /** Keep the table within tracking-table-max-keys (before commands and in the cron). */
  limitUsedSlots(): void {
    const max = this.server.config.trackingTableMaxKeys;
    if (max === 0 || this.table.size <= max) {
      this.limitCounter = 0;
      return;
    }
    let effort = 100 * (this.limitCounter + 1);
    while (effort-- > 0) {
      const first = this.table.keys().next();
      if (first.done === true) break;
      this.invalidateKey(null, first.value, false);
      if (this.table.size <= max) {
        this.limitCounter = 0;
        return;
      }
    }
    this.limitCounter++;
  }

  /**
   * Deliver an invalidation payload (RESP array of keys, or a null) for
   * tracking client `c`, following its redirection.
   */
  private send(c: Client, payload: string): void {
    let target = c;
    let redirected = false;
    if (c.tracking.redirect > 0) {
      const redir = this.server.clients.get(c.tracking.redirect);
      if (redir === undefined) {
        c.tracking.brokenRedir = true;
        if (c.resp === 3) this.write(c, `>2\r\n$21\r\ntracking-redir-broken\r\n:${c.tracking.redirect}\r\n`);
        return;
      }
      target = redir;
      redirected = true;
    }
    if (target.resp === 3) this.write(target, INVALIDATE_HDR3 + payload);
    else if (redirected && target.sub.count > 0) this.write(target, INVALIDATE_HDR2 + payload);
  }

  private write(c: Client, frame: string): void {
    if (c.closeAsap || c.closeAfterReply || c.closed) return;
    const start = c.reply.len;
    c.reply.raw(frame);
    if (c.replyMode !== 0) markPush(c, start);
    this.server.scheduleFlush(c);
    checkOutputBufferLimits(this.server, c);
  }
}

/** The keys of a prefix as a RESP array, without those last modified by `skip` (null if none is left). */
function buildKeyArray(keys: Map<string, Client | null>, skip: Client | null): string | null {
  let count = 0;
  let body = '';
  for (const [key, by] of keys) {
    if (skip !== null && by === skip) continue;
    count++;
    body += `$${key.length}\r\n${key}\r\n`;
  }
  if (count === 0) return null;
  return `*${count}\r\n${body}`;
}
