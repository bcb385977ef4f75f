/*
 * Transactions over TCP: MULTI/EXEC/DISCARD/WATCH/UNWATCH with exact RESP2
 * and RESP3 replies, checked against what redis-server 7.0.15 answers for
 * the same requests: queueing refusals and EXECABORT, runtime errors inside
 * EXEC, WATCH invalidation by every kind of write (including FLUSHDB,
 * FLUSHALL, SWAPDB, RENAME, expiry) and Redis 7.0's stale-key rules,
 * CLIENT LIST state, MONITOR, commandstats/errorstats and CLIENT PAUSE.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, expectReplies as on, ask, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let c: RawConnection;
let other: RawConnection;

before(async () => {
  srv = await startNodis(['--enable-debug-command', 'yes']);
  c = await RawConnection.connect(srv.port);
  other = await RawConnection.connect(srv.port);
});
after(async () => {
  c.close();
  other.close();
  await srv.stop();
});

const expect = (cmds: string[][], expected: string) => on(c, cmds, expected);

const OK = '+OK\r\n';
const Q = '+QUEUED\r\n';
const ABORT = '-EXECABORT Transaction discarded because of previous errors.\r\n';
const NULLARR = '*-1\r\n';

/** WATCH keys on `c`, run `touch` on the other connection, then an EXEC of PING. */
async function watchThenExec(keys: string[], touch: string[][], touchReply: string, execReply: string): Promise<void> {
  await expect([['WATCH', ...keys]], OK);
  if (touch.length > 0) await on(other, touch, touchReply);
  await expect([['MULTI'], ['PING'], ['EXEC']], OK + Q + execReply);
}
const PONG1 = '*1\r\n+PONG\r\n';

test('MULTI/EXEC basics: queued replies, one array, DISCARD', async () => {
  await expect([['FLUSHALL']], OK);
  await expect([['MULTI'], ['SET', 'foo', 'bar'], ['INCR', 'n'], ['GET', 'foo'], ['GET', 'nokey'], ['EXEC']],
    OK + Q + Q + Q + Q + '*4\r\n+OK\r\n:1\r\n$3\r\nbar\r\n$-1\r\n');
  await expect([['MULTI'], ['EXEC']], OK + '*0\r\n');
  await expect([['MULTI'], ['DEL', 'foo'], ['DISCARD'], ['GET', 'foo']], OK + Q + OK + '$3\r\nbar\r\n');
  await expect([['DISCARD']], '-ERR DISCARD without MULTI\r\n');
  await expect([['EXEC']], '-ERR EXEC without MULTI\r\n');
  await expect([['MULTI'], ['MULTI'], ['SET', 'x', '1'], ['EXEC']],
    OK + '-ERR MULTI calls can not be nested\r\n' + Q + '*1\r\n+OK\r\n');
  await expect([['MULTI'], ['WATCH', 'x'], ['PING'], ['EXEC']],
    OK + '-ERR WATCH inside MULTI is not allowed\r\n' + Q + PONG1);
  // UNWATCH is queued inside MULTI (only MULTI, EXEC, DISCARD, WATCH, QUIT and RESET run at once)
  await expect([['MULTI'], ['UNWATCH'], ['EXEC']], OK + Q + '*1\r\n+OK\r\n');
});

test('refusals while queueing abort EXEC; runtime errors do not', async () => {
  await expect([['FLUSHALL']], OK);
  await expect([['MULTI'], ['SET', 'a', '1'], ['non-existing-command', 'x'], ['SET', 'b', '2'], ['EXEC']],
    OK + Q + "-ERR unknown command 'non-existing-command', with args beginning with: 'x' \r\n" + Q + ABORT);
  await expect([['EXISTS', 'a', 'b']], ':0\r\n');
  await expect([['MULTI'], ['SET'], ['EXEC']], OK + "-ERR wrong number of arguments for 'set' command\r\n" + ABORT);
  await expect([['MULTI'], ['CONFIG', 'NOPE'], ['EXEC']],
    OK + "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n" + ABORT);
  // no_multi commands are refused inside MULTI
  await expect([['MULTI'], ['SET', 'a', '1'], ['SHUTDOWN'], ['EXEC'], ['GET', 'a']],
    OK + Q + '-ERR Command not allowed inside a transaction\r\n' + ABORT + '$-1\r\n');
  // the connection left MULTI
  await expect([['PING']], '+PONG\r\n');
  await expect([['MULTI'], ['SET', 'a', 'x'], ['INCR', 'a'], ['SET', 'b', '1'], ['EXEC']],
    OK + Q + Q + Q + '*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n');
  await expect([['MGET', 'a', 'b']], '*2\r\n$1\r\nx\r\n$1\r\n1\r\n');
});

