/*
 * String commands over TCP: exact RESP2/RESP3 replies and errors, checked
 * against what redis-server 7.0.15 answers for the same requests.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

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

/** Send one command, wait for `expected`'s length of reply, compare exactly. */
async function expect(args: string[], expected: string): Promise<void> {
  const got = await c.request(resp(...args), expected);
  assert.equal(got, expected, args.join(' '));
}

const SYNTAX = '-ERR syntax error\r\n';
const NOTINT = '-ERR value is not an integer or out of range\r\n';

test('SET options and their validation', async () => {
  await expect(['SET', 'k', 'v'], '+OK\r\n');
  await expect(['GET', 'k'], '$1\r\nv\r\n');
  await expect(['SET', 'k', 'v', 'EX', '10', 'PX', '10'], SYNTAX);
  await expect(['SET', 'k', 'v', 'EX', '10', 'EX', '20'], '+OK\r\n');
  await expect(['TTL', 'k'], ':20\r\n');
  await expect(['SET', 'k', 'v', 'NX', 'XX'], SYNTAX);
  await expect(['SET', 'k', 'v', 'KEEPTTL', 'EX', '1'], SYNTAX);
  await expect(['SET', 'k', 'v', 'EX'], SYNTAX);
  await expect(['SET', 'k', 'v', 'PERSIST'], SYNTAX);
  await expect(['SET', 'k', 'v', 'EX', 'abc'], NOTINT);
  for (const bad of [['EX', '0'], ['EX', '-5'], ['EX', '10000000000000000'], ['EX', '-9999999999999999'],
    ['PX', '9223372036854775807'], ['EXAT', '9223372036854776'], ['EXAT', '0'], ['PXAT', '0']]) {
    await expect(['SET', 'k', 'v', ...bad], "-ERR invalid expire time in 'set' command\r\n");
  }
  await expect(['SET', 'k', 'v', 'PXAT', '9223372036854775807'], '+OK\r\n');
  await expect(['SET', 'k', 'v', 'EXAT', '9223372036854775'], '+OK\r\n');
  await expect(['SET', 'k', 'v2', 'GET', 'KEEPTTL'], '$1\r\nv\r\n');
  await expect(['PEXPIRETIME', 'k'], ':9223372036854775000\r\n');
  await expect(['SET', 'k2', 'v', 'GET'], '$-1\r\n');
  await expect(['SET', 'k2', 'x', 'GET', 'NX'], '$1\r\nv\r\n');
  await expect(['GET', 'k2'], '$1\r\nv\r\n');
  await expect(['SET', 'k3', 'x', 'GET', 'XX'], '$-1\r\n');
  await expect(['SET', 'k3', 'x', 'XX'], '$-1\r\n');
  await expect(['SET', 'k3', 'x', 'NX'], '+OK\r\n');
  await expect(['SET', 'k3', 'x', 'nx', 'nx'], '$-1\r\n');
  await expect(['SET', 'k3', 'y', 'xx', 'get', 'px', '100000'], '$1\r\nx\r\n');
  await expect(['SET', 'k', 'v', 'EX', '100'], '+OK\r\n');
  await expect(['SET', 'k', 'v'], '+OK\r\n');
  await expect(['TTL', 'k'], ':-1\r\n');
});

test('SETNX, SETEX, PSETEX', async () => {
  await expect(['SETNX', 'n1', 'a'], ':1\r\n');
  await expect(['SETNX', 'n1', 'b'], ':0\r\n');
  await expect(['SETEX', 'se', '0', 'v'], "-ERR invalid expire time in 'setex' command\r\n");
  await expect(['SETEX', 'se', 'x', 'v'], NOTINT);
  await expect(['SETEX', 'se', '10', 'v'], '+OK\r\n');
  await expect(['TTL', 'se'], ':10\r\n');
  await expect(['PSETEX', 'pse', '-1', 'v'], "-ERR invalid expire time in 'psetex' command\r\n");
  await expect(['PSETEX', 'pse', '10000', 'v'], '+OK\r\n');
  await expect(['TTL', 'pse'], ':10\r\n');
});

