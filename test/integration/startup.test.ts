/*
 * Starting nodis-server the ways users and tools do: through a symlink (the
 * Redis test suite runs it as src/redis-server), from another directory,
 * with a busy port, with -v, with logfile/loglevel; and embedded with
 * startServer().
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import Redis from 'ioredis';
import { runNodisToExit, freePort, SERVER_BIN } from '../helpers/server';
import { startServer } from '../../src/index';

const LOG_LINE = /^\d+:[MSCX] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] .+$/;

test('runs through a symlink from another directory and logs in Redis\'s format', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-link-'));
  const link = path.join(dir, 'redis-server');
  fs.symlinkSync(SERVER_BIN, link);
  const port = await freePort();
  const { spawn } = await import('node:child_process');
  const proc = spawn(link, ['--port', String(port), '--loglevel', 'verbose'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(out)), 20000);
    proc.stdout.on('data', () => { if (out.includes('Ready to accept connections')) { clearTimeout(t); resolve(); } });
  });
  try {
    assert.match(out, new RegExp(` PID: ${proc.pid}\\b`));
    const lines = out.split('\n').filter((l) => /^\d+:/.test(l));
    assert.ok(lines.length >= 4);
    for (const l of lines) assert.match(l, LOG_LINE);
    assert.ok(lines.some((l) => / \* Ready to accept connections$/.test(l)));
  } finally {
    proc.kill('SIGTERM');
  }
});

test('a busy port: "Failed listening on port" and exit status 1', async () => {
  const blocker = net.createServer();
  const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
  try {
    const r = await runNodisToExit(['--port', String(port), '--bind', '127.0.0.1']);
    assert.equal(r.code, 1);
    assert.match(r.output, new RegExp(`Failed listening on port ${port} \\(tcp\\), aborting\\.`, 'i'));
  } finally {
    blocker.close();
  }
});

test('-v and --version print the version line', async () => {
  for (const flag of ['-v', '--version']) {
    const r = await runNodisToExit([flag]);
    assert.equal(r.code, 0);
    assert.match(r.output, /^Redis server v=7\.0\.15 sha=00000000:0 malloc=\S+ bits=64 build=\S+\n$/);
  }
});

test('logfile and loglevel: lines go to the file, notice lines only at loglevel notice or below', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-log-'));
  const logfile = path.join(dir, 'server.log');
  const port = await freePort();
  const { spawn } = await import('node:child_process');
  const proc = spawn(SERVER_BIN, ['--port', String(port), '--logfile', logfile, '--loglevel', 'warning'], { cwd: dir, stdio: 'ignore' });
  try {
    // with a log file nothing goes to stdout: wait until the port answers
    const deadline = Date.now() + 20000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      assert.ok(Date.now() < deadline, 'server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const text = fs.readFileSync(logfile, 'utf8');
    assert.match(text, /# oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo/);
    assert.doesNotMatch(text, / \* Ready to accept connections/, 'notice lines are below loglevel warning');
  } finally {
    proc.kill('SIGKILL');
  }
});

test('startServer() embeds a server on a free port', async () => {
  const srv = await startServer();
  const redis = new Redis({ port: srv.port, host: srv.host, lazyConnect: true });
  try {
    await redis.connect();
    assert.equal(await redis.set('greeting', 'hello'), 'OK');
    assert.equal(await redis.get('greeting'), 'hello');
    assert.equal(await redis.incr('n'), 1);
  } finally {
    redis.disconnect();
    await srv.close();
  }
  // closed: the port no longer accepts connections
  await assert.rejects(new Promise<void>((resolve, reject) => {
    const s = net.connect(srv.port, srv.host, () => { s.destroy(); resolve(); });
    s.on('error', reject);
  }));
});
