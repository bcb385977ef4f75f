/*
 * Pub/Sub registry: who listens to which channel, pattern or shard channel,
 * and delivery of published messages.
 *
 * Two views of the same relation are kept in step:
 * - server side, channel -> subscribers (in subscription order) for the
 *   global channels, the patterns and the shard channels;
 * - client side, the client's own sets (ClientSubscriptions, in
 *   Client.sub.names), whose sizes are mirrored in Client.sub's channels /
 *   patterns / shardChannels / count for CLIENT LIST, INFO and the RESP2
 *   subscribed-context gate.
 * An entry of the server maps never holds an empty subscriber list: the last
 * unsubscription removes the channel (PUBSUB CHANNELS / NUMPAT count them).
 *
 * Delivery encodes each message once per protocol version (RESP2 array,
 * RESP3 push differ only in the first byte) and appends the same bytes to
 * every subscriber's reply buffer; the subscribers' output is flushed at the
 * end of the event-loop turn, so messages published in one batch leave in
 * one write per subscriber. Messages are "push" output: CLIENT REPLY OFF/SKIP
 * does not silence them (see markPush).
 *
 * Output buffer limits (client-output-buffer-limit) are checked whenever
 * output is queued for another client (here) and when a client's output
 * is written to its socket (Server.flush): pending bytes are the reply
 * buffer plus what the socket has not yet sent.
 */
import type { Client } from './client';
import { REPLY_OFF, REPLY_SKIP } from './client';
import type { Server } from './server';
import { stringMatch } from '../util/glob';
import { clientInfoString } from './client-info';

/** What one client is subscribed to (insertion ordered, as Redis's pattern list). */
export interface ClientSubscriptions {
  channels: Set<string>;
  patterns: Set<string>;
  shard: Set<string>;
}

/**
 * A client's pub/sub state (Client.sub), owned by this module: the counts
 * are kept in step with the sets by PubSub. Allocated with the client and
 * never replaced; the sets themselves are allocated at the first
 * subscription and dropped by RESET and disconnection.
 */
export class ClientPubSub {
  /** subscriptions by kind (CLIENT LIST sub=, psub=, ssub=) */
  channels = 0;
  patterns = 0;
  shardChannels = 0;
  /** channels + patterns + shard channels (CLIENT LIST flag P when > 0) */
  count = 0;
  /** the names subscribed to, null until the first subscription */
  names: ClientSubscriptions | null = null;
}

export const KIND_CHANNEL = 0;
export const KIND_PATTERN = 1;
export const KIND_SHARD = 2;

/** Each kind's (un)subscribe command, lower case as in the confirmations. */
export const NAMES = {
  subscribe: ['subscribe', 'psubscribe', 'ssubscribe'],
  unsubscribe: ['unsubscribe', 'punsubscribe', 'sunsubscribe'],
};

