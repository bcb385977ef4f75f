/*
 * Keyspace commands over TCP, with exact replies as redis-server 7.0.15
 * gives them (checked side by side with a real server).
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let conn: RawConnection;

/** Length of the first complete RESP reply in s, or -1. */
function replyEnd(s: string, pos = 0): number {
  const nl = s.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const t = s[pos];
  const n = Number(s.slice(pos + 1, nl));
  if (t === '$' || t === '=') {
    if (n < 0) return nl + 2;
    return s.length >= nl + 2 + n + 2 ? nl + 4 + n : -1;
  }
  if (t === '*' || t === '~' || t === '%' || t === '>') {
    if (n < 0) return nl + 2;
    let p = nl + 2;
    const items = t === '%' ? n * 2 : n;
    for (let i = 0; i < items; i++) {
      p = replyEnd(s, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return nl + 2;
}

async function r(...args: string[]): Promise<string> {
  conn.write(resp(...args));
  const all = await conn.readUntil((d) => replyEnd(d) >= 0 && replyEnd(d) === d.length);
  await conn.read(0);
  return all;
}

before(async () => {
  srv = await startNodis();
  conn = await RawConnection.connect(srv.port);
});
after(async () => {
  conn.close();
  await srv.stop();
});

test('DEL, UNLINK, EXISTS, TYPE, TOUCH, DBSIZE', async () => {
  await r('FLUSHALL');
  await r('SET', 'a', '1');
  await r('SET', 'b', '2');
  await r('SET', 'c', '3');
  assert.equal(await r('EXISTS', 'a', 'a', 'zz', 'b'), ':3\r\n');
  assert.equal(await r('TYPE', 'a'), '+string\r\n');
  assert.equal(await r('TYPE', 'zz'), '+none\r\n');
  assert.equal(await r('TOUCH', 'a', 'zz', 'a'), ':2\r\n');
  assert.equal(await r('DBSIZE'), ':3\r\n');
  assert.equal(await r('DEL', 'a', 'a', 'zz'), ':1\r\n');
  assert.equal(await r('UNLINK', 'b', 'c'), ':2\r\n');
  assert.equal(await r('DBSIZE'), ':0\r\n');
  assert.equal(await r('DEL'), "-ERR wrong number of arguments for 'del' command\r\n");
  assert.equal(await r('EXISTS'), "-ERR wrong number of arguments for 'exists' command\r\n");
  assert.equal(await r('TYPE', 'a', 'b'), "-ERR wrong number of arguments for 'type' command\r\n");
  assert.equal(await r('DBSIZE', 'x'), "-ERR wrong number of arguments for 'dbsize' command\r\n");
  // binary-safe key names
  await r('SET', 'k\x00\r\n\xff', 'v');
  assert.equal(await r('EXISTS', 'k\x00\r\n\xff'), ':1\r\n');
  assert.equal(await r('DEL', 'k\x00\r\n\xff'), ':1\r\n');
});

test('KEYS with glob patterns', async () => {
  await r('FLUSHALL');
  for (const k of ['key_x', 'key_y', 'key_z', 'foo_a', 'foo_b', 'foo_c', '', 'a*b', 'a?b']) await r('SET', k, 'v');
  const keys = async (p: string) => {
    const reply = await r('KEYS', p);
    return reply.split('\r\n').filter((_, i) => i > 0 && i % 2 === 0).sort();
  };
  assert.deepEqual(await keys('foo*'), ['foo_a', 'foo_b', 'foo_c']);
  assert.deepEqual(await keys('*'), ['', 'a*b', 'a?b', 'foo_a', 'foo_b', 'foo_c', 'key_x', 'key_y', 'key_z']);
  assert.deepEqual(await keys('**'), ['a*b', 'a?b', 'foo_a', 'foo_b', 'foo_c', 'key_x', 'key_y', 'key_z'], '"**" is not "*": no empty key');
  assert.deepEqual(await keys('key_[^x]'), ['key_y', 'key_z']);
  assert.deepEqual(await keys('key_[z-y]'), ['key_y', 'key_z']);
  assert.deepEqual(await keys('a\\*b'), ['a*b']);
  assert.deepEqual(await keys('a?b'), ['a*b', 'a?b']);
  assert.deepEqual(await keys(''), ['']);
  assert.deepEqual(await keys('nothing'), []);
  await r('FLUSHDB');
  await r('SET', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '1');
  assert.equal(await r('KEYS', 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b'), '*0\r\n');
});

test('RENAME and RENAMENX', async () => {
  await r('FLUSHALL');
  await r('SET', 'mykey', 'hello');
  assert.equal(await r('RENAME', 'mykey', 'mykey1'), '+OK\r\n');
  assert.equal(await r('GET', 'mykey1'), '$5\r\nhello\r\n');
  assert.equal(await r('EXISTS', 'mykey'), ':0\r\n');
  assert.equal(await r('RENAME', 'nokey', 'x'), '-ERR no such key\r\n');
  assert.equal(await r('RENAME', 'nokey', 'nokey'), '-ERR no such key\r\n');
  assert.equal(await r('RENAMENX', 'nokey', 'x'), '-ERR no such key\r\n');
  assert.equal(await r('RENAME', 'mykey1', 'mykey1'), '+OK\r\n');
  assert.equal(await r('RENAMENX', 'mykey1', 'mykey1'), ':0\r\n');
  await r('SET', 'other', 'b');
  assert.equal(await r('RENAMENX', 'mykey1', 'other'), ':0\r\n');
  assert.equal(await r('RENAMENX', 'mykey1', 'fresh'), ':1\r\n');
  assert.equal(await r('RENAME', 'fresh', 'other'), '+OK\r\n');
  assert.equal(await r('GET', 'other'), '$5\r\nhello\r\n');
  assert.equal(await r('DBSIZE'), ':1\r\n');
});

test('MOVE between databases', async () => {
  await r('FLUSHALL');
  await r('SET', 'mykey', 'foobar');
  assert.equal(await r('MOVE', 'mykey', '10'), ':1\r\n');
  assert.equal(await r('EXISTS', 'mykey'), ':0\r\n');
  await r('SELECT', '10');
  assert.equal(await r('GET', 'mykey'), '$6\r\nfoobar\r\n');
  await r('SELECT', '0');
  await r('SET', 'mykey', 'hello');
  assert.equal(await r('MOVE', 'mykey', '10'), ':0\r\n', 'exists in the target');
  assert.equal(await r('MOVE', 'nokey', '10'), ':0\r\n');
  assert.equal(await r('MOVE', 'mykey', '0'), '-ERR source and destination objects are the same\r\n');
  assert.equal(await r('MOVE', 'mykey', 'notanumber'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(await r('MOVE', 'mykey', '16'), '-ERR DB index is out of range\r\n');
  assert.equal(await r('MOVE', 'mykey', '-1'), '-ERR DB index is out of range\r\n');
  assert.equal(await r('MOVE', 'mykey', '99999999999'), '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n');
});

test('COPY with DB and REPLACE', async () => {
  await r('FLUSHALL');
  await r('SET', 'mykey', 'foobar');
  assert.equal(await r('COPY', 'mykey', 'mynewkey'), ':1\r\n');
  assert.equal(await r('GET', 'mynewkey'), '$6\r\nfoobar\r\n');
  assert.equal(await r('COPY', 'mykey', 'mynewkey'), ':0\r\n');
  assert.equal(await r('COPY', 'mykey', 'mynewkey', 'DB', '10'), ':1\r\n');
  await r('SET', 'mykey2', 'hello');
  assert.equal(await r('COPY', 'mykey2', 'mynewkey', 'DB', '10'), ':0\r\n');
  assert.equal(await r('COPY', 'mykey2', 'mynewkey', 'db', '10', 'replace'), ':1\r\n');
  await r('SELECT', '10');
  assert.equal(await r('GET', 'mynewkey'), '$5\r\nhello\r\n');
  await r('SET', 'mynewkey', 'hoge');
  await r('SELECT', '0');
  assert.equal(await r('GET', 'mykey2'), '$5\r\nhello\r\n', 'the copy is independent');
  assert.equal(await r('COPY', 'mykey', 'mykey'), '-ERR source and destination objects are the same\r\n');
  assert.equal(await r('COPY', 'mykey', 'mykey', 'DB', '0'), '-ERR source and destination objects are the same\r\n');
  assert.equal(await r('COPY', 'mykey', 'mykey', 'DB', '1'), ':1\r\n');
  assert.equal(await r('COPY', 'mykey', 'x', 'DB', 'notanumber'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(await r('COPY', 'mykey', 'x', 'DB', '16'), '-ERR DB index is out of range\r\n');
  assert.equal(await r('COPY', 'mykey', 'x', 'DB'), '-ERR syntax error\r\n');
  assert.equal(await r('COPY', 'mykey', 'x', 'foo'), '-ERR syntax error\r\n');
  assert.equal(await r('COPY', 'mykey', 'x', 'REPLACE', 'REPLACE'), ':1\r\n');
  assert.equal(await r('COPY', 'mykey', 'y', 'DB', '1', 'DB', '2'), ':1\r\n');
  await r('SELECT', '2');
  assert.equal(await r('EXISTS', 'y'), ':1\r\n', 'the last DB option wins');
  await r('SELECT', '0');
  assert.equal(await r('COPY', 'nokey', 'z'), ':0\r\n');
});

test('SWAPDB', async () => {
  await r('FLUSHALL');
  await r('SET', 'a', 'in0');
  await r('SELECT', '1');
  await r('SET', 'b', 'in1');
  await r('SELECT', '0');
  assert.equal(await r('SWAPDB', '0', '1'), '+OK\r\n');
  assert.equal(await r('GET', 'b'), '$3\r\nin1\r\n');
  assert.equal(await r('EXISTS', 'a'), ':0\r\n');
  assert.equal(await r('SWAPDB', '0', '0'), '+OK\r\n');
  assert.equal(await r('SWAPDB', 'x', '0'), '-ERR invalid first DB index\r\n');
  assert.equal(await r('SWAPDB', '0', 'x'), '-ERR invalid second DB index\r\n');
  assert.equal(await r('SWAPDB', '0', '99999999999'), '-ERR invalid second DB index\r\n');
  assert.equal(await r('SWAPDB', '0', '16'), '-ERR DB index is out of range\r\n');
  assert.equal(await r('SWAPDB', '-1', '0'), '-ERR DB index is out of range\r\n');
});

test('FLUSHDB and FLUSHALL with SYNC/ASYNC', async () => {
  await r('FLUSHALL');
  await r('SET', 'a', '1');
  await r('SELECT', '1');
  await r('SET', 'b', '1');
  assert.equal(await r('FLUSHDB', 'sync'), '+OK\r\n');
  assert.equal(await r('DBSIZE'), ':0\r\n');
  await r('SELECT', '0');
  assert.equal(await r('DBSIZE'), ':1\r\n');
  assert.equal(await r('FLUSHALL', 'ASYNC'), '+OK\r\n');
  assert.equal(await r('DBSIZE'), ':0\r\n');
  assert.equal(await r('FLUSHALL', 'foo'), '-ERR syntax error\r\n');
  assert.equal(await r('FLUSHALL', 'sync', 'async'), '-ERR syntax error\r\n');
  assert.equal(await r('FLUSHDB', 'now'), '-ERR syntax error\r\n');
});

test('RANDOMKEY', async () => {
  await r('FLUSHALL');
  assert.equal(await r('RANDOMKEY'), '$-1\r\n');
  await r('SET', 'x', '10');
  await r('DEL', 'x');
  assert.equal(await r('RANDOMKEY'), '$-1\r\n');
  await r('SET', 'foo', 'x');
  await r('SET', 'bar', 'y');
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) seen.add(await r('RANDOMKEY'));
  assert.deepEqual([...seen].sort(), ['$3\r\nbar\r\n', '$3\r\nfoo\r\n']);
});

test('OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ, HELP and errors', async () => {
  await r('FLUSHALL');
  await r('SET', 'int', '12345');
  await r('SET', 'shared', '42');
  await r('SET', 'emb', 'hello');
  await r('SET', 'raw', 'x'.repeat(45));
  assert.equal(await r('OBJECT', 'ENCODING', 'int'), '$3\r\nint\r\n');
  assert.equal(await r('OBJECT', 'encoding', 'emb'), '$6\r\nembstr\r\n');
  assert.equal(await r('OBJECT', 'ENCODING', 'raw'), '$3\r\nraw\r\n');
  assert.equal(await r('OBJECT', 'ENCODING', 'nokey'), '$-1\r\n');
  assert.equal(await r('OBJECT', 'REFCOUNT', 'shared'), ':2147483647\r\n');
  assert.equal(await r('OBJECT', 'REFCOUNT', 'int'), ':1\r\n');
  assert.equal(await r('OBJECT', 'REFCOUNT', 'nokey'), '$-1\r\n');
  assert.equal(await r('OBJECT', 'IDLETIME', 'emb'), ':0\r\n');
  assert.equal(await r('OBJECT', 'FREQ', 'emb'),
    '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n');
  assert.equal(await r('OBJECT'), "-ERR wrong number of arguments for 'object' command\r\n");
  assert.equal(await r('OBJECT', 'foo'), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
  assert.equal(await r('OBJECT', 'REFCOUNT'), "-ERR wrong number of arguments for 'object|refcount' command\r\n");
  const help = await r('OBJECT', 'HELP');
  assert.ok(help.startsWith('*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n'));
  assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
});

test('OBJECT FREQ with an LFU policy', async () => {
  const lfu = await startNodis(['--maxmemory-policy', 'allkeys-lfu']);
  const client = new Redis({ port: lfu.port, lazyConnect: true, enableReadyCheck: false });
  try {
    await client.connect();
    await client.set('k', 'v');
    assert.equal(await client.call('OBJECT', 'FREQ', 'k'), 5);
    await assert.rejects(client.call('OBJECT', 'IDLETIME', 'k'), /An LFU maxmemory policy is selected, idle time not tracked/);
  } finally {
    client.disconnect();
    await lfu.stop();
  }
});

test('RESP3 null replies', async () => {
  const c3 = await RawConnection.connect(srv.port);
  c3.write(resp('HELLO', '3'));
  await c3.readUntil((d) => d.includes('modules'));
  await c3.read(0);
  await r('FLUSHALL');
  c3.write(resp('OBJECT', 'ENCODING', 'nokey') + resp('RANDOMKEY'));
  const got = await c3.readUntil((d) => d.length >= 6);
  assert.equal(got, '_\r\n_\r\n');
  c3.close();
});
