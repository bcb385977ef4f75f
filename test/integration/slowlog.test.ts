import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, type NodisProcess } from '../helpers/server';
import { cmd } from './client-resp';

let srv: NodisProcess;
let off: NodisProcess;

before(async () => {
  srv = await startNodis(['--slowlog-log-slower-than', '0', '--slowlog-max-len', '5']);
  off = await startNodis(['--slowlog-log-slower-than', '-1']);
});
after(async () => {
  await srv.stop();
  await off.stop();
});

/** Parse SLOWLOG GET's raw reply into entries (RESP2). */
function entries(raw: string): { id: number; time: number; dur: number; args: string[]; peer: string; name: string }[] {
  const lines = raw.split('\r\n');
  let i = 0;
  const next = () => lines[i++];
  const bulk = () => {
    const h = next();
    assert.equal(h[0], '$');
    return next();
  };
  const n = Number(next().slice(1));
  const out = [];
  for (let k = 0; k < n; k++) {
    assert.equal(next(), '*6');
    const id = Number(next().slice(1));
    const time = Number(next().slice(1));
    const dur = Number(next().slice(1));
    const argc = Number(next().slice(1));
    const args: string[] = [];
    for (let j = 0; j < argc; j++) args.push(bulk());
    out.push({ id, time, dur, args, peer: bulk(), name: bulk() });
  }
  return out;
}

test('SLOWLOG logs every command at threshold 0, newest first, with peer and name', async () => {
  const a = await RawConnection.connect(srv.port);
  assert.equal(await cmd(a, 'SLOWLOG', 'RESET'), '+OK\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'SETNAME', 'logger'), '+OK\r\n');
  assert.equal(await cmd(a, 'ECHO', 'hello'), '$5\r\nhello\r\n');
  const info = await cmd(a, 'CLIENT', 'INFO');
  const addr = /addr=(\S+)/.exec(info)![1];
  const es = entries(await cmd(a, 'SLOWLOG', 'GET'));
  assert.deepEqual(es.map((e) => e.args.join(' ')), ['CLIENT INFO', 'ECHO hello', 'CLIENT SETNAME logger', 'SLOWLOG RESET']);
  assert.ok(es[0].id > es[1].id && es[1].id > es[2].id);
  assert.equal(es[0].peer, addr);
  assert.deepEqual(es.map((e) => e.name), ['logger', 'logger', 'logger', '']);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(es[0].time - now) <= 2);
  assert.ok(es[0].dur >= 0);
  // SLOWLOG GET itself was logged; ids keep growing across RESET
  assert.equal(await cmd(a, 'SLOWLOG', 'LEN'), ':5\r\n');
  a.close();
});

test('SLOWLOG GET count, max length, errors and HELP', async () => {
  const a = await RawConnection.connect(srv.port);
  for (let i = 0; i < 10; i++) await cmd(a, 'PING');
  assert.equal(await cmd(a, 'SLOWLOG', 'LEN'), ':5\r\n');
  assert.equal(entries(await cmd(a, 'SLOWLOG', 'GET', '2')).length, 2);
  assert.equal(await cmd(a, 'SLOWLOG', 'GET', '0'), '*0\r\n');
  assert.equal(entries(await cmd(a, 'SLOWLOG', 'GET', '-1')).length, 5);
  assert.equal(entries(await cmd(a, 'SLOWLOG', 'GET', '100')).length, 5);
  for (const bad of ['-2', '-222', 'abc']) {
    assert.equal(await cmd(a, 'SLOWLOG', 'GET', bad), '-ERR count should be greater than or equal to -1\r\n');
  }
  assert.equal(await cmd(a, 'SLOWLOG', 'GET', '1', '2'), "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n");
  assert.equal(await cmd(a, 'SLOWLOG', 'LEN', 'x'), "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
  assert.equal(await cmd(a, 'SLOWLOG', 'HELP'),
    '*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n' +
    '+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n+    Entries are made of:\r\n' +
    '+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n+    client name\r\n' +
    '+LEN\r\n+    Return the length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n');
  a.close();
});

test('SLOWLOG trims long argument lists and long arguments', async () => {
  const a = await RawConnection.connect(srv.port);
  const many = ['PING', 'k'];
  for (let i = 3; i <= 33; i++) many.push(String(i));
  assert.equal(await cmd(a, ...many), "-ERR wrong number of arguments for 'ping' command\r\n");
  let e = entries(await cmd(a, 'SLOWLOG', 'GET', '1'))[0];
  assert.equal(e.args.length, 32);
  assert.equal(e.args[30], '31');
  assert.equal(e.args[31], '... (2 more arguments)');
  const big = 'A'.repeat(129);
  assert.equal(await cmd(a, 'ECHO', big), `$129\r\n${big}\r\n`);
  e = entries(await cmd(a, 'SLOWLOG', 'GET', '1'))[0];
  assert.deepEqual(e.args, ['ECHO', `${'A'.repeat(128)}... (1 more bytes)`]);
  a.close();
});

test('SLOWLOG redacts AUTH and HELLO credentials, skips refused commands', async () => {
  const a = await RawConnection.connect(srv.port);
  await cmd(a, 'SLOWLOG', 'RESET');
  assert.match(await cmd(a, 'AUTH', 'secret'), /^-ERR AUTH <password> called without any password configured/);
  assert.equal(await cmd(a, 'AUTH', 'user', 'secret'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
  assert.match(await cmd(a, 'HELLO', '2', 'AUTH', 'user', 'secret'), /^-WRONGPASS/);
  assert.match(await cmd(a, 'NOSUCHCMD'), /^-ERR unknown command/);
  assert.match(await cmd(a, 'GET'), /^-ERR wrong number/);
  const es = entries(await cmd(a, 'SLOWLOG', 'GET'));
  assert.deepEqual(es.map((x) => x.args.join(' ')), [
    'HELLO 2 AUTH (redacted) (redacted)', 'AUTH (redacted) (redacted)', 'AUTH (redacted)', 'SLOWLOG RESET',
  ]);
  a.close();
});

test('SLOWLOG disabled with a negative threshold', async () => {
  const a = await RawConnection.connect(off.port);
  await cmd(a, 'PING');
  await cmd(a, 'PING');
  assert.equal(await cmd(a, 'SLOWLOG', 'LEN'), ':0\r\n');
  assert.equal(await cmd(a, 'SLOWLOG', 'GET'), '*0\r\n');
  a.close();
});
