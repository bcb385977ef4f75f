/*
 * Test helpers: start a real nodis-server process (or the reference
 * redis-server) on a free port and talk to it over TCP, with a real client
 * (ioredis) or with raw RESP bytes.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import * as assert from 'node:assert/strict';
import Redis, { type RedisOptions } from 'ioredis';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_BIN = path.join(ROOT, 'bin', 'nodis-server');
export const SHARED = path.join(ROOT, '..', 'shared');
/** The reference Redis 7.0.15; tests that need it are skipped when it is not installed. */
export const REDIS_SERVER = '/usr/bin/redis-server';

export interface NodisProcess {
  port: number;
  proc: ChildProcess;
  /** everything the server printed so far */
  output(): string;
  /** working directory the server runs in (a fresh temp dir) */
  dir: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

/** Start nodis-server with extra arguments; resolves once it accepts connections. */
export function startNodis(args: string[] = [], opts: { configFile?: string; dir?: string } = {}): Promise<NodisProcess> {
  return startServer(SERVER_BIN, args, opts);
}

/** Start the reference redis-server (no save points) the same way, e.g. to exchange files or payloads. */
export function startRedis(args: string[] = [], opts: { dir?: string } = {}): Promise<NodisProcess> {
  return startServer(REDIS_SERVER, ['--save', '', ...args], opts);
}

async function startServer(bin: string, args: string[], opts: { configFile?: string; dir?: string }): Promise<NodisProcess> {
  const port = await freePort();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-test-'));
  const full = [...(opts.configFile ? [opts.configFile] : []), '--port', String(port), '--bind', '127.0.0.1', ...args];
  const proc = spawn(bin, full, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20000);
    const check = () => {
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    port,
    proc,
    dir,
    output: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        resolve();
        return;
      }
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/**
 * Start nodis-server, run `body` with an ioredis client connected to it, then
 * disconnect the client and stop the server, whatever happened.
 */
export async function withNodis<T>(args: string[], body: (srv: NodisProcess, r: Redis) => Promise<T>,
  opts: { dir?: string; client?: RedisOptions } = {}): Promise<T> {
  const srv = await startNodis(args, { dir: opts.dir });
  const r = new Redis({ port: srv.port, lazyConnect: true, maxRetriesPerRequest: 0, ...opts.client });
  try {
    await r.connect();
    return await body(srv, r);
  } finally {
    r.disconnect();
    await srv.stop();
  }
}

/** Run nodis-server expecting it to exit (bad config etc.): resolves to exit code and output. */
export function runNodisToExit(args: string[], cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(SERVER_BIN, args, { cwd: cwd ?? os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: out });
    });
  });
}

/**
 * A raw TCP connection for protocol tests: send bytes, read replies.
 * readUntil() collects data until a predicate over everything received is true.
 */
export class RawConnection {
  private sock: net.Socket;
  private data = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on('data', (d: Buffer) => {
      this.data += d.toString('latin1');
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => { /* surfaced through closed */ });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ port, host }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(bytes: string | Buffer): void {
    this.sock.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Wait until everything received satisfies pred (or the connection closes, or 10 s pass). */
  async readUntil(pred: (all: string) => boolean, timeoutMs = 10000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.data) && !this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.data;
  }

  /** Wait for at least n bytes beyond what was consumed, return and consume them all. */
  async read(minBytes = 1): Promise<string> {
    const all = await this.readUntil((d) => d.length >= minBytes);
    this.data = '';
    return all;
  }

  /** Send a request and return the reply once `expectedLength` bytes (or a full line) arrived. */
  async request(bytes: string, expected?: string): Promise<string> {
    this.data = '';
    this.write(bytes);
    const all = await this.readUntil((d) => (expected === undefined ? d.endsWith('\r\n') : d.length >= expected.length));
    this.data = '';
    return all;
  }

  /** Resolves when the server closes the connection. */
  async waitClosed(timeoutMs = 10000): Promise<boolean> {
    await this.readUntil(() => false, timeoutMs);
    return this.closed;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Attach `c` as a replica (SYNC): resolves with the RDB snapshot, consumed; the command stream follows. */
export async function syncSnapshot(c: RawConnection): Promise<Buffer> {
  c.write('SYNC\r\n');
  const head = await c.readUntil((d) => {
    const m = /^\$(\d+)\r\n/.exec(d);
    return m !== null && d.length >= m[0].length + Number(m[1]);
  });
  const m = /^\$(\d+)\r\n/.exec(head) as RegExpExecArray;
  await c.read(head.length);
  return Buffer.from(head.slice(m[0].length, m[0].length + Number(m[1])), 'latin1');
}

/** Poll `cond` (every 20 ms) until it holds; fail after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what = 'a condition', ms = 30000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Poll INFO persistence until no background save is in progress (rdb_bgsave_in_progress:0). */
export async function bgsaveDone(c: Redis, ms = 30000): Promise<void> {
  await waitFor(async () => infoField(await c.info('persistence'), 'rdb_bgsave_in_progress') === '0', 'the background save', ms);
}

/** Poll INFO persistence until no AOF rewrite is in progress. */
export async function rewriteDone(r: Redis): Promise<void> {
  await waitFor(async () => /aof_rewrite_in_progress:0/.test(await r.info('persistence')), 'the AOF rewrite');
}

/** Poll INFO clients on `c` until it reports exactly `n` blocked clients. */
export async function waitBlocked(c: RawConnection, n = 1): Promise<void> {
  await waitFor(async () => (await ask(c, ['INFO', 'clients'])).includes(`\r\nblocked_clients:${n}\r\n`), `${n} blocked clients`, 10000);
}

/** The value of one field of an INFO reply (which must hold it). */
export function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info);
  assert.ok(m, name);
  return m[1];
}

/** Encode a command as a RESP multibulk. */
export function resp(...args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

/** A bulk string reply. */
export function bulk(s: string): string {
  return `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
}

/** Send commands pipelined on a connection and assert that exactly `expected` comes back. */
export async function expectReplies(c: RawConnection, cmds: string[][], expected: string): Promise<void> {
  const got = await c.request(cmds.map((a) => resp(...a)).join(''), expected);
  assert.equal(got, expected, cmds.map((a) => a.join(' ')).join(' | '));
}

/** Wait for exactly `expected` to arrive unasked (messages, pushes, a blocked client's reply). */
export async function receives(c: RawConnection, expected: string): Promise<void> {
  assert.equal(await c.read(expected.length), expected);
}

/** A whole bulk string reply arrived. */
function bulkComplete(d: string): boolean {
  const m = /^\$(\d+)\r\n/.exec(d);
  return m !== null && d.length >= m[0].length + Number(m[1]) + 2;
}

/** Send one command and return its reply once `done` says it is complete. */
export async function ask(c: RawConnection, args: string[], done: (d: string) => boolean = bulkComplete): Promise<string> {
  await c.read(0);
  c.write(resp(...args));
  await c.readUntil(done);
  return c.read(0);
}
