/*
 * Client: one connection. Owns the request parser, the reply writer, the
 * selected database and the per-connection state that CLIENT LIST reports.
 *
 * Replies are appended to `reply` while commands run and flushed once per
 * read (or once per event-loop turn for replies produced on behalf of other
 * clients, such as pub/sub messages): see Server.flush().
 */
import type { Socket } from 'net';
import { RequestParser } from '../protocol/request-parser';
import { ReplyWriter } from '../protocol/reply-writer';
import type { Database } from '../keyspace/database';
import type { Command } from '../command-model/table';
import type { Server } from './server';
import type { BlockState } from './blocking';
import type { AclUser } from './acl';
import { ClientTransaction } from './transaction';
import { ClientTracking } from './tracking';
import { ClientPubSub } from './pubsub';

/** CLIENT REPLY modes */
export const REPLY_ON = 0;
export const REPLY_OFF = 1;
export const REPLY_SKIP_NEXT = 2;
export const REPLY_SKIP = 3;

/** Redis reads 16 KiB at a time; the first read's buffer is 20474 usable bytes (allocator size class). */
const QUERYBUF_READ_LEN = 16384;
const QUERYBUF_FIRST_ALLOC = 20474;

export class Client {
  readonly id: number;
  readonly server: Server;
  readonly socket: Socket | null;
  readonly parser = new RequestParser();
  readonly reply = new ReplyWriter();
  db: Database;
  name = '';
  /** connection time and last interaction, ms */
  readonly ctime: number;
  lastInteraction: number;
  authenticated: boolean;
  user = 'default';
  /** the ACL user (its name is `user`); the default user until AUTH/HELLO */
  aclUser: AclUser;
  /** the command being executed or last executed */
  cmd: Command | null = null;
  lastCmd: Command | null = null;
  /** set when an error reply was written during the current command */
  errorInCommand = false;
  /** close once pending output is written */
  closeAfterReply = false;
  closed = false;
  /** queued for a deferred flush (output produced outside its own read) */
  pendingFlush = false;
  /** true while its own read is being processed */
  inRead = false;
  replyMode = REPLY_ON;
  /*
   * State that CLIENT LIST / CLIENT INFO report (flags letters in brackets).
   * Each subsystem maintains its own fields; CLIENT LIST only reads them.
   */
  /** MONITOR mode [O] */
  monitor = false;
  /** a replica's link [S] / our master's link [M] (replication sets them) */
  isReplica = false;
  isMaster = false;
  /** MULTI/WATCH state (server/transaction.ts): queued commands [x], WATCH failed [d] */
  readonly multi = new ClientTransaction();
  /** blocked on a blocking command [b] (paused clients show it too); just unblocked [u] */
  blocked = false;
  unblocked = false;
  /** client-side caching (server/tracking.ts): on [t], BCAST [B], redirection broken [R], redir= */
  readonly tracking = new ClientTracking();
  /** running where it cannot block or stream (inside EXEC, scripts): MONITOR and SHUTDOWN refuse */
  denyBlocking = false;
  /** set while blocked on keys by a blocking command (see server/blocking.ts) */
  blockState: BlockState | null = null;
  /** READONLY was sent (cluster) [r] */
  readonlyMode = false;
  /** to be closed at the next cron (e.g. output buffer limits) [A] */
  closeAsap = false;
  /** pub/sub subscriptions (server/pubsub.ts): counts by kind (sub=, psub=, ssub=), any [P] */
  readonly sub = new ClientPubSub();
  /**
   * Byte ranges [start, end, ...] of push output (pub/sub, invalidations)
   * written while CLIENT REPLY OFF/SKIP silences the running command: dispatch
   * keeps them when it drops the command's replies.
   */
  pushKeep: number[] | null = null;
  /** when (unix s) pending output first went over the soft limit, 0 if it is not */
  obufSoftLimitSince = 0;
  /** CLIENT NO-EVICT [e] */
  noEvict = false;
  /** the client scripts run their commands with (its clock stays at the script's start) */
  isScriptClient = false;
  /** for the script client: the client whose EVAL/FCALL is running, and that command's argv */
  scriptCaller: Client | null = null;
  scriptCallerArgv: string[] | null = null;
  /** its EVAL/FCALL outlived busy-reply-threshold: no more input is read until the script ends */
  busyScript = false;
  /** paused input: commands are held until CLIENT UNPAUSE or the timeout */
  pausedArgv: string[][] | null = null;
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  /** total bytes read, written (INFO stats) */
  /** arguments of the command being executed, for MONITOR/SLOWLOG */
  argvMem = 0;
  /**
   * The query buffer's allocation as Redis would have it (CLIENT LIST
   * qbuf-free): it grows to hold each read (16 KiB reads, whole bulks for big
   * arguments) and the client cron shrinks it after a peak or frees it when
   * the client idles. Our parser keeps no such buffer: this is bookkeeping.
   */
  qbufAlloc = 0;
  /** largest query buffer need since the last cron pass */
  qbufPeak = 0;

  /** A read of `bytes` is about to be appended to the parser. */
  noteRead(bytes: number): void {
    const need = this.parser.pendingBytes + (bytes > QUERYBUF_READ_LEN ? bytes : QUERYBUF_READ_LEN);
    if (need > this.qbufPeak) this.qbufPeak = need;
    if (need > this.qbufAlloc) this.qbufAlloc = need <= QUERYBUF_READ_LEN ? QUERYBUF_FIRST_ALLOC : need;
  }

  /** last RESP version requested by HELLO */
  get resp(): 2 | 3 {
    return this.reply.resp;
  }

  constructor(server: Server, socket: Socket | null, id: number, db: Database, addr: string, laddr: string, fd: number) {
    this.server = server;
    this.socket = socket;
    this.id = id;
    this.db = db;
    this.addr = addr;
    this.laddr = laddr;
    this.fd = fd;
    this.ctime = server.clock.now();
    this.lastInteraction = this.ctime;
    this.aclUser = server.acl.defaultUser;
    this.authenticated = server.acl.defaultAutoAuth();
    const stats = server.stats;
    this.reply.onError = (msg: string) => {
      this.errorInCommand = true;
      stats.recordError(msg);
    };
  }

  /** Write an error reply (counts in errorstats). `msg` includes its code: "ERR ...". */
  error(msg: string): void {
    this.reply.error(msg);
  }

  /** The "-ERR wrong number of arguments for '<cmd>' command" error. */
  arityError(): void {
    const name = this.cmd ? this.cmd.fullName : '';
    this.reply.error(`ERR wrong number of arguments for '${name}' command`);
  }

  syntaxError(): void {
    this.reply.error('ERR syntax error');
  }

  /** True when replies should not be produced (CLIENT REPLY OFF/SKIP). */
  get repliesSuppressed(): boolean {
    return this.replyMode !== REPLY_ON;
  }
}
