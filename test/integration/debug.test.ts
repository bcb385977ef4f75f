/*
 * DEBUG: refused unless enable-debug-command allows it; DEBUG PROTOCOL's
 * replies in RESP2 and RESP3 (byte for byte as Redis 7.0.15); DIGEST and
 * DIGEST-VALUE equal to Redis's for the same data; SLEEP blocks the server;
 * OBJECT's line; the knobs; subcommand errors.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let redis: Redis;

before(async () => {
  srv = await startNodis(['--enable-debug-command', 'yes']);
  redis = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await redis.connect();
});
after(async () => {
  redis.disconnect();
  await srv.stop();
});

async function exchange(c: RawConnection, args: string[], want: string): Promise<string> {
  await c.read(0);
  c.write(resp(...args));
  const got = await c.readUntil((d) => d.length >= want.length, 3000);
  await c.read(0);
  return got;
}

test('DEBUG is refused when enable-debug-command is no', async () => {
  const other = await startNodis();
  try {
    const c = await RawConnection.connect(other.port);
    assert.equal(await c.request(resp('DEBUG', 'LOG', 'x')),
      '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n');
    c.close();
  } finally {
    await other.stop();
  }
});

test('DEBUG PROTOCOL in RESP2', async () => {
  const c = await RawConnection.connect(srv.port);
  const cases: [string, string][] = [
    ['string', '$11\r\nHello World\r\n'],
    ['integer', ':12345\r\n'],
    ['double', '$5\r\n3.141\r\n'],
    ['bignum', '$37\r\n1234567999999999999999999999999999999\r\n'],
    ['null', '$-1\r\n'],
    ['array', '*3\r\n:0\r\n:1\r\n:2\r\n'],
    ['set', '*3\r\n:0\r\n:1\r\n:2\r\n'],
    ['map', '*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n'],
    ['attrib', '$39\r\nSome real reply following the attribute\r\n'],
    ['push', '-ERR RESP2 is not supported by this command\r\n'],
    ['verbatim', '$25\r\nThis is a verbatim\nstring\r\n'],
    ['true', ':1\r\n'],
    ['false', ':0\r\n'],
    ['nope', '-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n'],
  ];
  for (const [type, want] of cases) assert.equal(await exchange(c, ['DEBUG', 'PROTOCOL', type], want), want, type);
  c.close();
});

test('DEBUG PROTOCOL in RESP3', async () => {
  const c = await RawConnection.connect(srv.port);
  c.write(resp('HELLO', '3'));
  await c.readUntil((d) => d.includes('modules'));
  const cases: [string, string][] = [
    ['double', ',3.141\r\n'],
    ['bignum', '(1234567999999999999999999999999999999\r\n'],
    ['null', '_\r\n'],
    ['set', '~3\r\n:0\r\n:1\r\n:2\r\n'],
    ['map', '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n'],
    ['attrib', '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n'],
    ['push', '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n'],
    ['verbatim', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
    ['true', '#t\r\n'],
    ['false', '#f\r\n'],
  ];
  for (const [type, want] of cases) assert.equal(await exchange(c, ['DEBUG', 'PROTOCOL', type], want), want, type);
  c.close();
});

test('DEBUG DIGEST-VALUE and DIGEST equal Redis 7.0.15 for the same strings', async () => {
  await redis.flushall();
  assert.equal(await redis.call('debug', 'digest'), '0000000000000000000000000000000000000000');
  await redis.set('foo', 'bar');
  await redis.set('n', '123');
  await redis.set('e', 'hello');
  await redis.set('bin', Buffer.from([0x61, 0xff, 0x62]));
  // reference values computed by redis-server 7.0.15
  assert.deepEqual(await redis.call('debug', 'digest-value', 'foo', 'n', 'e', 'bin', 'nokey'), [
    '68467c70ae30376e7ce005bcc8827f5ba7fd67dc',
    '89f7f51b707418f666d5b45e053bd5bbbf82ac2b',
    '36b23a1456b2dce2c3ed252c456761301dba8060',
    'ea085a96e0fdccc702c57d033b619e767a0aa3ec',
    '0000000000000000000000000000000000000000',
  ]);
  assert.equal(await redis.call('debug', 'digest'), '3fb7de92ba9de74171e26f524d02a6b4a42b471a');
  await redis.select(1);
  await redis.set('x', 'y');
  await redis.select(0);
  assert.equal(await redis.call('debug', 'digest'), '0e91289a01cada3740153b5522843ab076a44b29');
  assert.deepEqual(await redis.call('debug', 'digest-value'), []);
  await redis.flushall();
});

test('DEBUG DIGEST-VALUE mixes in the TTL as Redis does', async (t) => {
  try {
    await redis.call('pttl', 'x');
  } catch {
    t.skip('PTTL/SET EX not available in this build');
    return;
  }
  await redis.set('e', 'hello', 'EX', 1000);
  assert.deepEqual(await redis.call('debug', 'digest-value', 'e'), ['d037c4eb8a8b36b602fbced4000daeab0714c1e3']);
  await redis.del('e');
});

test('DEBUG SLEEP blocks the whole server for fractional seconds', async () => {
  const other = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await other.connect();
  const t0 = Date.now();
  const sleeping = redis.call('debug', 'sleep', '0.2');
  await new Promise((r) => setTimeout(r, 20));
  const pong = await other.ping();
  const tPing = Date.now() - t0;
  assert.equal(await sleeping, 'OK');
  assert.equal(pong, 'PONG');
  assert.ok(tPing >= 190, `PING answered after ${tPing} ms`);
  assert.equal(await redis.call('debug', 'sleep', '0'), 'OK');
  other.disconnect();
});

test('DEBUG OBJECT, SDSLEN, LISTPACK, QUICKLIST on strings', async () => {
  await redis.set('foo', 'bar');
  await redis.set('n', '123');
  assert.match((await redis.call('debug', 'object', 'foo')) as string,
    /^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 lru:\d+ lru_seconds_idle:\d+$/);
  assert.match((await redis.call('debug', 'object', 'n')) as string, /refcount:2147483647 encoding:int serializedlength:2 /);
  await assert.rejects(redis.call('debug', 'object', 'nokey'), /^ReplyError: ERR no such key$/);
  assert.equal(await redis.call('debug', 'sdslen', 'foo'), 'key_sds_len:3, key_sds_avail:0, key_zmalloc: 8, val_sds_len:3, val_sds_avail:0, val_zmalloc: 16');
  await assert.rejects(redis.call('debug', 'sdslen', 'n'), /ERR Not an sds encoded string\./);
  await assert.rejects(redis.call('debug', 'listpack', 'foo'), /^ReplyError: ERR Not a listpack encoded object\.$/);
  await assert.rejects(redis.call('debug', 'quicklist', 'foo'), /^ReplyError: ERR Not a quicklist encoded object\.$/);
  await assert.rejects(redis.call('debug', 'listpack', 'nokey'), /^ReplyError: ERR no such key$/);
});

test('DEBUG knobs and small subcommands', async () => {
  assert.equal(await redis.call('debug', 'set-active-expire', '0'), 'OK');
  assert.equal(await redis.call('debug', 'set-active-expire', '1'), 'OK');
  assert.equal(await redis.call('debug', 'pause-cron', '0'), 'OK');
  assert.equal(await redis.call('debug', 'set-disable-deny-scripts', '0'), 'OK');
  assert.equal(await redis.call('debug', 'quicklist-packed-threshold', '100'), 'OK');
  await assert.rejects(redis.call('debug', 'quicklist-packed-threshold', '100x'), /argument must be a memory value bigger than 1 and smaller than 4gb/);
  assert.equal(await redis.call('debug', 'quicklist-packed-threshold', '0'), 'OK');
  assert.equal(await redis.call('debug', 'log', 'hello from the test'), 'OK');
  assert.equal(await redis.call('debug', 'replybuffer', 'peak-reset-time', 'never'), 'OK');
  assert.equal(await redis.call('debug', 'replybuffer', 'resizing', '1'), 'OK');
  assert.equal(await redis.call('debug', 'stringmatch-test'), 'Apparently Redis did not crash: test passed');
  const before = ((await redis.info('replication')) as string).match(/master_replid:(\w+)/)?.[1];
  assert.equal(await redis.call('debug', 'change-repl-id'), 'OK');
  const after2 = ((await redis.info('replication')) as string).match(/master_replid:(\w+)/)?.[1];
  assert.notEqual(before, after2);
  await assert.rejects(redis.call('debug', 'error', 'CUSTOM my error'), /^ReplyError: CUSTOM my error$/);
  await assert.rejects(redis.call('debug', 'jmap'), /^ReplyError: ERR unknown subcommand or wrong number of arguments for 'jmap'. Try DEBUG HELP.$/);
  await assert.rejects(redis.call('debug', 'log'), /unknown subcommand or wrong number of arguments for 'log'/);
  await assert.rejects(redis.call('debug', 'client-eviction'), /ERR maxmemory-clients is disabled\./);
  await assert.rejects(redis.call('debug', 'reload', 'bogus'), /ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options\./);
  assert.equal(await redis.call('debug', 'reload'), 'OK');
  const help = (await redis.call('debug', 'help')) as string[];
  assert.equal(help[0], 'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.equal(await redis.call('debug', 'populate', '3', 'pk'), 'OK');
  assert.equal(await redis.get('pk:2'), 'value:2');
  assert.equal(await redis.call('debug', 'populate', '1', 'sz', '10'), 'OK');
  assert.equal(await redis.get('sz:0'), 'value:0\0\0\0');
  await new Promise((r) => setTimeout(r, 100));
  assert.match(srv.output(), /DEBUG LOG: hello from the test/);
});

test('DEBUG SLEEP is measured in latencystats and commandstats', async () => {
  await redis.call('debug', 'sleep', '0.05');
  const ls = (await redis.info('latencystats')) as string;
  // the slowest calls (p99.9) include the sleeps; faster DEBUG calls came before
  const top = Number(/latency_percentiles_usec_debug:p50=[\d.]+,p99=[\d.]+,p99\.9=([\d.]+)/.exec(ls)?.[1]);
  assert.ok(top >= 50000, ls);
});
