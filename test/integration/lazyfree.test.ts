import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { withNodis, waitFor, infoField } from '../helpers/server';

// Freeing big values synchronously (the lazyfree options at no, Redis 7.0's
// defaults) happens inside the command or the expire cycle, where the latency
// monitor sees it and used_memory drops at once; lazily (UNLINK, options at yes)
// it is left to the background and counted in lazyfreed_objects.
// 300k members: MEMORY USAGE puts it at several MB, most of the heap of a fresh
// server, and a full collection over it takes well over the 1 ms threshold.
const MEMBERS = 300000;

async function fillBigSet(r: Redis, key: string): Promise<void> {
  for (let i = 0; i < MEMBERS; i += 10000) {
    const batch: string[] = [];
    for (let j = i; j < i + 10000; j++) batch.push(`member:${j}`);
    await r.sadd(key, ...batch);
  }
  assert.equal(await r.scard(key), MEMBERS);
}

async function info(r: Redis, field: string): Promise<number> {
  return Number(infoField(await r.info(), field));
}

/** lazyfreed_objects once the background is done (the next cron tick) */
async function lazyfreed(r: Redis): Promise<number> {
  await waitFor(async () => (await info(r, 'lazyfree_pending_objects')) === 0, 'the lazy free', 5000);
  assert.equal(await info(r, 'lazyfree_pending_objects'), 0);
  return info(r, 'lazyfreed_objects');
}

function events(latest: unknown): string[] {
  return (latest as [string, number, number, number][]).map((e) => e[0]);
}

/** withNodis with the latency monitor at 1 ms; the server's output goes to stderr when `fn` fails. */
async function withServer(fn: (r: Redis) => Promise<void>): Promise<void> {
  await withNodis(['--latency-monitor-threshold', '1'], async (srv, r) => {
    try {
      await fn(r);
    } catch (e) {
      process.stderr.write(srv.output());
      throw e;
    }
  });
}

test('DEL of a big value frees it inside the command (lazyfree-lazy-user-del no)', async () => {
  await withServer(async (r) => {
    await fillBigSet(r, 'big');
    const peak = await info(r, 'used_memory');
    assert.equal(await r.del('big'), 1);
    const after = await info(r, 'used_memory');
    assert.ok(after < peak - 4 * 1024 * 1024, `used_memory ${peak} -> ${after}`);
    assert.ok(events(await r.latency('LATEST')).includes('command'));
    assert.equal(await lazyfreed(r), 0);
  });
});

test('an expired big value is freed in the expire cycle, which the latency monitor records', async () => {
  await withServer(async (r) => {
    await fillBigSet(r, 'big');
    // (far enough ahead that PEXPIRE itself never finds it already expired)
    await r.pexpire('big', 100);
    await waitFor(async () => (await r.dbsize()) === 0, 'the expiry', 10000);
    assert.equal(await r.dbsize(), 0);
    const ev = events(await r.latency('LATEST'));
    assert.ok(ev.includes('expire-cycle'), JSON.stringify(ev));
    assert.ok(ev.includes('expire-del'), JSON.stringify(ev));
    assert.equal(await info(r, 'expired_keys'), 1);
  });
});

test('UNLINK and the lazyfree options at yes leave big values to the background', async () => {
  await withServer(async (r) => {
    await fillBigSet(r, 'a');
    const peak = await info(r, 'used_memory');
    assert.equal(await r.unlink('a'), 1);
    assert.equal(await lazyfreed(r), 1);
    // reclaimed in the background, as Redis's lazyfree thread does
    assert.ok((await info(r, 'used_memory')) < peak - 4 * 1024 * 1024);
    await r.config('SET', 'lazyfree-lazy-user-del', 'yes');
    await fillBigSet(r, 'b');
    assert.equal(await r.del('b'), 1);
    assert.equal(await lazyfreed(r), 2);
    // overwriting with lazyfree-lazy-server-del yes
    await r.config('SET', 'lazyfree-lazy-server-del', 'yes');
    await fillBigSet(r, 'c');
    assert.equal(await r.set('c', 'x'), 'OK');
    assert.equal(await lazyfreed(r), 3);
    // small values are never counted, and RENAME moves the value rather than freeing it
    await r.sadd('small', 'x', 'y');
    await r.unlink('small');
    await fillBigSet(r, 'd');
    await r.rename('d', 'e');
    assert.equal(await r.scard('e'), MEMBERS);
    assert.equal(await lazyfreed(r), 3);
    // FLUSHALL ASYNC hands every key to the background (c, e, small2 and s)
    await r.sadd('small2', 'x');
    await r.set('s', 'v');
    assert.equal(await r.flushall('ASYNC'), 'OK');
    assert.equal(await lazyfreed(r), 7);
    assert.equal(await r.dbsize(), 0);
    await r.config('RESETSTAT');
    assert.equal(await info(r, 'lazyfreed_objects'), 0);
  });
});