function bulkText(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/**
 * Record that output just written for `c` (from `start`) is a push, kept even
 * when CLIENT REPLY OFF/SKIP discards the replies of the running command.
 */
export function markPush(c: Client, start: number): void {
  // only output written while the client's own commands run can be discarded
  if ((c.replyMode === REPLY_OFF || c.replyMode === REPLY_SKIP) && (c.inRead || c.server.current === c)) {
    if (c.pushKeep === null) c.pushKeep = [];
    c.pushKeep.push(start, c.reply.len);
  }
}

export class PubSub {
  readonly server: Server;
  readonly channels = new Map<string, Client[]>();
  readonly patterns = new Map<string, Client[]>();
  readonly shardChannels = new Map<string, Client[]>();

  constructor(server: Server) {
    this.server = server;
  }

  private state(c: Client): ClientSubscriptions {
    let s = c.sub.names;
    if (s === null) s = c.sub.names = { channels: new Set(), patterns: new Set(), shard: new Set() };
    return s;
  }

  private mapOf(kind: number): Map<string, Client[]> {
    return kind === KIND_CHANNEL ? this.channels : kind === KIND_PATTERN ? this.patterns : this.shardChannels;
  }

  private setOf(s: ClientSubscriptions, kind: number): Set<string> {
    return kind === KIND_CHANNEL ? s.channels : kind === KIND_PATTERN ? s.patterns : s.shard;
  }

  private syncCounts(c: Client): void {
    const was = c.sub.count;
    const s = c.sub.names;
    c.sub.channels = s === null ? 0 : s.channels.size;
    c.sub.patterns = s === null ? 0 : s.patterns.size;
    c.sub.shardChannels = s === null ? 0 : s.shard.size;
    c.sub.count = c.sub.channels + c.sub.patterns + c.sub.shardChannels;
    // a client with no subscription left or a first one may change whether any client has one (the RESP2 gate)
    if ((was === 0) !== (c.sub.count === 0)) this.server.gatesStale = true;
  }

  /** The count a (un)subscribe confirmation reports: channels + patterns, or shard channels alone. */
  private countFor(c: Client, kind: number): number {
    return kind === KIND_SHARD ? c.sub.shardChannels : c.sub.channels + c.sub.patterns;
  }

  private confirm(c: Client, word: string, name: string | null, count: number): void {
    const r = c.reply;
    const start = r.len;
    r.pushHeader(3);
    r.bulk(word);
    if (name === null) r.nullBulk();
    else r.bulk(name);
    r.int(count);
    markPush(c, start);
  }

  /** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE of one name, with its confirmation. */
  subscribe(c: Client, kind: number, name: string): void {
    const set = this.setOf(this.state(c), kind);
    if (!set.has(name)) {
      set.add(name);
      const map = this.mapOf(kind);
      const list = map.get(name);
      if (list === undefined) map.set(name, [c]);
      else list.push(c);
      this.syncCounts(c);
    }
    this.confirm(c, NAMES.subscribe[kind], name, this.countFor(c, kind));
  }

  /** Remove one subscription; with notify, confirm it (also when there was none). */
  unsubscribe(c: Client, kind: number, name: string, notify: boolean): boolean {
    const s = c.sub.names;
    let removed = false;
    if (s !== null) {
      const set = this.setOf(s, kind);
      if (set.delete(name)) {
        removed = true;
        const map = this.mapOf(kind);
        const list = map.get(name);
        if (list !== undefined) {
          const i = list.indexOf(c);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) map.delete(name);
        }
        this.syncCounts(c);
      }
    }
    if (notify) this.confirm(c, NAMES.unsubscribe[kind], name, this.countFor(c, kind));
    return removed;
  }

  /** Unsubscribe from every name of a kind; with notify and nothing to drop, one confirmation with a null name. */
  unsubscribeAll(c: Client, kind: number, notify: boolean): number {
    let count = 0;
    const s = c.sub.names;
    if (s !== null) {
      for (const name of [...this.setOf(s, kind)]) {
        if (this.unsubscribe(c, kind, name, notify)) count++;
      }
    }
    if (notify && count === 0) this.confirm(c, NAMES.unsubscribe[kind], null, this.countFor(c, kind));
    return count;
  }

  /** RESET / disconnection: drop every subscription silently. */
  dropClient(c: Client): void {
    if (c.sub.names === null) return;
    this.unsubscribeAll(c, KIND_CHANNEL, false);
    this.unsubscribeAll(c, KIND_PATTERN, false);
    this.unsubscribeAll(c, KIND_SHARD, false);
    c.sub.names = null;
    this.syncCounts(c);
  }

  /** PUBLISH / SPUBLISH: deliver to subscribers (and matching patterns, for global channels). Returns receivers. */
  publish(channel: string, message: string, shard: boolean): number {
    let receivers = 0;
    const subs = (shard ? this.shardChannels : this.channels).get(channel);
    if (subs !== undefined) {
      const tail = (shard ? '$8\r\nsmessage\r\n' : '$7\r\nmessage\r\n') + bulkText(channel) + bulkText(message);
      const frames = new Frames(tail, 3);
      for (let i = 0; i < subs.length; i++) this.deliver(subs[i], frames);
      receivers += subs.length;
    }
    if (shard || this.patterns.size === 0) return receivers;
    for (const [pattern, clients] of this.patterns) {
      if (!stringMatch(pattern, channel)) continue;
      const frames = new Frames('$8\r\npmessage\r\n' + bulkText(pattern) + bulkText(channel) + bulkText(message), 4);
      for (let i = 0; i < clients.length; i++) this.deliver(clients[i], frames);
      receivers += clients.length;
    }
    return receivers;
  }

  /** Deliver a frame of bulk strings (after its header) to one client as a push, e.g. an invalidation. */
  deliver(c: Client, frames: Frames): void {
    if (c.closeAsap || c.closeAfterReply) return;
    const start = c.reply.len;
    c.reply.rawBytes(frames.get(c.resp));
    if (c.replyMode !== 0) markPush(c, start);
    // flushed once per event-loop turn (after every read of this turn was handled), not per message
    if (!c.pendingFlush && !c.inRead) {
      c.pendingFlush = true;
      this.queue.push(c);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flushQueue);
      }
    }
    checkOutputBufferLimits(this.server, c);
  }

  private queue: Client[] = [];
  private flushScheduled = false;
  private readonly flushQueue = (): void => {
    this.flushScheduled = false;
    const list = this.queue;
    this.queue = [];
    const server = this.server;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      c.pendingFlush = false;
      server.flush(c);
    }
  };

  /**
   * Whether any client has a subscription: the maps hold exactly the
   * subscribed clients (no entry is left with an empty list).
   */
  get hasSubscribers(): boolean {
    return this.channels.size > 0 || this.patterns.size > 0 || this.shardChannels.size > 0;
  }

  /** Whether anyone listens at all (keyspace notifications skip building messages otherwise). */
  get active(): boolean {
    return this.channels.size > 0 || this.patterns.size > 0;
  }
}