test('GETEX, GETDEL, GETSET', async () => {
  await expect(['GETEX', 'nokey', 'EX', '0'], '$-1\r\n');
  await expect(['SET', 'g', 'v'], '+OK\r\n');
  await expect(['GETEX', 'g', 'NX'], SYNTAX);
  await expect(['GETEX', 'g', 'KEEPTTL'], SYNTAX);
  await expect(['GETEX', 'g', 'GET'], SYNTAX);
  await expect(['GETEX', 'g', 'PERSIST', 'EX', '10'], SYNTAX);
  await expect(['GETEX', 'g', 'EX', '0'], "-ERR invalid expire time in 'getex' command\r\n");
  await expect(['GETEX', 'g', 'EX', '10'], '$1\r\nv\r\n');
  await expect(['TTL', 'g'], ':10\r\n');
  await expect(['GETEX', 'g', 'PERSIST'], '$1\r\nv\r\n');
  await expect(['TTL', 'g'], ':-1\r\n');
  await expect(['GETEX', 'g', 'PX', '100000', 'PX', '200000'], '$1\r\nv\r\n');
  await expect(['TTL', 'g'], ':200\r\n');
  await expect(['GETEX', 'g', 'EXAT', '1'], '$1\r\nv\r\n');
  await expect(['GET', 'g'], '$-1\r\n');
  await expect(['GETEX'], "-ERR wrong number of arguments for 'getex' command\r\n");
  await expect(['SET', 'gd', 'bar'], '+OK\r\n');
  await expect(['GETDEL', 'gd'], '$3\r\nbar\r\n');
  await expect(['GETDEL', 'gd'], '$-1\r\n');
  await expect(['GETSET', 'gs', '1'], '$-1\r\n');
  await expect(['GETSET', 'gs', '2'], '$1\r\n1\r\n');
  await expect(['GET', 'gs'], '$1\r\n2\r\n');
});

