/*
 * Replica side of replication: the link to a master set by REPLICAOF /
 * SLAVEOF (or the `replicaof` directive), following Redis 7.0's
 * syncWithMaster state machine.
 *
 * connect -> PING -> [AUTH masteruser/masterauth] -> REPLCONF listening-port
 * -> REPLCONF capa eof capa psync2 -> PSYNC <replid> <offset> (`? -1` the
 * first time), then either
 *   +FULLRESYNC <replid> <offset>: the RDB payload follows, as `$<len>`
 *     bytes or, diskless, `$EOF:<40-byte mark>` ... mark; the dataset is
 *     flushed and loaded from it;
 *   +CONTINUE [<new replid>]: the stream goes on from our offset.
 * After that the connection is the master client: its commands run through
 * the normal dispatch (replies discarded) and advance the replication
 * offset by their size in bytes; REPLCONF GETACK is answered with
 * REPLCONF ACK <offset>, which is also sent every second.
 *
 * A failed or lost link is retried from the cron once a second, and the
 * replica answers reads meanwhile (replica-serve-stale-data). Keys are not
 * expired by the replica itself: it waits for the master's DELs
 * (Keyspace.isReplica).
 */
import { encodeCommand } from '../protocol/command-encoder';
import * as net from 'net';
import type { Server } from '../server/server';
import { Client } from '../server/client';
import { executeCommand } from '../server/dispatch';
import { ProtocolError, type ParserLimits } from '../protocol/request-parser';
import { emptyData, loadRdbImage } from '../persistence/persistence';

export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

const ANY = -1;
/** the master's stream is trusted: no bulk size cap, no authentication */
const MASTER_LIMITS: ParserLimits = { maxBulkLen: Number.MAX_SAFE_INTEGER, authRequired: false };

export class ReplicaLink {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  state: LinkState = 'connect';
  private socket: net.Socket | null = null;
  private inbuf: Buffer = Buffer.alloc(0);
  private waiter: { kind: 'line' | 'bytes' | 'eofmark'; n: number; mark?: string; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  /** the master client once the stream flows */
  master: Client | null = null;
  /** master's replication id and the offset we have processed */
  replId = '?';
  offset = ANY;
  /** when the link last received data (ms), and when it went down */
  lastIo = 0;
  /** when a synchronised link was lost (0: never) */
  downSince = 0;
  transferSize = -1;
  transferRead = 0;
  private closedByUs = false;
  private lastAck = 0;

  constructor(server: Server, host: string, port: number) {
    this.server = server;
    this.host = host;
    this.port = port;
  }

  /** Start (or restart) the connection and handshake. */
  connect(): void {
    const log = this.server.log;
    this.state = 'connecting';
    this.closedByUs = false;
    this.inbuf = Buffer.alloc(0);
    const sock = net.connect({ host: this.host, port: this.port });
    this.socket = sock;
    sock.setNoDelay(true);
    log.notice('MASTER <-> REPLICA sync started');
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => {
      if (this.state === 'connecting') log.warning(`Error condition on socket for SYNC: ${e.message}`);
    });
    sock.on('close', () => this.onClose());
    sock.once('connect', () => {
      log.notice('Non blocking connect for SYNC fired the event.');
      this.lastIo = this.server.clock.now();
      this.handshake().catch((e: Error) => {
        if (!this.closedByUs) log.warning(e.message);
        this.drop();
      });
    });
  }

  /** Close the link (REPLICAOF NO ONE / another master). */
  close(): void {
    this.closedByUs = true;
    this.drop();
  }

  private drop(): void {
    const sock = this.socket;
    this.socket = null;
    if (sock !== null && !sock.destroyed) sock.destroy();
  }

