/*
 * COMMAND and its subcommands over the wire: exact replies (RESP2 and
 * RESP3) for the shapes Redis 7.0.15 produces, and the error strings of
 * COMMAND GETKEYS.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let redis: Redis;

before(async () => {
  srv = await startNodis();
  redis = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await redis.connect();
});
after(async () => {
  redis.disconnect();
  await srv.stop();
});

const GET_INFO_RESP2 =
  '*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n' +
  '*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n' +
  '$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n';

const GET_INFO_RESP3 =
  '*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n' +
  '~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n' +
  '$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n';

test('COMMAND INFO replies byte for byte as Redis, in RESP2 and RESP3', async () => {
  const c = await RawConnection.connect(srv.port);
  const want2 = `*2\r\n${GET_INFO_RESP2}$-1\r\n`;
  c.write(resp('COMMAND', 'INFO', 'get', 'get|key'));
  assert.equal(await c.readUntil((d) => d.length >= want2.length), want2);
  await c.read(0);
  c.write(resp('HELLO', '3'));
  await c.readUntil((d) => d.includes('modules'));
  await c.read(0);
  const want3 = `*2\r\n${GET_INFO_RESP3}_\r\n`;
  c.write(resp('COMMAND', 'INFO', 'GET', 'nosuch'));
  assert.equal(await c.readUntil((d) => d.length >= want3.length), want3);
  c.close();
});

test('COMMAND GETKEYS and GETKEYSANDFLAGS', async () => {
  assert.deepEqual(await redis.call('command', 'getkeys', 'get', 'key'), ['key']);
  assert.deepEqual(await redis.call('command', 'getkeys', 'memory', 'usage', 'key'), ['key']);
  assert.deepEqual(await redis.call('command', 'getkeysandflags', 'set', 'k1', 'v1'), [['k1', ['OW', 'update']]]);
  assert.deepEqual(await redis.call('command', 'getkeysandflags', 'set', 'k1', 'v1', 'get'), [['k1', ['RW', 'access', 'update']]]);
  await assert.rejects(redis.call('command', 'getkeys', 'nosuchcmd', 'x'), /^ReplyError: ERR Invalid command specified$/);
  await assert.rejects(redis.call('command', 'getkeys', 'get', 'a', 'b'), /^ReplyError: ERR Invalid number of arguments specified for command$/);
  await assert.rejects(redis.call('command', 'getkeys', 'ping', 'x'), /^ReplyError: ERR The command has no key arguments$/);
  await assert.rejects(redis.call('command', 'getkeys', 'memory', 'nosub', 'x'), /^ReplyError: ERR Invalid command specified$/);
  await assert.rejects(redis.call('command', 'getkeys'), /^ReplyError: ERR wrong number of arguments for 'command\|getkeys' command$/);
});

test('COMMAND DOCS: maps with Redis\'s field names', async () => {
  const c = await RawConnection.connect(srv.port);
  c.write(resp('COMMAND', 'DOCS', 'memory|usage', 'nosuch'));
  const r = await c.readUntil((d) => d.includes('+optional\r\n'));
  assert.ok(r.startsWith('*2\r\n$12\r\nmemory|usage\r\n*10\r\n$7\r\nsummary\r\n'), r);
  assert.ok(r.includes('$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$38\r\nO(N) where N is the number of samples.\r\n$9\r\narguments\r\n*2\r\n' +
    '*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n' +
    '*8\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$7\r\nSAMPLES\r\n$5\r\nflags\r\n*1\r\n+optional\r\n'), r);
  c.close();
  const docs = (await redis.call('command', 'docs', 'memory')) as unknown[];
  assert.equal(docs[0], 'memory');
  const m = docs[1] as unknown[];
  assert.deepEqual(m.filter((_, i) => i % 2 === 0), ['summary', 'since', 'group', 'complexity', 'subcommands']);
});

test('COMMAND, COMMAND COUNT, COMMAND LIST, COMMAND HELP', async () => {
  const all = (await redis.call('command')) as unknown[][];
  const count = (await redis.call('command', 'count')) as number;
  assert.equal(all.length, count);
  assert.ok(all.some((e) => e[0] === 'command'));
  const list = (await redis.call('command', 'list')) as string[];
  assert.ok(list.includes('command|getkeys') && list.includes('info'));
  assert.deepEqual(await redis.call('command', 'list', 'filterby', 'pattern', 'command|getkey*'), ['command|getkeys', 'command|getkeysandflags']);
  assert.deepEqual(await redis.call('command', 'list', 'filterby', 'aclcat', 'nonexisting'), []);
  await assert.rejects(redis.call('command', 'list', 'bad_arg'), /ERR syntax error/);
  await assert.rejects(redis.call('command', 'list', 'filterby', 'bad_arg', 'x'), /ERR syntax error/);
  const help = (await redis.call('command', 'help')) as string[];
  assert.equal(help[0], 'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.equal(help[help.length - 1], '    Prints this help.');
  await assert.rejects(redis.call('command', 'foo'), /^ReplyError: ERR unknown subcommand 'foo'. Try COMMAND HELP.$/);
});

test('TIME, LASTSAVE', async () => {
  const [sec, usec] = (await redis.call('time')) as string[];
  assert.ok(Math.abs(Number(sec) - Date.now() / 1000) < 5);
  assert.match(usec, /^\d{1,6}$/);
  const last = (await redis.call('lastsave')) as number;
  assert.ok(last <= Date.now() / 1000 + 1 && last > Date.now() / 1000 - 3600);
  await assert.rejects(redis.call('time', 'x'), /wrong number of arguments for 'time' command/);
});

test('MEMORY USAGE, STATS, DOCTOR, HELP, MALLOC-STATS, PURGE', async () => {
  await redis.set('mk', 'hello');
  const u = (await redis.call('memory', 'usage', 'mk')) as number;
  assert.ok(u > 5 && u < 200, String(u));
  assert.equal(await redis.call('memory', 'usage', 'nokey'), null);
  await assert.rejects(redis.call('memory', 'usage', 'mk', 'samples', '-1'), /ERR syntax error/);
  await assert.rejects(redis.call('memory', 'usage', 'mk', 'foo'), /ERR syntax error/);
  const stats = (await redis.call('memory', 'stats')) as unknown[];
  const keys = stats.filter((_, i) => i % 2 === 0);
  assert.deepEqual(keys.slice(0, 10), ['peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog', 'clients.slaves', 'clients.normal', 'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches']);
  assert.ok(keys.includes('db.0'));
  assert.equal(keys[keys.length - 1], 'fragmentation.bytes');
  assert.equal(typeof (await redis.call('memory', 'doctor')), 'string');
  assert.equal(await redis.call('memory', 'malloc-stats'), 'Stats not supported for the current allocator');
  assert.equal(await redis.call('memory', 'purge'), 'OK');
  const help = (await redis.call('memory', 'help')) as string[];
  assert.equal(help.length, 14);
});

test('COMMAND DOCS for every command answers (redis-cli sends it at startup)', async () => {
  const c = await RawConnection.connect(srv.port);
  c.write(resp('COMMAND', 'DOCS') + resp('PING'));
  const all = await c.readUntil((d) => d.endsWith('+PONG\r\n'), 10000);
  assert.ok(all.startsWith('*') && all.endsWith('+PONG\r\n'), 'the server answered DOCS then PING');
  c.close();
});