test('MGET, MSET, MSETNX', async () => {
  await expect(['MSET', 'a', '1', 'b', '2'], '+OK\r\n');
  await expect(['MGET', 'a', 'b', 'nokey'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n');
  await expect(['MSET', 'a'], "-ERR wrong number of arguments for 'mset' command\r\n");
  await expect(['MSET', 'a', '1', 'b'], "-ERR wrong number of arguments for 'mset' command\r\n");
  await expect(['MSETNX', 'a', '1', 'b'], "-ERR wrong number of arguments for 'msetnx' command\r\n");
  await expect(['MSETNX', 'a', '1', 'zz', '2'], ':0\r\n');
  await expect(['GET', 'zz'], '$-1\r\n');
  await expect(['MSETNX', 'y1', '1', 'zz', '2'], ':1\r\n');
  await expect(['MSETNX', 'q', '1', 'q', '2'], ':1\r\n');
  await expect(['GET', 'q'], '$1\r\n2\r\n');
});

test('INCR family: 64-bit bounds and errors', async () => {
  await expect(['INCR', 'i'], ':1\r\n');
  await expect(['DECR', 'i'], ':0\r\n');
  await expect(['DECR', 'i'], ':-1\r\n');
  await expect(['INCRBY', 'i', '100'], ':99\r\n');
  await expect(['DECRBY', 'i', '-50'], ':149\r\n');
  await expect(['DECRBY', 'i', '-9223372036854775808'], '-ERR decrement would overflow\r\n');
  await expect(['SET', 'i', '9223372036854775807'], '+OK\r\n');
  await expect(['INCR', 'i'], '-ERR increment or decrement would overflow\r\n');
  await expect(['DECR', 'i'], ':9223372036854775806\r\n');
  await expect(['SET', 'i', '-9223372036854775808'], '+OK\r\n');
  await expect(['DECR', 'i'], '-ERR increment or decrement would overflow\r\n');
  await expect(['INCRBY', 'i', '9223372036854775807'], ':-1\r\n');
  await expect(['SET', 'i', '9007199254740991'], '+OK\r\n');
  await expect(['INCR', 'i'], ':9007199254740992\r\n');
  await expect(['INCR', 'i'], ':9007199254740993\r\n');
  await expect(['INCRBY', 'i', '-18014398509481984'], ':-9007199254740991\r\n');
  await expect(['INCRBY', 'i', 'abc'], NOTINT);
  await expect(['INCRBY', 'i2', '9223372036854775808'], NOTINT);
  await expect(['DECRBY', 'i2', '9223372036854775807'], ':-9223372036854775807\r\n');
  await expect(['DECR', 'i2'], ':-9223372036854775808\r\n');
  await expect(['DECR', 'i2'], '-ERR increment or decrement would overflow\r\n');
  for (const bad of [' 1', '1 ', '01', '-0', '1.5', '99999999999999999999', '']) {
    await expect(['SET', 'i', bad], '+OK\r\n');
    await expect(['INCR', 'i'], NOTINT);
  }
  await expect(['SET', 'i', '17179869184'], '+OK\r\n');
  await expect(['INCRBY', 'i', '17179869184'], ':34359738368\r\n');
});

test('INCRBYFLOAT', async () => {
  await expect(['SET', 'f', '1.1'], '+OK\r\n');
  await expect(['INCRBYFLOAT', 'f', '0.1'], '$3\r\n1.2\r\n');
  await expect(['INCRBYFLOAT', 'f', 'abc'], '-ERR value is not a valid float\r\n');
  await expect(['INCRBYFLOAT', 'f', '+inf'], '-ERR increment would produce NaN or Infinity\r\n');
  await expect(['SET', 'f', ' 1'], '+OK\r\n');
  await expect(['INCRBYFLOAT', 'f', '1'], '-ERR value is not a valid float\r\n');
  await expect(['SET', 'f', '1\x002'], '+OK\r\n');
  await expect(['INCRBYFLOAT', 'f', '1'], '-ERR value is not a valid float\r\n');
  await expect(['INCRBYFLOAT', 'f2', '-0.0'], '$1\r\n0\r\n');
  await expect(['INCRBYFLOAT', 'f3', '10000000000.1'], '$29\r\n10000000000.09999999962747097\r\n');
  await expect(['SET', 'f', '17179869184'], '+OK\r\n');
  await expect(['INCRBYFLOAT', 'f', '1.5'], '$13\r\n17179869185.5\r\n');
  await expect(['SET', 'f', '0.024390243902439025'], '+OK\r\n');
  await expect(['INCRBYFLOAT', 'f', '-0.024390243902439025'], '$1\r\n0\r\n');
});

test('APPEND, STRLEN, SETRANGE, GETRANGE, SUBSTR', async () => {
  await expect(['APPEND', 'ap', '123'], ':3\r\n');
  await expect(['APPEND', 'ap', '4'], ':4\r\n');
  await expect(['APPEND', 'ap', ''], ':4\r\n');
  await expect(['GET', 'ap'], '$4\r\n1234\r\n');
  await expect(['STRLEN', 'ap'], ':4\r\n');
  await expect(['STRLEN', 'nokey'], ':0\r\n');
  await expect(['SET', 'sr', 'Hello World'], '+OK\r\n');
  await expect(['SETRANGE', 'sr', '6', 'Redis'], ':11\r\n');
  await expect(['GET', 'sr'], '$11\r\nHello Redis\r\n');
  await expect(['SETRANGE', 'sr', '13', '!'], ':14\r\n');
  await expect(['GET', 'sr'], '$14\r\nHello Redis\x00\x00!\r\n');
  await expect(['SETRANGE', 'sr', '-1', 'x'], '-ERR offset is out of range\r\n');
  await expect(['SETRANGE', 'sr', 'x', 'x'], NOTINT);
  await expect(['SETRANGE', 'nosr', '5', ''], ':0\r\n');
  await expect(['GET', 'nosr'], '$-1\r\n');
  await expect(['SETRANGE', 'sr', '536870911', 'ab'], '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
  await expect(['SETRANGE', 'sr', '9223372036854775807', 'A'], '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
  await expect(['SET', 'gr', 'This is a string'], '+OK\r\n');
  await expect(['GETRANGE', 'gr', '0', '3'], '$4\r\nThis\r\n');
  await expect(['GETRANGE', 'gr', '-3', '-1'], '$3\r\ning\r\n');
  await expect(['GETRANGE', 'gr', '0', '-1'], '$16\r\nThis is a string\r\n');
  await expect(['GETRANGE', 'gr', '10', '100'], '$6\r\nstring\r\n');
  await expect(['GETRANGE', 'gr', '-1', '-5'], '$0\r\n\r\n');
  await expect(['GETRANGE', 'gr', '5', '3'], '$0\r\n\r\n');
  await expect(['GETRANGE', 'gr', '-100', '-90'], '$1\r\nT\r\n');
  await expect(['GETRANGE', 'gr', '0', '4294967297'], '$16\r\nThis is a string\r\n');
  await expect(['GETRANGE', 'nokey', '0', '1'], '$0\r\n\r\n');
  await expect(['GETRANGE', 'gr', 'a', '1'], NOTINT);
  await expect(['SUBSTR', 'gr', '0', '3'], '$4\r\nThis\r\n');
  await expect(['SETRANGE', 'ap', '1', 'xy'], ':4\r\n');
  await expect(['GETRANGE', 'ap', '1', '2'], '$2\r\nxy\r\n');
});

test('LCS in RESP2 and RESP3', async () => {
  await expect(['MSET', 'la', 'ohmytext', 'lb', 'mynewtext'], '+OK\r\n');
  await expect(['LCS', 'la', 'lb'], '$6\r\nmytext\r\n');
  await expect(['LCS', 'la', 'lb', 'LEN'], ':6\r\n');
  await expect(['LCS', 'la', 'lb', 'IDX'],
    '*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n');
  await expect(['LCS', 'la', 'lb', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
    '*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n');
  await expect(['LCS', 'la', 'lb', 'IDX', 'LEN'], '-ERR If you want both the length and indexes, please just use IDX.\r\n');
  await expect(['LCS', 'la', 'lb', 'MINMATCHLEN'], SYNTAX);
  await expect(['LCS', 'la', 'lb', 'MINMATCHLEN', 'x'], NOTINT);
  await expect(['LCS', 'la', 'nokey'], '$0\r\n\r\n');
  await expect(['LCS', 'nokey', 'nokey2', 'IDX'], '*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n');
  const r3 = await RawConnection.connect(srv.port);
  await r3.request(resp('HELLO', '3'), '%7\r\n');
  await r3.readUntil((d) => d.includes('modules'));
  const got = await r3.request(resp('LCS', 'la', 'lb', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '4'),
    '%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n');
  assert.equal(got, '%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n');
  assert.equal(await r3.request(resp('GET', 'nokey')), '_\r\n');
  assert.equal(await r3.request(resp('SET', 'zzz', 'v', 'XX')), '_\r\n');
  r3.close();
});

test('wrong arity errors', async () => {
  const cases: [string[], string][] = [
    [['SET', 'a'], 'set'], [['GETDEL'], 'getdel'], [['GETDEL', 'a', 'b'], 'getdel'], [['MGET'], 'mget'],
    [['APPEND', 'a'], 'append'], [['GETRANGE', 'a', '1'], 'getrange'], [['SETRANGE', 'a', '1'], 'setrange'],
    [['INCRBYFLOAT', 'a'], 'incrbyfloat'], [['LCS', 'a'], 'lcs'], [['INCR', 'a', 'b'], 'incr'], [['SETNX', 'a'], 'setnx'],
  ];
  for (const [args, name] of cases) await expect(args, `-ERR wrong number of arguments for '${name}' command\r\n`);
});

test('binary-safe values through ioredis', async () => {
  const r = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  const bin = Buffer.from([0, 1, 2, 255, 254, 13, 10]);
  await r.set('bin', bin);
  assert.deepEqual(await r.getBuffer('bin'), bin);
  await r.append('bin', Buffer.from([0xff]));
  assert.deepEqual(await r.getBuffer('bin'), Buffer.concat([bin, Buffer.from([0xff])]));
  assert.deepEqual(await r.getrangeBuffer('bin', 3, 4), Buffer.from([255, 254]));
  const big = 'abcd'.repeat(1000000);
  await r.set('big', big);
  assert.equal(await r.get('big'), big);
  r.disconnect();
});
