/*
 * List commands over TCP: exact RESP2/RESP3 replies and errors (checked
 * against redis-server 7.0.15 for the same requests), and blocking
 * behaviour: FIFO service, timeouts, wake-up by another client's push or
 * by LMOVE into a watched key, CLIENT UNBLOCK, a key set to another type
 * while clients wait, and a client that disconnects while blocked.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, bulk, waitBlocked, type NodisProcess } from '../helpers/server';
import { sleep } from './client-resp';

let srv: NodisProcess;
let c: RawConnection;

before(async () => {
  srv = await startNodis();
  c = await RawConnection.connect(srv.port);
});
after(async () => {
  c.close();
  await srv.stop();
});

async function expect(args: string[], expected: string, conn = c): Promise<void> {
  const got = await conn.request(resp(...args), expected);
  assert.equal(got, expected, args.join(' '));
}

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NOTINT = '-ERR value is not an integer or out of range\r\n';
const arr = (...items: string[]) => `*${items.length}\r\n` + items.map(bulk).join('');

test('pushes, pops, LLEN and WRONGTYPE', async () => {
  await expect(['FLUSHALL'], '+OK\r\n');
  await expect(['LPUSH', 'l', 'a', 'b'], ':2\r\n');
  await expect(['RPUSH', 'l', 'c'], ':3\r\n');
  await expect(['LPUSHX', 'nokey', 'a'], ':0\r\n');
  await expect(['RPUSHX', 'l', 'd', 'e'], ':5\r\n');
  await expect(['LRANGE', 'l', '0', '-1'], arr('b', 'a', 'c', 'd', 'e'));
  await expect(['LLEN', 'l'], ':5\r\n');
  await expect(['LLEN', 'nokey'], ':0\r\n');
  await expect(['OBJECT', 'ENCODING', 'l'], '$9\r\nquicklist\r\n');
  await expect(['TYPE', 'l'], '+list\r\n');
  await expect(['LPOP', 'l'], bulk('b'));
  await expect(['RPOP', 'l'], bulk('e'));
  await expect(['LPOP', 'l', '0'], '*0\r\n');
  await expect(['RPOP', 'l', '2'], arr('d', 'c'));
  await expect(['LPOP', 'l', '5'], arr('a'));
  await expect(['EXISTS', 'l'], ':0\r\n');
  await expect(['LPOP', 'l'], '$-1\r\n');
  await expect(['LPOP', 'l', '1'], '*-1\r\n');
  await expect(['LPOP', 'l', '-1'], '-ERR value is out of range, must be positive\r\n');
  await expect(['LPOP', 'l', 'x'], '-ERR value is out of range, must be positive\r\n');
  await expect(['LPOP', 'l', '1', '2'], "-ERR wrong number of arguments for 'lpop' command\r\n");
  await expect(['RPUSH', 'l'], "-ERR wrong number of arguments for 'rpush' command\r\n");
  await expect(['SET', 's', 'x'], '+OK\r\n');
  for (const cmd of [['LPUSH', 's', 'a'], ['RPUSHX', 's', 'a'], ['LPOP', 's'], ['RPOP', 's', '2'], ['LLEN', 's'],
    ['LRANGE', 's', '0', '1'], ['LINDEX', 's', '0'], ['LSET', 's', '0', 'x'], ['LINSERT', 's', 'BEFORE', 'a', 'b'],
    ['LREM', 's', '0', 'a'], ['LTRIM', 's', '0', '1'], ['LPOS', 's', 'a'], ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
    ['RPOPLPUSH', 's', 'd'], ['LMPOP', '1', 's', 'LEFT'], ['BLPOP', 's', '0'], ['BLMPOP', '0', '1', 's', 'RIGHT']]) {
    await expect(cmd, WRONGTYPE);
  }
});

test('LINDEX, LSET, LRANGE, LTRIM: indexes and errors in Redis order', async () => {
  await expect(['RPUSH', 'n', '0', '1', '2', '3', '4'], ':5\r\n');
  await expect(['LINDEX', 'n', '-1'], bulk('4'));
  await expect(['LINDEX', 'n', '5'], '$-1\r\n');
  await expect(['LINDEX', 'n', 'x'], NOTINT);
  await expect(['LINDEX', 'nokey', 'x'], '$-1\r\n');
  await expect(['LSET', 'n', '-5', 'z'], '+OK\r\n');
  await expect(['LSET', 'n', '5', 'z'], '-ERR index out of range\r\n');
  await expect(['LSET', 'nokey', '0', 'z'], '-ERR no such key\r\n');
  await expect(['LSET', 'nokey', 'x', 'z'], '-ERR no such key\r\n');
  await expect(['LSET', 'n', 'x', 'z'], NOTINT);
  await expect(['LRANGE', 'n', '-100', '100'], arr('z', '1', '2', '3', '4'));
  await expect(['LRANGE', 'n', '3', '2'], '*0\r\n');
  await expect(['LRANGE', 'nokey', 'x', '1'], NOTINT);
  await expect(['LRANGE', 'n', '-9223372036854775808', '9223372036854775807'], arr('z', '1', '2', '3', '4'));
  await expect(['LTRIM', 'nokey', 'x', '1'], NOTINT);
  await expect(['LTRIM', 'nokey', '0', '1'], '+OK\r\n');
  await expect(['LTRIM', 'n', '1', '-2'], '+OK\r\n');
  await expect(['LRANGE', 'n', '0', '-1'], arr('1', '2', '3'));
  await expect(['LTRIM', 'n', '2', '1'], '+OK\r\n');
  await expect(['EXISTS', 'n'], ':0\r\n');
});

test('LINSERT, LREM, LPOS', async () => {
  await expect(['RPUSH', 'x', 'a', 'b', 'c', 'b', 'a'], ':5\r\n');
  await expect(['LINSERT', 'x', 'BEFORE', 'b', 'B'], ':6\r\n');
  await expect(['LINSERT', 'x', 'after', 'a', 'A'], ':7\r\n');
  await expect(['LINSERT', 'x', 'after', 'zz', 'A'], ':-1\r\n');
  await expect(['LINSERT', 'x', 'middle', 'a', 'A'], SYNTAX);
  await expect(['LINSERT', 'nokey', 'middle', 'a', 'A'], SYNTAX);
  await expect(['LINSERT', 'nokey', 'before', 'a', 'A'], ':0\r\n');
  await expect(['LRANGE', 'x', '0', '-1'], arr('a', 'A', 'B', 'b', 'c', 'b', 'a'));
  await expect(['LPOS', 'x', 'b'], ':3\r\n');
  await expect(['LPOS', 'x', 'b', 'RANK', '-1'], ':5\r\n');
  await expect(['LPOS', 'x', 'b', 'RANK', '3'], '$-1\r\n');
  await expect(['LPOS', 'x', 'a', 'COUNT', '0'], '*2\r\n:0\r\n:6\r\n');
  await expect(['LPOS', 'x', 'a', 'COUNT', '0', 'RANK', '-1'], '*2\r\n:6\r\n:0\r\n');
  await expect(['LPOS', 'x', 'b', 'COUNT', '0', 'MAXLEN', '4'], '*1\r\n:3\r\n');
  await expect(['LPOS', 'x', 'zz', 'COUNT', '2'], '*0\r\n');
  await expect(['LPOS', 'nokey', 'a'], '$-1\r\n');
  await expect(['LPOS', 'nokey', 'a', 'COUNT', '1'], '*0\r\n');
  await expect(['LPOS', 'x', 'a', 'RANK', '0'], "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n");
  await expect(['LPOS', 'x', 'a', 'COUNT', '-1'], "-ERR COUNT can't be negative\r\n");
  await expect(['LPOS', 'x', 'a', 'MAXLEN', 'x'], "-ERR MAXLEN can't be negative\r\n");
  await expect(['LPOS', 'x', 'a', 'RANK', 'x'], NOTINT);
  await expect(['LPOS', 'x', 'a', 'RANK'], SYNTAX);
  await expect(['LPOS', 'x', 'a', 'RANK', '-9223372036854775808'], ':6\r\n');
  await expect(['LREM', 'x', '-1', 'a'], ':1\r\n');
  await expect(['LREM', 'x', '0', 'b'], ':2\r\n');
  await expect(['LREM', 'x', 'x', 'b'], NOTINT);
  await expect(['LREM', 'nokey', '0', 'b'], ':0\r\n');
  await expect(['LRANGE', 'x', '0', '-1'], arr('a', 'A', 'B', 'c'));
});

test('LMOVE, RPOPLPUSH, LMPOP', async () => {
  await expect(['DEL', 'src', 'dst'], ':0\r\n');
  await expect(['RPUSH', 'src', 'a', 'b', 'c'], ':3\r\n');
  await expect(['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'], bulk('a'));
  await expect(['LMOVE', 'src', 'dst', 'right', 'left'], bulk('c'));
  await expect(['LMOVE', 'src', 'dst', 'up', 'left'], SYNTAX);
  await expect(['LMOVE', 'nokey', 'dst', 'left', 'left'], '$-1\r\n');
  await expect(['LMOVE', 'src', 's', 'left', 'left'], WRONGTYPE);
  await expect(['LMOVE', 'src', 'src', 'left', 'right'], bulk('b'));
  await expect(['RPOPLPUSH', 'src', 'dst'], bulk('b'));
  await expect(['EXISTS', 'src'], ':0\r\n');
  await expect(['LRANGE', 'dst', '0', '-1'], arr('b', 'c', 'a'));
  await expect(['RPOPLPUSH', 'dst', 'dst'], bulk('a'));
  await expect(['LRANGE', 'dst', '0', '-1'], arr('a', 'b', 'c'));
  await expect(['RPUSH', 'm2', 'x', 'y'], ':2\r\n');
  await expect(['LMPOP', '2', 'nokey', 'dst', 'RIGHT', 'COUNT', '2'], '*2\r\n$3\r\ndst\r\n' + arr('c', 'b'));
  await expect(['LMPOP', '2', 'dst', 'm2', 'left', 'count', '9'], '*2\r\n$3\r\ndst\r\n' + arr('a'));
  await expect(['LMPOP', '1', 'nokey', 'left'], '*-1\r\n');
  await expect(['LMPOP', '0', 'm2', 'left'], '-ERR numkeys should be greater than 0\r\n');
  await expect(['LMPOP', 'x', 'm2', 'left'], '-ERR numkeys should be greater than 0\r\n');
  await expect(['LMPOP', '5', 'm2', 'left'], SYNTAX);
  await expect(['LMPOP', '1', 'm2', 'left', 'count', '0'], '-ERR count should be greater than 0\r\n');
  await expect(['LMPOP', '1', 'm2', 'left', 'count', '1', 'count', '1'], SYNTAX);
  await expect(['LMPOP', '1', 'm2'], "-ERR wrong number of arguments for 'lmpop' command\r\n");
  await expect(['LMPOP', '1', 'm2', 'left'], '*2\r\n$2\r\nm2\r\n' + arr('x'));
});

test('RESP3 nulls and empty arrays', async () => {
  const r3 = await RawConnection.connect(srv.port);
  try {
    await r3.request(resp('HELLO', '3'), undefined);
    await r3.readUntil((d) => d.includes('modules'));
    await r3.read();
    await expect(['DEL', 'nokey'], ':0\r\n', r3);
    await expect(['LPOP', 'nokey'], '_\r\n', r3);
    await expect(['LPOP', 'nokey', '1'], '_\r\n', r3);
    await expect(['LINDEX', 'nokey', '0'], '_\r\n', r3);
    await expect(['LPOS', 'nokey', 'a'], '_\r\n', r3);
    await expect(['LPOS', 'nokey', 'a', 'COUNT', '0'], '*0\r\n', r3);
    await expect(['LMPOP', '1', 'nokey', 'left'], '_\r\n', r3);
    await expect(['LMOVE', 'nokey', 'x', 'left', 'left'], '_\r\n', r3);
    await expect(['BLPOP', 'nokey', '0.01'], '_\r\n', r3);
    await expect(['BLMOVE', 'nokey', 'x', 'left', 'left', '0.01'], '_\r\n', r3);
    await expect(['LRANGE', 'nokey', '0', '-1'], '*0\r\n', r3);
  } finally {
    r3.close();
  }
});

test('blocking timeouts: parsing, decimals, null array on timeout', async () => {
  await expect(['BLPOP', 'nokey', 'x'], '-ERR timeout is not a float or out of range\r\n');
  await expect(['BLPOP', 'nokey', '-1'], '-ERR timeout is negative\r\n');
  await expect(['BLPOP', 'nokey', 'inf'], '-ERR timeout is negative\r\n');
  await expect(['BLMOVE', 'a', 'b', 'left', 'left', '-0.5'], '-ERR timeout is negative\r\n');
  await expect(['BLMOVE', 'a', 'b', 'up', 'left', 'x'], SYNTAX);
  await expect(['BLMPOP', 'x', '0', 'a', 'left'], '-ERR numkeys should be greater than 0\r\n');
  await expect(['BLMPOP', 'x', '1', 'a', 'left'], '-ERR timeout is not a float or out of range\r\n');
  const t0 = Date.now();
  await expect(['BRPOP', 'nokey', 'nokey2', '0.2'], '*-1\r\n');
  const dt = Date.now() - t0;
  assert.ok(dt >= 190, `timed out after ${dt} ms`);
  await expect(['BRPOPLPUSH', 'nokey', 'x', '0.05'], '*-1\r\n');
  await expect(['BLMPOP', '0.05', '2', 'nokey', 'nokey2', 'RIGHT', 'COUNT', '3'], '*-1\r\n');
});

test('blocked clients are served in FIFO order by pushes from another client', async () => {
  await expect(['DEL', 'q'], ':0\r\n');
  const w1 = await RawConnection.connect(srv.port);
  const w2 = await RawConnection.connect(srv.port);
  try {
    w1.write(resp('BLPOP', 'q', 'other', '0'));
    await waitBlocked(c, 1);
    w2.write(resp('BRPOP', 'q', '0'));
    await waitBlocked(c, 2);
    await expect(['RPUSH', 'q', 'one'], ':1\r\n');
    assert.equal(await w1.read(arr('q', 'one').length), arr('q', 'one'));
    await waitBlocked(c, 1);
    await expect(['RPUSH', 'q', 'two', 'three'], ':2\r\n');
    assert.equal(await w2.read(arr('q', 'three').length), arr('q', 'three'));
    await expect(['LRANGE', 'q', '0', '-1'], arr('two'));
    // data already there: no blocking
    w1.write(resp('BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '5'));
    assert.equal(await w1.read(10), '*2\r\n$1\r\nq\r\n' + arr('two'));
    await expect(['EXISTS', 'q'], ':0\r\n');
  } finally {
    w1.close();
    w2.close();
  }
});

test('a key set to another type does not serve waiters; LMOVE into a watched key does', async () => {
  await expect(['DEL', 'w', 'src', 'dst'], ':0\r\n');
  const w = await RawConnection.connect(srv.port);
  const m = await RawConnection.connect(srv.port);
  try {
    w.write(resp('BLPOP', 'w', '0'));
    await waitBlocked(c, 1);
    await expect(['SET', 'w', 'str'], '+OK\r\n');
    await sleep(50);
    await waitBlocked(c, 1);
    await expect(['DEL', 'w'], ':1\r\n');
    // a blocked BLMOVE chained into the key the BLPOP waits on
    m.write(resp('BLMOVE', 'src', 'w', 'RIGHT', 'LEFT', '0'));
    await waitBlocked(c, 2);
    await expect(['RPUSH', 'src', 'v'], ':1\r\n');
    assert.equal(await m.read(bulk('v').length), bulk('v'));
    assert.equal(await w.read(arr('w', 'v').length), arr('w', 'v'));
    await expect(['EXISTS', 'w', 'src'], ':0\r\n');
    // BRPOPLPUSH whose destination holds a string: WRONGTYPE when served, source kept
    await expect(['SET', 'dst', 'str'], '+OK\r\n');
    m.write(resp('BRPOPLPUSH', 'src', 'dst', '0'));
    await waitBlocked(c, 1);
    await expect(['RPUSH', 'src', 'a', 'b'], ':2\r\n');
    assert.equal(await m.read(WRONGTYPE.length), WRONGTYPE);
    await expect(['LRANGE', 'src', '0', '-1'], arr('a', 'b'));
  } finally {
    w.close();
    m.close();
  }
});

test('CLIENT UNBLOCK and disconnection while blocked', async () => {
  await expect(['DEL', 'u'], ':0\r\n');
  const w = await RawConnection.connect(srv.port);
  try {
    const idReply = await w.request(resp('CLIENT', 'ID'), undefined);
    const id = idReply.slice(1, -2);
    w.write(resp('BLPOP', 'u', '0'));
    await waitBlocked(c, 1);
    await expect(['CLIENT', 'UNBLOCK', id], ':1\r\n');
    assert.equal(await w.read(5), '*-1\r\n');
    await expect(['CONFIG', 'RESETSTAT'], '+OK\r\n');
    w.write(resp('BLMOVE', 'u', 'v', 'LEFT', 'LEFT', '0'));
    await waitBlocked(c, 1);
    await expect(['CLIENT', 'UNBLOCK', id, 'ERROR'], ':1\r\n');
    const err = '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n';
    assert.equal(await w.read(err.length), err);
    // the blocked command counts as one failed call (INFO commandstats)
    c.write(resp('INFO', 'commandstats'));
    const stats = await c.readUntil((d) => d.includes('cmdstat_blmove') && d.endsWith('\r\n\r\n'));
    await c.read();
    assert.match(stats, /cmdstat_blmove:calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=1\r\n/);
    await expect(['CLIENT', 'UNBLOCK', id], ':0\r\n');
    // the client keeps working after being unblocked
    await expect(['PING'], '+PONG\r\n', w);
    w.write(resp('BRPOP', 'u', '0'));
    await waitBlocked(c, 1);
  } finally {
    w.close();
  }
  await waitBlocked(c, 0);
  await expect(['RPUSH', 'u', 'kept'], ':1\r\n');
  await expect(['LRANGE', 'u', '0', '-1'], arr('kept'));
});

test('large elements and large lists', async () => {
  const big = 'x'.repeat(100000);
  await expect(['DEL', 'bl'], ':0\r\n');
  await expect(['RPUSH', 'bl', 'a', big, 'b'], ':3\r\n');
  await expect(['LINDEX', 'bl', '1'], bulk(big));
  await expect(['LSET', 'bl', '0', big], '+OK\r\n');
  await expect(['LPOS', 'bl', big, 'COUNT', '0'], '*2\r\n:0\r\n:1\r\n');
  await expect(['LREM', 'bl', '0', big], ':2\r\n');
  await expect(['LRANGE', 'bl', '0', '-1'], arr('b'));
  const args: string[] = [];
  for (let i = 0; i < 10000; i++) args.push(String(i));
  await expect(['RPUSH', 'n', ...args], ':10000\r\n');
  await expect(['LINDEX', 'n', '5000'], bulk('5000'));
  await expect(['LRANGE', 'n', '9997', '-1'], arr('9997', '9998', '9999'));
  await expect(['LINSERT', 'n', 'AFTER', '4999', 'mid'], ':10001\r\n');
  await expect(['LINDEX', 'n', '5000'], bulk('mid'));
  await expect(['LTRIM', 'n', '4999', '5001'], '+OK\r\n');
  await expect(['LRANGE', 'n', '0', '-1'], arr('4999', 'mid', '5000'));
});
