import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as net from 'net';
import { startNodis, RawConnection } from '../helpers/server';
import { cmd, bulkText, sleep } from './client-resp';

function exited(proc: import('child_process').ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((r) => proc.once('exit', (code) => r(code)));
}

test('timeout closes idle normal clients but not monitors or pub/sub', async () => {
  const srv = await startNodis(['--timeout', '1', '--hz', '50']);
  try {
    const idle = await RawConnection.connect(srv.port);
    const mon = await RawConnection.connect(srv.port);
    const busy = await RawConnection.connect(srv.port);
    assert.equal(await cmd(mon, 'MONITOR'), '+OK\r\n');
    assert.equal(await cmd(idle, 'PING'), '+PONG\r\n');
    // Redis compares whole seconds: closed once more than 1 s has elapsed, i.e. within ~2-3 s
    const deadline = Date.now() + 6000;
    while (!idle.closed && Date.now() < deadline) {
      await cmd(busy, 'PING');
      await sleep(200);
    }
    assert.ok(idle.closed, 'idle client was not closed');
    assert.ok(!busy.closed);
    assert.ok(!mon.closed);
    mon.close();
    busy.close();
  } finally {
    await srv.stop();
  }
});

test('maxclients refuses connections beyond the limit', async () => {
  const srv = await startNodis(['--maxclients', '2']);
  try {
    const a = await RawConnection.connect(srv.port);
    const b = await RawConnection.connect(srv.port);
    assert.equal(await cmd(a, 'PING'), '+PONG\r\n');
    assert.equal(await cmd(b, 'PING'), '+PONG\r\n');
    const c = await RawConnection.connect(srv.port);
    const got = await c.readUntil((d) => d.endsWith('\r\n'));
    assert.equal(got, '-ERR max number of clients reached\r\n');
    assert.ok(await c.waitClosed());
    a.close();
    await sleep(100);
    const d = await RawConnection.connect(srv.port);
    assert.equal(await cmd(d, 'PING'), '+PONG\r\n');
    d.close();
    b.close();
  } finally {
    await srv.stop();
  }
});

test('unix socket clients: addr, laddr and the U flag', async () => {
  const dir = fs.mkdtempSync('/tmp/nodis-sock-');
  const sock = path.join(dir, 's.sock');
  const srv = await startNodis(['--unixsocket', sock, '--tcp-keepalive', '0']);
  try {
    const s = net.createConnection(sock);
    await new Promise<void>((r) => s.once('connect', () => r()));
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.write('*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n');
    const deadline = Date.now() + 5000;
    while (!data.endsWith('\n\r\n') && Date.now() < deadline) await sleep(20);
    assert.match(bulkText(data), new RegExp(`^id=\\d+ addr=${sock}:0 laddr=${sock}:0 fd=\\d+ name= age=\\d+ idle=\\d+ flags=U db=0 `));
    s.destroy();
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SHUTDOWN argument errors, ABORT, then NOSAVE exits removing the pid file', async () => {
  const dir = fs.mkdtempSync('/tmp/nodis-pid-');
  const pidfile = path.join(dir, 'nodis.pid');
  const srv = await startNodis(['--pidfile', pidfile]);
  try {
    await sleep(100);
    assert.ok(fs.existsSync(pidfile));
    const a = await RawConnection.connect(srv.port);
    assert.equal(await cmd(a, 'SHUTDOWN', 'foo'), '-ERR syntax error\r\n');
    assert.equal(await cmd(a, 'SHUTDOWN', 'NOSAVE', 'SAVE'), '-ERR syntax error\r\n');
    assert.equal(await cmd(a, 'SHUTDOWN', 'ABORT', 'NOW'), '-ERR syntax error\r\n');
    assert.equal(await cmd(a, 'SHUTDOWN', 'ABORT'), '-ERR No shutdown in progress.\r\n');
    a.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    assert.ok(await a.waitClosed());
    assert.equal(await exited(srv.proc), 0);
    assert.ok(!fs.existsSync(pidfile));
    assert.match(srv.output(), /User requested shutdown\.\.\./);
    assert.match(srv.output(), /Redis is now ready to exit, bye bye\.\.\./);
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM shuts down cleanly and closes clients', async () => {
  const dir = fs.mkdtempSync('/tmp/nodis-pid-');
  const pidfile = path.join(dir, 'nodis.pid');
  const srv = await startNodis(['--pidfile', pidfile]);
  try {
    const a = await RawConnection.connect(srv.port);
    assert.equal(await cmd(a, 'PING'), '+PONG\r\n');
    srv.proc.kill('SIGTERM');
    assert.equal(await exited(srv.proc), 0);
    assert.ok(await a.waitClosed());
    assert.ok(!fs.existsSync(pidfile));
    assert.match(srv.output(), /Received SIGTERM scheduling shutdown\.\.\./);
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SHUTDOWN SAVE writes the RDB file, then exits', async () => {
  const srv = await startNodis();
  try {
    const a = await RawConnection.connect(srv.port);
    a.write('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    assert.ok(await a.waitClosed());
    assert.equal(await exited(srv.proc), 0);
    assert.match(srv.output(), /Saving the final RDB snapshot before exiting/);
    assert.equal(srv.output().split('DB saved on disk').length, 2);
    assert.ok(fs.existsSync(path.join(srv.dir, 'dump.rdb')));
  } finally {
    await srv.stop();
  }
});

test('query buffer accounting: grows with big arguments, shrinks after the peak, freed when idle', async () => {
  const srv = await startNodis(['--hz', '50']);
  try {
    const a = await RawConnection.connect(srv.port);
    const t = await RawConnection.connect(srv.port);
    assert.equal(await cmd(t, 'CLIENT', 'SETNAME', 'qb'), '+OK\r\n');
    const qb = async () => {
      const line = bulkText(await cmd(a, 'CLIENT', 'LIST')).split('\n').find((l) => l.includes(' name=qb '))!;
      const m = / qbuf=(\d+) qbuf-free=(\d+) /.exec(line)!;
      return Number(m[1]) + Number(m[2]);
    };
    assert.equal(await qb(), 20474);
    assert.equal(await cmd(t, 'ECHO', 'A'.repeat(400000)), `$400000\r\n${'A'.repeat(400000)}\r\n`);
    const big = await qb();
    assert.ok(big > 400000, String(big));
    // keep the client busy with small requests: the buffer shrinks to the recent peak (one 16 KiB read)
    let now = big;
    for (let i = 0; i < 100 && now >= big; i++) {
      assert.equal(await cmd(t, 'ECHO', 'x'), '$1\r\nx\r\n');
      now = await qb();
      await sleep(10);
    }
    // shrunk to the recent peak (or, on a machine stalled for over 2 s, already freed as idle)
    assert.ok(now < big, String(now));
    const deadline = Date.now() + 6000;
    while ((await qb()) !== 0 && Date.now() < deadline) await sleep(200);
    assert.equal(await qb(), 0);
    a.close();
    t.close();
  } finally {
    await srv.stop();
  }
});
