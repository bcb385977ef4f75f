/*
 * Server: one server's state (configuration, keyspace, command table,
 * clients, statistics) and the network side: listeners, reading requests,
 * flushing replies, and the periodic cron. It knows no command family or
 * subsystem: those are modules that the composition root (src/compose.ts)
 * installs on the server's ModuleHost. Nothing here is process-wide, so
 * several servers run in one process independently.
 *
 * One event loop, like Redis: a socket read is parsed into as many complete
 * commands as it holds, each is executed to completion (commands are
 * therefore atomic), and all of their replies leave in one write. Output a
 * command produces for *other* clients (pub/sub, unblocked clients) is
 * flushed once at the end of the current event-loop turn.
 */
import * as net from 'net';
import * as fs from 'fs';
import * as os from 'os';
import { Config } from '../config/config';
import { Keyspace } from '../keyspace/keyspace';
import type { CommandTable } from '../command-model/table';
import { Client } from './client';
import { ProtocolError } from '../protocol/request-parser';
import { Logger, levelFromName } from '../util/log';
import { ServerStats } from './stats';
import { executeCommand, refreshGates } from './dispatch';
import { ModuleHost, type CommandGate } from './module-host';
import { SlowLog } from './slowlog';
import { LatencyMonitor } from './latency';
import { serverCron } from './cron';
import { BlockingManager } from './blocking';
import { Propagator } from './propagation';
import { PubSub, checkOutputBufferLimits } from './pubsub';
import { Tracking } from './tracking';
import { PROTECTED_MODE_ERROR, refusedByProtectedMode } from './protected-mode';
import { Acl } from './acl';
import { USER_BUFFER_READS, readIntoSharedBuffer } from './socket-reads';
import { type Clock, realClock } from '../util/clock';

export const NODIS_VERSION = '0.1.0';
/** The Redis version Nodis implements and reports. */
export const REDIS_VERSION = '7.0.15';

/** Test knobs set by DEBUG subcommands. */
export interface DebugKnobs {
  pauseCron: boolean;
  disableDenyScripts: boolean;
  skipChecksumValidation: boolean;
  aofFlushSleep: number;
  quicklistPackedThreshold: number;
  replyBufferPeakResetTime: number;
  replyBufferResizing: boolean;
}

export interface ListeningAddress {
  host: string;
  port: number;
}

/** What a Server is given besides its configuration. */
export interface ServerOptions {
  /** the clock every time reading goes through (util/clock.ts); default: the real clock */
  clock?: Clock;
}