test('EXEC refused by its own checks aborts the transaction, in or out of MULTI', async () => {
  const msg = "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n";
  await expect([['EXEC', 'x']], msg);
  await expect([['MULTI'], ['SET', 'k', '1'], ['EXEC', 'x'], ['EXISTS', 'k'], ['EXEC']],
    OK + Q + msg + ':0\r\n-ERR EXEC without MULTI\r\n');
});

test('WATCH: EXEC fails after a change by SET, DEL, EXPIRE, RENAME, and by the client itself', async () => {
  await expect([['FLUSHALL'], ['SET', 'x', '30']], OK + OK);
  await watchThenExec(['x'], [], '', PONG1);
  await watchThenExec(['x'], [['SET', 'x', '40']], OK, NULLARR);
  await watchThenExec(['a', 'b', 'x', 'k', 'z'], [['SET', 'x', '50']], OK, NULLARR);
  await watchThenExec(['x'], [['DEL', 'x']], ':1\r\n', NULLARR);
  await watchThenExec(['x'], [['DEL', 'x']], ':0\r\n', PONG1);
  await expect([['SET', 'x', 'foo']], OK);
  await watchThenExec(['x'], [['EXPIRE', 'x', '100']], ':1\r\n', NULLARR);
  await watchThenExec(['x'], [['RENAME', 'x', 'y']], OK, NULLARR);
  await watchThenExec(['x'], [['RENAME', 'y', 'x']], OK, NULLARR);
  // writes of the watching client count too
  await expect([['WATCH', 'x'], ['SET', 'x', '1'], ['MULTI'], ['PING'], ['EXEC']], OK + OK + OK + Q + NULLARR);
  // after EXEC (successful or not) nothing stays watched
  await expect([['WATCH', 'x'], ['MULTI'], ['PING'], ['EXEC'], ['SET', 'x', '2'], ['MULTI'], ['PING'], ['EXEC']],
    OK + OK + Q + PONG1 + OK + OK + Q + PONG1);
  // a key WATCHed in another database is another key
  await expect([['SELECT', '5'], ['SET', 'x', '30'], ['WATCH', 'x'], ['SELECT', '1'], ['SET', 'x', '10'], ['SELECT', '5'],
    ['MULTI'], ['PING'], ['EXEC'], ['SELECT', '0']], OK + OK + OK + OK + OK + OK + OK + Q + PONG1 + OK);
});

test('WATCH: UNWATCH and DISCARD clear the dirty flag', async () => {
  await expect([['SET', 'x', '30'], ['WATCH', 'x'], ['SET', 'x', '40'], ['UNWATCH'], ['MULTI'], ['PING'], ['EXEC']],
    OK + OK + OK + OK + OK + Q + PONG1);
  await expect([['UNWATCH']], OK);
  await expect([['WATCH', 'x'], ['SET', 'x', '10'], ['MULTI'], ['DISCARD'], ['MULTI'], ['INCR', 'x'], ['EXEC']],
    OK + OK + OK + OK + OK + Q + '*1\r\n:11\r\n');
  // a client already dirty ignores further WATCHes until the transaction ends
  await expect([['WATCH', 'x'], ['SET', 'x', '1'], ['WATCH', 'y'], ['MULTI'], ['PING'], ['EXEC']],
    OK + OK + OK + OK + Q + NULLARR);
});

