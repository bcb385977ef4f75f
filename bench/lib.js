/*
 * Helpers shared by the benchmark scripts in bench/: spare ports, starting a
 * server and waiting for it, running redis-benchmark and reading its CSV,
 * and a minimal pipelined RESP2 client to load data before a measurement.
 * Not part of the server.
 */
const { spawn, execFileSync } = require('child_process');
const net = require('net');
const path = require('path');

const NODIS_BIN = path.join(__dirname, '..', 'bin', 'nodis-server');

/** A TCP port that was free a moment ago. */
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Resolve once something accepts connections on the port (10 s at most). */
async function waitPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

/**
 * Start nodis-server (kind 'nodis') or redis-server without persistence on a
 * spare port; `bin` overrides the executable. Returns { proc, port, alive, stop }.
 */
async function startServer(kind, bin) {
  const port = await freePort();
  const proc = kind === 'nodis'
    ? spawn(bin || NODIS_BIN, ['--port', String(port), '--save', ''], { stdio: 'ignore' })
    : spawn(bin || 'redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let exited = false;
  proc.on('exit', () => { exited = true; });
  await waitPort(port);
  return { proc, port, alive: () => !exited, stop: () => { if (!exited) proc.kill('SIGTERM'); } };
}

/**
 * Run redis-benchmark against a port with extra arguments (e.g. ['-t', 'get']
 * or a custom command) and return the requests/s of the last CSV row.
 */
function runBenchmark(port, args) {
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-q', '--csv', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.trim().split('\n').filter((l) => !l.startsWith('"test"'));
  const last = rows[rows.length - 1];
  return Number(JSON.parse(`[${last}]`)[1]);
}

/** A RESP2 error reply, kept apart from the other values. */
class ReplyError {
  constructor(message) { this.message = message; }
}

/**
 * Minimal pipelined client: send(commands) writes them all and resolves with
 * their replies in order (errors as ReplyError). Rejects if the connection
 * closes first.
 */
class RespClient {
  static connect(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RespClient(s)));
      s.on('error', reject);
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiting = []; // { left, replies, resolve, reject }
    sock.on('data', (d) => { this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d; this.drain(); });
    const fail = () => { for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed')); };
    sock.on('close', fail);
    sock.on('error', fail);
  }

  send(commands) {
    return new Promise((resolve, reject) => {
      if (commands.length === 0) { resolve([]); return; }
      this.waiting.push({ left: commands.length, replies: [], resolve, reject });
      const parts = [];
      for (const argv of commands) {
        parts.push(`*${argv.length}\r\n`);
        for (const a of argv) parts.push(`$${Buffer.byteLength(a, 'latin1')}\r\n`, a, '\r\n');
      }
      this.sock.write(Buffer.from(parts.join(''), 'latin1'));
    });
  }

  close() { this.sock.destroy(); }

  drain() {
    while (this.waiting.length > 0) {
      const r = this.parse(0);
      if (r === null) return;
      this.buf = this.buf.subarray(r.end);
      const w = this.waiting[0];
      w.replies.push(r.value);
      if (--w.left === 0) { this.waiting.shift(); w.resolve(w.replies); }
    }
  }

  /** One reply starting at i: { value, end } or null when incomplete. */
  parse(i) {
    const nl = this.buf.indexOf('\r\n', i, 'latin1');
    if (nl < 0) return null;
    const type = String.fromCharCode(this.buf[i]);
    const line = this.buf.toString('latin1', i + 1, nl);
    const next = nl + 2;
    switch (type) {
      case '+': return { value: line, end: next };
      case '-': return { value: new ReplyError(line), end: next };
      case ':': return { value: Number(line), end: next };
      case '$': {
        const n = Number(line);
        if (n < 0) return { value: null, end: next };
        if (this.buf.length < next + n + 2) return null;
        return { value: this.buf.toString('latin1', next, next + n), end: next + n + 2 };
      }
      case '*': {
        const n = Number(line);
        if (n < 0) return { value: null, end: next };
        const items = [];
        let at = next;
        for (let k = 0; k < n; k++) {
          const r = this.parse(at);
          if (r === null) return null;
          items.push(r.value);
          at = r.end;
        }
        return { value: items, end: at };
      }
      default: throw new Error(`unexpected reply type ${JSON.stringify(type)}`);
    }
  }
}

module.exports = { NODIS_BIN, freePort, waitPort, startServer, runBenchmark, RespClient, ReplyError };