  private onClose(): void {
    const wasConnected = this.state === 'connected';
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(new Error('Master closed the connection during the handshake'));
    }
    if (this.master !== null) {
      const m = this.master;
      this.master = null;
      this.server.freeClient(m);
    }
    if (this.closedByUs) return;
    if (wasConnected) {
      this.server.log.notice('Connection with master lost.');
      this.server.log.notice('Caching the disconnected master state.');
      this.downSince = this.server.clock.now();
    }
    this.state = 'connect';
  }

  /** Cron: reconnect a broken link, send the periodic ACK. */
  cron(now: number): void {
    if (this.state === 'connect' && !this.closedByUs) {
      this.server.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
      return;
    }
    if (this.state === 'connected' && now - this.lastAck >= 1000) this.sendAck();
    const timeout = this.server.config.replTimeout * 1000;
    if (this.state !== 'connect' && this.state !== 'connected' && now - this.lastIo > timeout) {
      this.server.log.warning(this.state === 'transfer'
        ? 'Timeout receiving bulk data from MASTER... If the problem persists try to set the \'repl-timeout\' parameter in redis.conf to a larger value.'
        : 'Timeout connecting to the MASTER...');
      this.drop();
    } else if (this.state === 'connected' && now - this.lastIo > timeout) {
      this.server.log.warning('MASTER timeout: no data nor PING received...');
      this.drop();
    }
  }

  private sendAck(): void {
    this.lastAck = this.server.clock.now();
    this.write(['REPLCONF', 'ACK', String(this.offset)]);
  }

  private write(argv: string[]): void {
    if (this.socket === null) return;
    this.socket.write(Buffer.from(encodeCommand(argv), 'latin1'));
  }

  // ------------------------------------------------------------ handshake I/O

  private onData(d: Buffer): void {
    this.lastIo = this.server.clock.now();
    if (this.state === 'connected' && this.master !== null) {
      this.feedStream(d);
      return;
    }
    this.inbuf = this.inbuf.length === 0 ? d : Buffer.concat([this.inbuf, d]);
    if (this.state === 'transfer') this.transferRead += d.length;
    this.serveWaiter();
  }

  private serveWaiter(): void {
    const w = this.waiter;
    if (w === null) return;
    if (w.kind === 'line') {
      const nl = this.inbuf.indexOf(10);
      if (nl < 0) return;
      const line = this.inbuf.subarray(0, nl > 0 && this.inbuf[nl - 1] === 13 ? nl - 1 : nl);
      this.inbuf = this.inbuf.subarray(nl + 1);
      this.waiter = null;
      w.resolve(Buffer.from(line));
    } else if (w.kind === 'bytes') {
      if (this.inbuf.length < w.n) return;
      const out = Buffer.from(this.inbuf.subarray(0, w.n));
      this.inbuf = this.inbuf.subarray(w.n);
      this.waiter = null;
      w.resolve(out);
    } else {
      const mark = Buffer.from(w.mark!, 'latin1');
      const at = this.inbuf.indexOf(mark);
      if (at < 0) return;
      const out = Buffer.from(this.inbuf.subarray(0, at));
      this.inbuf = this.inbuf.subarray(at + mark.length);
      this.waiter = null;
      w.resolve(out);
    }
  }

  private read(kind: 'line' | 'bytes' | 'eofmark', n = 0, mark?: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.socket === null) {
        reject(new Error('Master link closed'));
        return;
      }
      this.waiter = { kind, n, mark, resolve, reject };
      this.serveWaiter();
    });
  }

  /** Send a command and read its one-line reply (the handshake's replies are all simple). */
  private async command(argv: string[]): Promise<string> {
    this.write(argv);
    let line = (await this.read('line')).toString('latin1');
    // a master may send newlines to keep the link alive while preparing
    while (line === '') line = (await this.read('line')).toString('latin1');
    return line;
  }

  private async handshake(): Promise<void> {
    const log = this.server.log;
    const cfg = this.server.config;
    this.state = 'handshake';
    const pong = await this.command(['PING']);
    if (pong[0] === '-' && !pong.startsWith('-NOAUTH') && !pong.startsWith('-NOPERM') && !pong.startsWith('-ERR operation not permitted')) {
      throw new Error(`Error reply to PING from master: '${pong}'`);
    }
    log.notice('Master replied to PING, replication can continue...');
    if (cfg.masterauth !== '') {
      const args = cfg.masteruser !== '' ? ['AUTH', cfg.masteruser, cfg.masterauth] : ['AUTH', cfg.masterauth];
      const r = await this.command(args);
      if (r[0] === '-') throw new Error(`Unable to AUTH to MASTER: ${r}`);
    }
    const port = cfg.replicaAnnouncePort || this.server.boundPort || cfg.port;
    let r = await this.command(['REPLCONF', 'listening-port', String(port)]);
    if (r[0] === '-') log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${r}`);
    if (cfg.replicaAnnounceIp !== '') {
      r = await this.command(['REPLCONF', 'ip-address', cfg.replicaAnnounceIp]);
      if (r[0] === '-') log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${r}`);
    }
    r = await this.command(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    if (r[0] === '-') log.notice(`(Non critical) Master does not understand REPLCONF capa: ${r}`);
    const psyncId = this.offset === ANY ? '?' : this.replId;
    const psyncOffset = this.offset === ANY ? '-1' : String(this.offset + 1);
    if (psyncId === '?') log.notice('Partial resynchronization not possible (no cached master)');
    else log.notice(`Trying a partial resynchronization (request ${psyncId}:${psyncOffset}).`);
    const reply = await this.command(['PSYNC', psyncId, psyncOffset]);
    if (reply.startsWith('+FULLRESYNC')) {
      const [, id, off] = reply.split(' ');
      log.notice(`Full resync from master: ${id}:${off}`);
      this.replId = id;
      await this.fullSync(Number(off));
    } else if (reply.startsWith('+CONTINUE')) {
      const newId = reply.split(' ')[1];
      log.notice('Successful partial resynchronization with master.');
      if (newId && newId !== this.replId) {
        log.warning(`Master replication ID changed to ${newId}`);
        this.replId = newId;
      }
      log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.startStream();
    } else {
      throw new Error(`Unexpected reply to PSYNC from master: ${reply}`);
    }
  }

  private async fullSync(masterOffset: number): Promise<void> {
    const log = this.server.log;
    this.state = 'transfer';
    this.transferRead = this.inbuf.length;
    let header = (await this.read('line')).toString('latin1');
    while (header === '') header = (await this.read('line')).toString('latin1');
    if (header[0] === '-') throw new Error(`MASTER aborted replication with an error: ${header.slice(1)}`);
    if (header[0] !== '$') {
      throw new Error(`Bad protocol from MASTER, the first byte is not '$' (we received '${header}'), are you sure the host and port are right?`);
    }
    let rdb: Buffer;
    if (header.startsWith('$EOF:')) {
      log.notice('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk');
      this.transferSize = 0;
      rdb = await this.read('eofmark', 0, header.slice(5, 45));
    } else {
      this.transferSize = Number(header.slice(1));
      log.notice(`MASTER <-> REPLICA sync: receiving ${this.transferSize} bytes from master to disk`);
      this.transferRead = this.inbuf.length;
      rdb = await this.read('bytes', this.transferSize);
    }
    log.notice('MASTER <-> REPLICA sync: Flushing old data');
    emptyData(this.server);
    const ks = this.server.keyspace;
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    ks.applyingMasterStream = true;
    let loaded: number | string;
    try {
      loaded = loadRdbImage(this.server, rdb);
    } finally {
      ks.applyingMasterStream = false;
    }
    if (typeof loaded === 'string') {
      throw new Error(`Failed trying to load the MASTER synchronization DB from socket: ${loaded}`);
    }
    this.offset = masterOffset;
    this.transferSize = -1;
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.startStream();
  }

  /** The connection becomes the master client; pending bytes are its first input. */
  private startStream(): void {
    const sock = this.socket;
    if (sock === null) return;
    const server = this.server;
    const m = new Client(server, null, server.nextClientId(), server.keyspace.dbs[0], `${this.host}:${this.port}`, '', -1);
    m.isMaster = true;
    m.authenticated = true;
    this.master = m;
    this.state = 'connected';
    this.lastAck = 0;
    if (this.inbuf.length > 0) {
      const rest = this.inbuf;
      this.inbuf = Buffer.alloc(0);
      this.feedStream(rest);
    }
    this.sendAck();
  }

  private feedStream(d: Buffer): void {
    const m = this.master!;
    m.parser.append(d);
    for (;;) {
      const before = m.parser.pendingBytes;
      let argv: string[] | null;
      try {
        argv = m.parser.next(MASTER_LIMITS);
      } catch (e) {
        if (e instanceof ProtocolError) {
          this.server.log.warning(`Protocol error from master: ${e.reply}`);
          this.drop();
          return;
        }
        throw e;
      }
      if (argv === null) break;
      const size = before - m.parser.pendingBytes;
      if (argv.length === 0) {
        this.offset += size;
        continue;
      }
      if (argv[0].toLowerCase() === 'replconf' && argv.length >= 2 && argv[1].toLowerCase() === 'getack') {
        this.offset += size;
        this.sendAck();
        continue;
      }
      const ks = this.server.keyspace;
      ks.applyingMasterStream = true;
      try {
        executeCommand(this.server, m, argv);
      } finally {
        ks.applyingMasterStream = false;
      }
      m.reply.take();
      this.offset += size;
    }
  }
}