test('WATCH: FLUSHALL, FLUSHDB and SWAPDB touch only keys that exist', async () => {
  await expect([['FLUSHALL'], ['SET', 'x', '30']], OK + OK);
  await watchThenExec(['x'], [['FLUSHALL']], OK, NULLARR);
  await watchThenExec(['x'], [['FLUSHALL']], OK, PONG1);
  await expect([['SET', 'x', '30']], OK);
  await watchThenExec(['x'], [['FLUSHDB']], OK, NULLARR);
  await watchThenExec(['x'], [['FLUSHDB']], OK, PONG1);
  // a FLUSHDB of another database does not touch this one
  await expect([['SET', 'x', '30']], OK);
  await watchThenExec(['x'], [['SELECT', '3'], ['FLUSHDB'], ['SELECT', '0']], OK + OK + OK, PONG1);
  // SWAPDB: the watched key goes away, or appears
  await expect([['FLUSHALL'], ['SET', 'x', '30']], OK + OK);
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, NULLARR);
  await expect([['FLUSHALL'], ['SELECT', '1'], ['SET', 'x', '30'], ['SELECT', '0']], OK + OK + OK + OK);
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, NULLARR);
  // neither database has it
  await expect([['FLUSHALL']], OK);
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, PONG1);
  // several watched keys of one client, all flushed at once
  await expect([['FLUSHALL'], ['MSET', 'a', 'a', 'b', 'b'], ['WATCH', 'b', 'a'], ['FLUSHALL'], ['PING']],
    OK + OK + OK + OK + '+PONG\r\n');
  await expect([['UNWATCH']], OK);
});