export class Server {
  readonly config: Config;
  /** the time source: expiry, timeouts, blocking deadlines, TIME... (util/clock.ts) */
  readonly clock: Clock;
  readonly log = new Logger();
  readonly keyspace: Keyspace;
  readonly commands: CommandTable;
  /** where this server's modules attach (gates, INFO, DEBUG hooks...): src/server/module-host.ts */
  readonly host: ModuleHost;
  /** users, permissions and the ACL LOG (server/acl.ts; commands/acl.ts wires it) */
  readonly acl: Acl;
  readonly stats = new ServerStats();
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  /** clients blocked on keys (BLPOP & co.) */
  readonly blocking: BlockingManager;
  /** effects of commands for replicas (and the AOF) */
  readonly propagator: Propagator;
  /** pub/sub subscriptions (server/pubsub.ts) and client-side caching (server/tracking.ts) */
  readonly pubsub: PubSub;
  readonly tracking: Tracking;
  readonly startTime: number;
  readonly runId: string;
  readonly executable: string;
  private clientIdCounter = 1;
  private listeners: net.Server[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  private pendingFlush: Client[] = [];
  private flushScheduled = false;
  /** clock.mono() at the end of the last command of the current read's batch; -1 outside a batch */
  batchClock = -1;
  /** clock at the end of the last command call() ran (EXEC ends when its last queued command does) */
  lastCallEnd = 0;
  /** set by EXEC as it returns: the end of its last queued command, which call() takes as EXEC's own end; else -1 */
  execEndClock = -1;
  /**
   * A script runs past busy-reply-threshold and other clients get -BUSY
   * (scripting/host.ts, the only stored busy flag): the cron waits, as
   * Redis's serverCron does not run while a script holds the server (no
   * active expiry under its frozen clock), and blocked clients are not
   * served (server/blocking.ts) until the script ends.
   */
  scriptBusy = false;
  /** the client whose command is executing, if any */
  current: Client | null = null;
  /** CLIENT PAUSE: until when (ms), and whether all commands or only writes are held */
  pauseEnd = 0;
  pauseAll = false;
  /** last save time (LASTSAVE), seconds */
  lastSave: number;
  cronLoops = 0;
  /** set by the heap guard while the V8 heap is close to its limit */
  heapNearLimit = false;
  /** net input bytes when the heap guard last sampled the heap */
  heapSampleInput = 0;
  /** the command gates that can refuse something now (dispatch.refreshGates) */
  armedGates: CommandGate[] = [];
  /** something a gate's armed() reads may have changed: recompute before the next command */
  gatesStale = true;
  /** Periodic tasks run by serverCron, in order (active expiry, client timeouts, ...). */
  readonly cronTasks: ((now: number) => void)[] = [];
  shuttingDown = false;
  /** replication ids and offsets (INFO replication, DEBUG CHANGE-REPL-ID); replication owns them later */
  replId: string = randomHex(40);
  replId2 = '0000000000000000000000000000000000000000';
  masterReplOffset = 0;
  secondReplOffset = -1;
  /** DEBUG SET-ACTIVE-EXPIRE: the active expiry cycle runs only when true */
  activeExpireEnabled = true;
  /** knobs DEBUG sets for tests (PAUSE-CRON, SET-DISABLE-DENY-SCRIPTS, ...); subsystems read them */
  readonly debugKnobs: DebugKnobs = {
    pauseCron: false,
    disableDenyScripts: false,
    skipChecksumValidation: false,
    aofFlushSleep: 0,
    quicklistPackedThreshold: 1 << 30,
    replyBufferPeakResetTime: 5000,
    replyBufferResizing: true,
  };
  /** address actually bound (port 0 resolves to a free port) */
  boundPort = 0;
  /** called by SHUTDOWN and signals; embedders replace it to avoid process.exit */
  exitProcess: (code: number) => void = (code) => process.exit(code);

  /**
   * A server with its configuration, command table and clock, and no
   * modules yet: the composition root (src/compose.ts) builds the table
   * from the modules it runs and installs each of them on `host`.
   */
  constructor(config: Config, commands: CommandTable, options: ServerOptions = {}) {
    this.config = config;
    const clock = options.clock ?? realClock;
    this.clock = clock;
    this.startTime = clock.now();
    this.lastSave = Math.floor(this.startTime / 1000);
    this.slowlog = new SlowLog(clock);
    this.latency = new LatencyMonitor(clock);
    this.log.level = Math.max(0, levelFromName(config.loglevel));
    this.log.file = config.logfile;
    this.keyspace = new Keyspace(config.databases);
    this.keyspace.now = this.startTime;
    this.commands = commands;
    this.host = new ModuleHost(this);
    this.acl = new Acl(this.commands);
    this.runId = randomHex(40);
    this.executable = process.argv[1] ?? '';
    this.blocking = new BlockingManager(this);
    this.pubsub = new PubSub(this);
    this.tracking = new Tracking(this);
    this.propagator = new Propagator(this);
  }

  /** Open the listeners. Resolves once every mandatory address is bound. */
  async listen(): Promise<void> {
    await this.listenTcp();
    if (this.config.unixsocket !== '') {
      try {
        fs.unlinkSync(this.config.unixsocket);
      } catch {
        /* not there */
      }
      await this.listenOn({ path: this.config.unixsocket });
      if (this.config.unixsocketperm) fs.chmodSync(this.config.unixsocket, this.config.unixsocketperm);
    }
  }

  /** Whether listen() has opened listeners (config hooks rebind only then). */
  isListening(): boolean {
    return this.listeners.length > 0;
  }

  /** CONFIG SET port/bind: open the TCP listeners the config now names, then close the previous ones. */
  async rebindTcp(closeFirst = false): Promise<void> {
    const old = this.listeners.filter((l) => typeof l.address() === 'object' && l.address() !== null);
    const keep = this.listeners.filter((l) => !old.includes(l));
    this.listeners = keep;
    const prevPort = this.boundPort;
    this.boundPort = 0;
    if (closeFirst) {
      // same port, other addresses: the old sockets would conflict with the new ones.
      // close() stops listening at once (its callback waits for clients, so it is not awaited)
      for (const l of old) l.close();
      old.length = 0;
    }
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.listenTcp();
          break;
        } catch (e) {
          // a just-closed listening socket is released on a later loop turn
          if (!closeFirst || attempt >= 10 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
          for (const l of this.listeners) if (!keep.includes(l)) l.close();
          this.listeners = [...keep];
          // (real time: waiting for the OS to release the port)
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    } catch (e) {
      for (const l of this.listeners) if (!keep.includes(l)) l.close();
      this.listeners = [...keep, ...old];
      this.boundPort = prevPort;
      throw e;
    }
    for (const l of old) l.close();
  }

  private async listenTcp(): Promise<void> {
    const port = this.config.port;
    if (port !== 0 || this.config.bind.length > 0) {
      for (const raw of this.config.bind) {
        const optional = raw.startsWith('-');
        let host = optional ? raw.slice(1) : raw;
        if (host === '*') host = '0.0.0.0';
        else if (host === '::*') host = '::';
        try {
          await this.listenOn({ port, host });
        } catch (e) {
          if (optional) continue;
          throw e;
        }
      }
    }
  }

  private listenOn(opts: net.ListenOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ noDelay: true, pauseOnConnect: USER_BUFFER_READS }, (sock) => this.accept(sock, srv));
      srv.maxConnections = Infinity;
      const onError = (err: Error) => reject(err);
      srv.once('error', onError);
      srv.listen({ ...opts, backlog: 511, exclusive: true }, () => {
        srv.removeListener('error', onError);
        const a = srv.address();
        if (a && typeof a === 'object' && this.boundPort === 0) this.boundPort = a.port;
        this.listeners.push(srv);
        resolve();
      });
    });
  }

  private accept(accepted: net.Socket, listener: net.Server): void {
    let c: Client | null = null;
    let sock = accepted;
    let sharedReads = false;
    if (USER_BUFFER_READS) {
      const moved = readIntoSharedBuffer(accepted, listener, (n, buf) => {
        if (c !== null) this.onData(c, buf.subarray(0, n), true);
      });
      if (moved !== null) {
        sock = moved;
        sharedReads = true;
      } else {
        accepted.resume();
      }
    }
    if (this.shuttingDown) {
      sock.destroy();
      return;
    }
    if (this.clients.size >= this.config.maxclients) {
      this.stats.rejectedConnections++;
      sock.end('-ERR max number of clients reached\r\n');
      return;
    }
    // protected mode applies while the default user needs no password (requirepass or ACL SETUSER default)
    if (refusedByProtectedMode(this.config.protectedMode, this.acl.defaultUser.nopass ? '' : 'set', sock.remoteAddress)) {
      this.stats.rejectedConnections++;
      sock.end(PROTECTED_MODE_ERROR);
      return;
    }
    const tcp = sock.remoteAddress !== undefined;
    if (tcp && this.config.tcpKeepalive > 0) sock.setKeepAlive(true, this.config.tcpKeepalive * 1000);
    const addr = tcp ? formatAddr(sock.remoteAddress as string, sock.remotePort ?? 0) : `${this.config.unixsocket}:0`;
    const laddr = tcp ? formatAddr(sock.localAddress as string, sock.localPort ?? 0) : `${this.config.unixsocket}:0`;
    const handle = (sock as unknown as { _handle?: { fd?: number } })._handle;
    const fd = handle && typeof handle.fd === 'number' ? handle.fd : -1;
    const client = new Client(this, sock, this.clientIdCounter++, this.keyspace.dbs[0], addr, laddr, fd);
    c = client;
    this.clients.set(client.id, client);
    this.stats.numConnections++;
    if (!sharedReads) sock.on('data', (data: Buffer) => this.onData(client, data, false));
    sock.on('error', () => this.freeClient(client));
    sock.on('close', () => this.freeClient(client));
    sock.on('drain', () => {
      if (client.closeAfterReply && client.reply.len === 0) sock.end();
    });
  }

  /** A read arrived: parse and run every complete command, then write the replies once. */
  onData(c: Client, data: Buffer, borrowed: boolean): void {
    if (c.closed) return;
    this.stats.netInputBytes += data.length;
    this.stats.totalReadsProcessed++;
    c.lastInteraction = this.clock.now();
    if (c.closeAfterReply) return;
    c.noteRead(data.length);
    c.parser.append(data, borrowed);
    // Like Redis, the limit applies to what is buffered right after the
    // read, before parsing: an argument whose bytes plus CRLF exceed it can
    // never be received.
    if (c.parser.pendingBytes > this.config.clientQueryBufferLimit) {
      this.closeForQueryBufferLimit(c);
      return;
    }
    this.processInput(c);
    // the read buffer is reused for the next read: keep a copy of what is left
    if (borrowed) c.parser.settle();
    this.flush(c);
  }

  private closeForQueryBufferLimit(c: Client): void {
    this.log.warning(`Closing client that reached max query buffer length: ${this.clientDescription(c)}`);
    this.stats.clientQueryBufferLimitDisconnections++;
    c.parser.reset();
    this.closeClient(c);
  }

  /** Run the buffered commands of a client until input runs out, it is paused, or it closes. */
  processInput(c: Client): void {
    c.inRead = true;
    this.batchClock = -1;
    refreshGates(this);
    try {
      const limits = { maxBulkLen: this.config.protoMaxBulkLen, authRequired: false };
      while (!c.closeAfterReply && !c.closed && c.pausedArgv === null && c.blockState === null && !c.busyScript) {
        limits.authRequired = !c.authenticated && !this.acl.defaultAutoAuth();
        let argv: string[] | null;
        try {
          argv = c.parser.next(limits);
        } catch (e) {
          if (e instanceof ProtocolError) {
            c.error(e.reply);
            this.log.verbose(`Protocol error (${e.reply.replace(/^ERR Protocol error: /, '')}) from client: ${this.clientDescription(c)}`);
            c.closeAfterReply = true;
            c.parser.reset();
            break;
          }
          throw e;
        }
        if (argv === null) break;
        if (argv.length === 0) continue;
        executeCommand(this, c, argv);
      }
      if (!c.closeAfterReply && c.parser.pendingBytes > this.config.clientQueryBufferLimit) {
        this.closeForQueryBufferLimit(c);
      }
    } finally {
      c.inRead = false;
      this.batchClock = -1;
    }
  }

  /** A fresh client id (for clients without a socket, such as the master link). */
  nextClientId(): number {
    return this.clientIdCounter++;
  }

  /** Write pending output of a client now. */
  flush(c: Client): void {
    const sock = c.socket;
    if (sock === null || c.closed) return;
    const hooks = this.beforeReplyWrite;
    for (let i = 0; i < hooks.length; i++) hooks[i]();
    if (c.reply.len > 0) {
      // a socket that takes everything at once (the common case) leaves the writer's buffer free for reuse
      this.stats.netOutputBytes += c.reply.len;
      sock.write(c.reply.pending());
      c.reply.sent(sock.writableLength > 0);
      this.stats.totalWritesProcessed++;
      // output the peer does not read piles up in the socket: client-output-buffer-limit
      if (sock.writableLength > 0) checkOutputBufferLimits(this, c);
    }
    if (c.closeAfterReply) {
      // Like Redis's close(): once the reply is out, stop reading too, so a
      // peer that keeps sending sees the connection go away.
      sock.end(() => sock.destroy());
    }
  }

  /** Ask for a flush of a client's output at the end of this event-loop turn. */
  scheduleFlush(c: Client): void {
    if (c.pendingFlush || c.inRead) return;
    c.pendingFlush = true;
    this.pendingFlush.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flushPending());
    }
  }

  private flushPending(): void {
    this.flushScheduled = false;
    const list = this.pendingFlush;
    this.pendingFlush = [];
    for (const c of list) {
      c.pendingFlush = false;
      this.flush(c);
    }
  }

  /** Close a client after what it was sent so far. */
  closeClient(c: Client): void {
    if (c.closed) return;
    c.closeAfterReply = true;
    if (!c.inRead) this.flush(c);
  }

  /** Forget a client whose socket closed. */
  freeClient(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    this.monitors.delete(c);
    for (const fn of this.clientFreedListeners) fn(c);
    if (c.socket && !c.socket.destroyed) c.socket.destroy();
  }

  private clientFreedListeners: ((c: Client) => void)[] = [];
  private clientResetListeners: ((c: Client) => void)[] = [];

  /** Subsystems with per-connection state (MULTI, pub/sub, tracking) clear it on RESET here. */
  onClientReset(fn: (c: Client) => void): void {
    this.clientResetListeners.push(fn);
  }

  /** RESET: back to a fresh connection's state. */
  resetClient(c: Client): void {
    for (const fn of this.clientResetListeners) fn(c);
    this.monitors.delete(c);
    c.monitor = false;
    c.reply.resp = 2;
    c.db = this.keyspace.dbs[0];
    c.name = '';
    c.replyMode = 0;
    c.noEvict = false;
    c.user = 'default';
    c.aclUser = this.acl.defaultUser;
    c.authenticated = this.acl.defaultAutoAuth();
  }

  /** Subsystems that keep per-client state (blocking, pub/sub, watch) clean up here. */
  onClientFreed(fn: (c: Client) => void): void {
    this.clientFreedListeners.push(fn);
  }

  /** "id=... addr=... name=..." as Redis logs a client. */
  clientDescription(c: Client): string {
    return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}`;
  }

  /**
   * Start the periodic tasks. The cron is scheduled in real time (hz ticks
   * per real second, whatever the clock): each tick reads server.clock.
   */
  startCron(): void {
    const tick = () => {
      serverCron(this);
      this.cronTimer = setTimeout(tick, Math.max(1, Math.floor(1000 / Math.max(1, this.config.hz))));
      this.cronTimer.unref?.();
    };
    this.cronTimer = setTimeout(tick, Math.floor(1000 / Math.max(1, this.config.hz)));
  }

  /** Stop listening, drop clients, stop timers. Does not exit the process. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    if (this.cronTimer) clearTimeout(this.cronTimer);
    this.cronTimer = null;
    for (const c of [...this.clients.values()]) {
      c.socket?.destroy();
      this.freeClient(c);
    }
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.listeners = [];
    if (this.config.unixsocket !== '') {
      try {
        fs.unlinkSync(this.config.unixsocket);
      } catch {
        /* already gone */
      }
    }
  }

  /**
   * Persistence installs this to write the final snapshot: returns null on
   * success or a reason for the log. Until it exists nothing can be saved.
   */
  saveOnShutdown: (() => string | null) | null = null;
  /** run at shutdown before the process exits (the AOF's final fsync) */
  readonly shutdownHooks: (() => void)[] = [];
  /** run before any client output is written (the AOF buffer reaches its file first) */
  readonly beforeReplyWrite: (() => void)[] = [];
  /** EXEC is running its queued commands (nesting depth) */
  inExec = 0;

  /**
   * SHUTDOWN / SIGTERM / SIGINT: save when asked (SAVE) or when save points
   * are configured (unless NOSAVE), remove the pid file and the unix socket,
   * flush what clients were sent, exit. Returns the error to reply when the
   * shutdown was refused (a failed save without FORCE); the process keeps
   * running then.
   */
  shutdown(opts: { save?: boolean; nosave?: boolean; now?: boolean; force?: boolean } = {}): string | null {
    this.log.warning('User requested shutdown...');
    for (const hook of this.shutdownHooks) hook();
    if (!opts.nosave && (opts.save || this.config.save.length > 0)) {
      if (this.saveOnShutdown === null) {
        this.log.warning('Not saving the dataset before exiting: this server has no persistence (no RDB support).');
      } else {
        this.log.notice('Saving the final RDB snapshot before exiting.');
        const err = this.saveOnShutdown();
        if (err !== null) {
          if (!opts.force) {
            this.log.warning(`Error trying to save the DB, can't exit. (${err})`);
            this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
            return 'ERR Errors trying to SHUTDOWN. Check logs.';
          }
          this.log.warning('Error trying to save the DB. Exit anyway.');
        }
      }
    }
    if (this.config.pidfile) {
      try {
        fs.unlinkSync(this.config.pidfile);
        this.log.notice('Removing the pid file.');
      } catch {
        /* not there */
      }
    }
    if (this.config.unixsocket) {
      try {
        fs.unlinkSync(this.config.unixsocket);
        this.log.notice('Removing the unix socket file.');
      } catch {
        /* not there */
      }
    }
    this.shuttingDown = true;
    for (const l of this.listeners) l.close();
    for (const c of this.clients.values()) {
      if (c.socket && c.reply.len > 0) this.flush(c);
    }
    this.log.warning('Redis is now ready to exit, bye bye...');
    this.exitProcess(0);
    return null;
  }

  /** SIGTERM/SIGINT: shut down with the flags of shutdown-on-sigterm / shutdown-on-sigint. */
  shutdownOnSignal(sig: 'SIGTERM' | 'SIGINT'): void {
    const words = (sig === 'SIGINT' ? this.config.shutdownOnSigint : this.config.shutdownOnSigterm).toLowerCase().split(/\s+/);
    const err = this.shutdown({
      save: words.includes('save'),
      nosave: words.includes('nosave'),
      now: words.includes('now'),
      force: words.includes('force'),
    });
    if (err !== null) this.log.warning(`${sig} received but errors trying to shut down the server, check the logs for more information`);
  }

  totalMemory(): number {
    return os.totalmem();
  }
}

function formatAddr(host: string, port: number): string {
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return host.indexOf(':') >= 0 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** n random hex digits (run id, replication ids). */
export function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, n);
}