/** One message encoded once per protocol: header ('*n' or '>n') + shared tail. */
export class Frames {
  private readonly tail: string;
  private readonly n: number;
  private r2: Buffer | null = null;
  private r3: Buffer | null = null;

  constructor(tail: string, n: number) {
    this.tail = tail;
    this.n = n;
  }

  get(resp: 2 | 3): Buffer {
    if (resp === 2) return (this.r2 ??= Buffer.from(`*${this.n}\r\n${this.tail}`, 'latin1'));
    return (this.r3 ??= Buffer.from(`>${this.n}\r\n${this.tail}`, 'latin1'));
  }
}

/*
 * Output buffer limits. Redis classes: a subscriber is "pubsub", a replica
 * is "replica", others (masters and monitors included) are "normal".
 */
function limitClass(server: Server, c: Client) {
  const limits = server.config.clientOutputBufferLimit;
  if (c.isMaster) return limits.normal;
  // a MONITOR client counts as normal here (Redis's getClientType)
  if (c.isReplica && !c.monitor) return limits.replica;
  if (c.sub.count > 0) return limits.pubsub;
  return limits.normal;
}

/** Bytes queued for a client and not yet accepted by the kernel (CLIENT LIST omem, less what is still in the reply buffer). */
export function pendingOutput(c: Client): number {
  return c.reply.len + (c.socket !== null ? c.socket.writableLength : 0);
}

/**
 * Close a client whose pending output is over its class's hard limit, or
 * has been over the soft limit for longer than its seconds. The client is
 * dropped at the end of the turn without writing what is pending, as Redis's
 * freeClientAsync does.
 */
export function checkOutputBufferLimits(server: Server, c: Client, async = true): boolean {
  if (c.socket === null || c.closeAsap || c.closed) return false;
  const lim = limitClass(server, c);
  if (lim.hard === 0 && lim.soft === 0) return false;
  const used = pendingOutput(c);
  if (used === 0) return false;
  const hard = lim.hard !== 0 && used >= lim.hard;
  let soft = lim.soft !== 0 && used >= lim.soft;
  if (soft) {
    const nowSec = Math.floor(server.clock.now() / 1000);
    if (c.obufSoftLimitSince === 0) {
      c.obufSoftLimitSince = nowSec;
      soft = false;
    } else if (nowSec - c.obufSoftLimitSince <= lim.softSeconds) {
      soft = false;
    }
  } else {
    c.obufSoftLimitSince = 0;
  }
  if (!hard && !soft) return false;
  // described before the flag is set, as Redis logs it
  const desc = describe(server, c);
  server.stats.clientOutputBufferLimitDisconnections++;
  c.reply.len = 0;
  if (!async) {
    server.freeClient(c);
    server.log.warning(`Client ${desc} closed for overcoming of output buffer limits.`);
    return true;
  }
  c.closeAsap = true;
  server.log.warning(`Client ${desc} scheduled to be closed ASAP for overcoming of output buffer limits.`);
  setImmediate(() => {
    c.reply.len = 0;
    server.freeClient(c);
  });
  return true;
}

function describe(_server: Server, c: Client): string {
  return clientInfoString(c);
}