test('WATCH and expiry (Redis 7.0 stale-key rules)', async () => {
  await expect([['FLUSHALL'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '0']], OK + OK);
  // a key that expires after WATCH fails EXEC, even if nobody deleted it yet
  await expect([['SET', 'key', '1', 'PX', '50'], ['WATCH', 'key']], OK + OK);
  await new Promise((r) => setTimeout(r, 150));
  await expect([['MULTI'], ['INCR', 'key'], ['EXEC']], OK + Q + NULLARR);
  await expect([['GET', 'key']], '$-1\r\n');
  const stale = async (k: string, db = '0') => {
    await expect([['SELECT', db], ['SET', k, 'foo', 'PX', '1'], ['SELECT', '0']], OK + OK + OK);
  };
  // watching a key that is already stale
  await stale('x');
  await new Promise((r) => setTimeout(r, 20));
  await expect([['WATCH', 'x'], ['MULTI'], ['PING'], ['EXEC']], OK + OK + Q + PONG1);
  // ... and its lazy deletion is no change
  await stale('x');
  await new Promise((r) => setTimeout(r, 20));
  await expect([['WATCH', 'x'], ['EXISTS', 'x'], ['MULTI'], ['PING'], ['EXEC']], OK + ':0\r\n' + OK + Q + PONG1);
  // ... while writing it after the deletion is one
  await stale('x');
  await new Promise((r) => setTimeout(r, 20));
  await watchThenExec(['x'], [['SET', 'x', 'new']], OK, NULLARR);
  // FLUSHDB of a stale watched key is no change
  await stale('x');
  await new Promise((r) => setTimeout(r, 20));
  await watchThenExec(['x'], [['FLUSHDB']], OK, PONG1);
  // SWAPDB: stale key replaced by nothing; nothing replaced by a stale key; stale by stale
  await expect([['FLUSHALL']], OK);
  await stale('x');
  await new Promise((r) => setTimeout(r, 20));
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, PONG1);
  await expect([['FLUSHALL']], OK);
  await stale('x', '1');
  await new Promise((r) => setTimeout(r, 20));
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, PONG1);
  await expect([['FLUSHALL']], OK);
  await stale('x');
  await stale('x', '1');
  await new Promise((r) => setTimeout(r, 20));
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, PONG1);
  // a live key replacing a stale one is a change
  await expect([['FLUSHALL'], ['SELECT', '1'], ['SET', 'x', 'live'], ['SELECT', '0']], OK + OK + OK + OK);
  await stale('x');
  await new Promise((r) => setTimeout(r, 20));
  await watchThenExec(['x'], [['SWAPDB', '0', '1']], OK, NULLARR);
  await expect([['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ['FLUSHALL']], OK + OK);
});

test('WATCH: a key deleted by the active expiry cycle fails EXEC', async () => {
  await expect([['FLUSHALL'], ['SET', 'x', 'foo', 'PX', '100'], ['WATCH', 'x']], OK + OK + OK);
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const n = await other.request(resp('DBSIZE'));
    if (n === ':0\r\n') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await expect([['MULTI'], ['PING'], ['EXEC']], OK + Q + NULLARR);
});

test('RESP3: EXEC aborted by WATCH is a null, replies keep their RESP3 types', async () => {
  const r3 = await RawConnection.connect(srv.port);
  try {
    await r3.request(resp('HELLO', '3'));
    await on(r3, [['FLUSHALL'], ['WATCH', 'x']], OK + OK);
    await on(other, [['SET', 'x', '1']], OK);
    await on(r3, [['MULTI'], ['PING'], ['EXEC']], OK + Q + '_\r\n');
    await on(r3, [['MULTI'], ['GET', 'nokey'], ['INCRBYFLOAT', 'f', '1.5'], ['CONFIG', 'GET', 'hz'], ['EXEC']],
      OK + Q + Q + Q + '*3\r\n_\r\n$3\r\n1.5\r\n%1\r\n$2\r\nhz\r\n$2\r\n10\r\n');
    await on(r3, [['MULTI'], ['NOPE'], ['EXEC']],
      OK + "-ERR unknown command 'NOPE', with args beginning with: \r\n" + ABORT);
  } finally {
    r3.close();
  }
});

/** The CLIENT LIST line of the client named `name`. */
async function clientLine(name: string): Promise<string> {
  const full = await ask(other, ['CLIENT', 'LIST']);
  const line = full.split('\n').find((l) => l.includes(` name=${name} `));
  assert.ok(line, `client ${name} in ${full}`);
  return line;
}

test('CLIENT LIST shows the transaction: flags x and d, multi=, multi-mem=', async () => {
  await expect([['FLUSHALL'], ['CLIENT', 'SETNAME', 'tx']], OK + OK);
  await expect([['MULTI'], ['SET', 'foo', 'bar'], ['SET', 'foo', 'barbazqux'], ['CLIENT', 'SETNAME', 'aa']], OK + Q + Q + Q);
  let line = await clientLine('tx');
  assert.match(line, / flags=x .* multi=3 .* multi-mem=111 /);
  await expect([['EXEC']], '*3\r\n+OK\r\n+OK\r\n+OK\r\n');
  await expect([['CLIENT', 'SETNAME', 'tx']], OK);
  line = await clientLine('tx');
  assert.match(line, / flags=N .* multi=-1 .* multi-mem=0 /);
  // a touched WATCH shows d; queueing stops once the transaction cannot run
  await expect([['WATCH', 'k']], OK);
  await on(other, [['SET', 'k', '1']], OK);
  await expect([['MULTI'], ['SET', 'x', '1']], OK + Q);
  line = await clientLine('tx');
  assert.match(line, / flags=xd .* multi=0 .* multi-mem=0 /);
  await expect([['EXEC']], NULLARR);
  await expect([['MULTI'], ['nocmd'], ['SET', 'x', '1']], OK + "-ERR unknown command 'nocmd', with args beginning with: \r\n" + Q);
  line = await clientLine('tx');
  assert.match(line, / flags=x .* multi=0 /);
  await expect([['DISCARD']], OK);
  line = await clientLine('tx');
  assert.match(line, / flags=N .* multi=-1 /);
});

test('RESET leaves the transaction and forgets WATCHes', async () => {
  await expect([['SET', 'x', '1'], ['WATCH', 'x'], ['MULTI'], ['SET', 'a', '1'], ['RESET']], OK + OK + OK + Q + '+RESET\r\n');
  await expect([['EXEC']], '-ERR EXEC without MULTI\r\n');
  await on(other, [['SET', 'x', '2']], OK);
  await expect([['MULTI'], ['PING'], ['EXEC']], OK + Q + PONG1);
});

test('commands that would block or stream do not inside EXEC', async () => {
  await expect([['MULTI'], ['MONITOR'], ['EXEC']], OK + Q + "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
  await expect([['MULTI'], ['SHUTDOWN', 'NOW', 'NOSAVE', 'ABORT'], ['EXEC']], OK + '-ERR Command not allowed inside a transaction\r\n' + ABORT);
});

test('MONITOR shows MULTI, then the queued commands as EXEC runs them, then EXEC', async () => {
  const m = await RawConnection.connect(srv.port);
  try {
    await m.request(resp('MONITOR'), OK);
    await expect([['MULTI'], ['SET', 'foo', 'bar'], ['EXEC']], OK + Q + '*1\r\n+OK\r\n');
    const lines = (await m.readUntil((d) => d.split('\r\n').length > 3)).split('\r\n');
    assert.match(lines[0], /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "MULTI"$/);
    assert.match(lines[1], /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "foo" "bar"$/);
    assert.match(lines[2], /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "EXEC"$/);
    await m.read();
    // a refused command is not shown, the aborted EXEC is
    await expect([['MULTI'], ['syntax', 'error'], ['EXEC']], OK + "-ERR unknown command 'syntax', with args beginning with: 'error' \r\n" + ABORT);
    await expect([['EXEC', 'x']], "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
    const l2 = (await m.readUntil((d) => d.split('\r\n').length > 3)).split('\r\n');
    assert.match(l2[0], /"MULTI"$/);
    assert.match(l2[1], /"EXEC"$/);
    assert.match(l2[2], /"EXEC" "x"$/);
  } finally {
    m.close();
  }
});

/** One cmdstat line of INFO commandstats. */
async function cmdstat(name: string): Promise<string> {
  const all = await ask(other, ['INFO', 'commandstats']);
  const m = new RegExp(`cmdstat_${name.replace('|', '\\|')}:([^\\r]*)`).exec(all);
  return m === null ? '' : m[1];
}

test('commandstats: EXEC and each executed command count; queued errors are the command\'s', async () => {
  await on(other, [['CONFIG', 'RESETSTAT']], OK);
  await expect([['MULTI'], ['SET', 'a', 'b'], ['AUTH', 'a'], ['EXEC']],
    OK + Q + Q + '*2\r\n+OK\r\n-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n');
  assert.match(await cmdstat('set'), /^calls=1,.*,rejected_calls=0,failed_calls=0$/);
  assert.match(await cmdstat('auth'), /^calls=1,.*,rejected_calls=0,failed_calls=1$/);
  assert.match(await cmdstat('exec'), /^calls=1,.*,rejected_calls=0,failed_calls=0$/);
  assert.match(await cmdstat('multi'), /^calls=1,.*,rejected_calls=0,failed_calls=0$/);
  await on(other, [['CONFIG', 'RESETSTAT']], OK);
  await expect([['MULTI'], ['SET'], ['EXEC']], OK + "-ERR wrong number of arguments for 'set' command\r\n" + ABORT);
  assert.match(await cmdstat('set'), /^calls=0,.*,rejected_calls=1,failed_calls=0$/);
  assert.match(await cmdstat('exec'), /^calls=1,.*,rejected_calls=0,failed_calls=1$/);
  const all = await ask(other, ['INFO', 'errorstats']);
  assert.match(all, /errorstat_ERR:count=1\r\n/);
  assert.match(all, /errorstat_EXECABORT:count=1\r\n/);
});

test('CLIENT PAUSE WRITE holds an EXEC of queued writes, not of reads', async () => {
  await expect([['MULTI'], ['SET', 'p', '1']], OK + Q);
  await on(other, [['CLIENT', 'PAUSE', '100000', 'WRITE']], OK);
  c.write(resp('EXEC'));
  const early = await c.readUntil((d) => d.length > 0, 300);
  assert.equal(early, '');
  const r = await RawConnection.connect(srv.port);
  try {
    await on(r, [['MULTI'], ['GET', 'p'], ['EXEC']], OK + Q + '*1\r\n$-1\r\n');
  } finally {
    r.close();
  }
  await on(other, [['CLIENT', 'UNPAUSE']], OK);
  assert.equal(await c.read('*1\r\n+OK\r\n'.length), '*1\r\n+OK\r\n');
});

test('ioredis transactions', async () => {
  const r = new Redis({ port: srv.port, lazyConnect: true });
  await r.connect();
  try {
    await r.flushall();
    const res = await r.multi().set('a', '1').incr('a').get('a').exec();
    assert.deepEqual(res, [[null, 'OK'], [null, 2], [null, '2']]);
    await r.watch('a');
    await r.set('a', '5');
    assert.equal(await r.multi().incr('a').exec(), null);
  } finally {
    r.disconnect();
  }
});
