import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, type NodisProcess } from '../helpers/server';
import { cmd, bulkText } from './client-resp';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

test('MONITOR streams executed commands in Redis format, hiding admin ones', async () => {
  const m = await RawConnection.connect(srv.port);
  const a = await RawConnection.connect(srv.port);
  assert.equal(await cmd(m, 'MONITOR'), '+OK\r\n');
  const addr = /addr=(\S+)/.exec(bulkText(await cmd(a, 'CLIENT', 'INFO')))![1];
  assert.equal(await cmd(a, 'SET', 'a\x01"b', 'x y'), '+OK\r\n');
  await cmd(a, 'CLIENT', 'LIST'); // admin: hidden
  await cmd(a, 'SELECT', '2');
  await cmd(a, 'GET', 'k');
  await cmd(a, 'AUTH', 'secret');
  await cmd(a, 'AUTH', 'user', 'pw');
  await cmd(a, 'HELLO', '2', 'AUTH', 'user', 'pw');
  await cmd(a, 'NOSUCHCOMMAND'); // refused: not executed, not shown
  const t0 = Date.now() / 1000;
  await cmd(a, 'PING');
  const out = await m.readUntil((d) => d.includes('"PING"'));
  const lines = out.split('\r\n').filter((l) => l !== '');
  const rx = /^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$/;
  const parsed = lines.map((l) => {
    const mm = rx.exec(l);
    assert.ok(mm, l);
    assert.equal(mm[4], addr);
    return `${mm[3]} ${mm[5]}`;
  });
  assert.deepEqual(parsed, [
    '0 "CLIENT" "INFO"',
    '0 "SET" "a\\x01\\"b" "x y"',
    '2 "SELECT" "2"',
    '2 "GET" "k"',
    '2 "AUTH" "(redacted)"',
    '2 "AUTH" "(redacted)" "(redacted)"',
    '2 "HELLO" "2" "AUTH" "(redacted)" "(redacted)"',
    '2 "PING"',
  ]);
  const ts = Number(rx.exec(lines[lines.length - 1])![1]);
  assert.ok(Math.abs(ts - t0) < 5);
  m.close();
  a.close();
});

test('MONITOR flags the client, a second MONITOR is silent, RESET leaves monitor mode', async () => {
  const m = await RawConnection.connect(srv.port);
  const a = await RawConnection.connect(srv.port);
  assert.equal(await cmd(m, 'MONITOR'), '+OK\r\n');
  const list = bulkText(await cmd(a, 'CLIENT', 'LIST'));
  assert.match(list, / flags=O .* cmd=monitor /);
  m.write('*1\r\n$7\r\nMONITOR\r\n*1\r\n$4\r\nPING\r\n');
  const own = await m.readUntil((d) => d.includes('"PING"\r\n'));
  assert.match(own, /^\+PONG\r\n\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "PING"\r\n$/);
  await m.read(1);
  assert.equal(await cmd(m, 'RESET'), '+RESET\r\n');
  await cmd(a, 'ECHO', 'after-reset');
  assert.equal(await cmd(m, 'PING'), '+PONG\r\n');
  assert.doesNotMatch(bulkText(await cmd(a, 'CLIENT', 'LIST')), / flags=O /);
  assert.equal(await cmd(a, 'MONITOR', 'x'), "-ERR wrong number of arguments for 'monitor' command\r\n");
  m.close();
  a.close();
});
