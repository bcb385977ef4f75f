/*
 * An embedded server on a manual clock (startServer({ clock: 'manual' })):
 * TTLs count down, keys expire, blocked clients time out and CLIENT PAUSE
 * ends as srv.clock.advance(ms) moves time, without waiting for real time.
 * The default clock stays the real one.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startServer, ManualClock, realClock, type RunningServer } from '../../src/index';
import type { Clock } from '../../src/util/clock';

// no save points and a data file that does not exist: nothing loaded, nothing written
const CONFIG = { save: '', dbfilename: 'nodis-manual-clock-test-none.rdb' };

async function withServer<C extends Clock>(srv: RunningServer<C>, body: (redis: Redis) => Promise<void>): Promise<void> {
  const redis = new Redis({ port: srv.port, host: srv.host, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    await body(redis);
  } finally {
    redis.disconnect();
    await srv.close();
  }
}

/** Wait (real time, polling) until n clients are blocked: BLPOP & co. reached the server. */
async function blockedClients(srv: RunningServer, n: number): Promise<void> {
  const until = Date.now() + 2000;
  while (srv.server.blocking.blockedCount !== n) {
    if (Date.now() > until) throw new Error(`expected ${n} blocked clients, have ${srv.server.blocking.blockedCount}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('manual clock: TTL counts down and keys expire on advance()', async () => {
  const srv = await startServer({ clock: 'manual', config: CONFIG });
  assert.ok(srv.clock instanceof ManualClock);
  assert.equal(srv.server.clock, srv.clock);
  await withServer(srv, async (redis) => {
    assert.equal(await redis.set('k', 'v', 'EX', 10), 'OK');
    assert.equal(await redis.ttl('k'), 10);
    srv.clock.advance(3000);
    assert.equal(await redis.ttl('k'), 7);
    assert.equal(await redis.get('k'), 'v');
    srv.clock.advance(7000);
    assert.equal(await redis.get('k'), null);
    assert.equal(await redis.exists('k'), 0);
    assert.equal(await redis.ttl('k'), -2);
  });
});

test('manual clock: PEXPIRE to the millisecond', async () => {
  const srv = await startServer({ clock: 'manual', config: CONFIG });
  await withServer(srv, async (redis) => {
    await redis.set('p', 'v');
    assert.equal(await redis.pexpire('p', 1500), 1);
    assert.equal(await redis.pttl('p'), 1500);
    srv.clock.advance(499);
    assert.equal(await redis.pttl('p'), 1001);
    assert.equal(await redis.ttl('p'), 1);
    srv.clock.advance(1000);
    assert.equal(await redis.pttl('p'), 1);
    assert.equal(await redis.get('p'), 'v');
    srv.clock.advance(1);
    assert.equal(await redis.pttl('p'), -2);
    assert.equal(await redis.get('p'), null);
    // PEXPIREAT against the manual wall clock
    await redis.set('q', 'v');
    assert.equal(await redis.pexpireat('q', srv.clock.now() + 250), 1);
    assert.equal(await redis.pttl('q'), 250);
    assert.equal(await redis.pexpiretime('q'), srv.clock.now() + 250);
  });
});

test('manual clock: active expiry deletes keys nobody reads once the clock passed them', async () => {
  const srv = await startServer({ clock: 'manual', config: CONFIG });
  await withServer(srv, async (redis) => {
    for (let i = 0; i < 10; i++) await redis.set(`a${i}`, 'v', 'PX', 100);
    srv.clock.advance(100);
    // the cron runs at hz in real time and reads the manual clock: no key is read here
    const until = Date.now() + 3000;
    while (await redis.dbsize() !== 0) {
      assert.ok(Date.now() < until, 'active expiry did not run');
      await new Promise((r) => setTimeout(r, 20));
    }
    const info = await redis.info('stats');
    assert.match(info, /expired_keys:10\r\n/);
  });
});

test('manual clock: BLPOP with timeout 5 returns nil after advance(5000), in far less real time', async () => {
  const srv = await startServer({ clock: 'manual', config: CONFIG });
  const blocker = new Redis({ port: srv.port, host: srv.host, lazyConnect: true });
  await withServer(srv, async () => {
    await blocker.connect();
    const start = Date.now();
    let settled = false;
    const reply = blocker.blpop('list', 5).then((r) => {
      settled = true;
      return r;
    });
    await blockedClients(srv, 1);
    srv.clock.advance(4999);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false);
    srv.clock.advance(1);
    assert.equal(await reply, null);
    assert.ok(Date.now() - start < 2500, `took ${Date.now() - start} ms`);
    assert.equal(srv.server.blocking.blockedCount, 0);
    // the client goes on normally
    assert.equal(await blocker.ping(), 'PONG');
  }).finally(() => blocker.disconnect());
});

test('manual clock: XREAD BLOCK and WAIT time out on advance()', async () => {
  const srv = await startServer({ clock: 'manual', config: CONFIG });
  const blocker = new Redis({ port: srv.port, host: srv.host, lazyConnect: true });
  await withServer(srv, async () => {
    await blocker.connect();
    const start = Date.now();
    const xread = blocker.xread('BLOCK', 3000, 'STREAMS', 's', '$');
    await blockedClients(srv, 1);
    srv.clock.advance(3000);
    assert.equal(await xread, null);
    const wait = blocker.wait(1, 4000);
    await blockedClients(srv, 1);
    srv.clock.advance(4000);
    assert.equal(await wait, 0);
    assert.ok(Date.now() - start < 2500, `took ${Date.now() - start} ms`);
  }).finally(() => blocker.disconnect());
});

test('manual clock: CLIENT PAUSE ends on advance()', async () => {
  const srv = await startServer({ clock: 'manual', config: CONFIG });
  const writer = new Redis({ port: srv.port, host: srv.host, lazyConnect: true });
  await withServer(srv, async (redis) => {
    await writer.connect();
    assert.equal(await redis.client('PAUSE', 10000, 'WRITE'), 'OK');
    let done = false;
    const set = writer.set('paused', '1').then((r) => {
      done = true;
      return r;
    });
    // reads go on, the write is held
    assert.equal(await redis.get('paused'), null);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, false);
    srv.clock.advance(10000);
    assert.equal(await set, 'OK');
    assert.equal(await redis.get('paused'), '1');
  }).finally(() => writer.disconnect());
});

test('manual clock: TIME, LASTSAVE and uptime follow the clock object the server is given', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = await startServer({ clock, config: CONFIG });
  assert.equal(srv.clock, clock);
  await withServer(srv, async (redis) => {
    assert.deepEqual(await redis.time(), ['1700000000', '0']);
    assert.equal(await redis.lastsave(), 1_700_000_000);
    clock.advance(3_600_000.25);
    assert.deepEqual(await redis.time(), ['1700003600', '250']);
    const info = await redis.info('server');
    assert.match(info, /uptime_in_seconds:3600\r\n/);
    assert.match(info, /server_time_usec:1700003600000250\r\n/);
    // OBJECT IDLETIME reads the LRU clock, from the same clock
    await redis.set('idle', 'v');
    clock.advance(20_000);
    assert.equal(await redis.object('IDLETIME', 'idle'), 20);
  });
});

test('the default clock is the real one', async () => {
  const srv = await startServer({ config: CONFIG });
  assert.equal(srv.clock, realClock);
  assert.equal(srv.server.clock, realClock);
  await withServer(srv, async (redis) => {
    await redis.set('k', 'v', 'EX', 100);
    assert.equal(await redis.ttl('k'), 100);
    const [sec] = await redis.time();
    assert.ok(Math.abs(Number(sec) - Date.now() / 1000) < 5);
  });
});
