/*
 * maxmemory: eviction by policy (with the 'evicted' event, evicted_keys and
 * propagation-visible deletions) and Redis's OOM refusal when nothing more
 * can be evicted. A limit of 1 byte is always exceeded, which makes the
 * outcome independent of how much memory the process happens to use.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis } from '../helpers/server';

const OOM = /^ReplyError: OOM command not allowed when used memory > 'maxmemory'\.$/;

test('allkeys-lru evicts every key under an impossible limit, with evicted events, then refuses writes', async () => {
  const srv = await startNodis(['--maxmemory-policy', 'allkeys-lru', '--notify-keyspace-events', 'Ee']);
  const r = new Redis({ port: srv.port, lazyConnect: true });
  const sub = new Redis({ port: srv.port, lazyConnect: true });
  try {
    await r.connect();
    await sub.connect();
    for (let i = 0; i < 20; i++) await r.set(`k${i}`, 'v');
    const evicted: string[] = [];
    sub.on('pmessage', (_p, ch, msg) => {
      if (ch === '__keyevent@0__:evicted') evicted.push(msg);
    });
    await sub.psubscribe('*');
    assert.equal(await r.config('SET', 'maxmemory', '1'), 'OK');
    assert.equal(await r.dbsize(), 0);
    await assert.rejects(r.set('x', 'y'), OOM);
    // reads and deletions still work
    assert.equal(await r.get('x'), null);
    assert.equal(await r.del('x'), 0);
    assert.match(await r.info('stats'), /evicted_keys:20\r\n/);
    for (let i = 0; i < 50 && evicted.length < 20; i++) await new Promise((x) => setTimeout(x, 20));
    assert.deepEqual(evicted.sort(), Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
    assert.equal(await r.config('SET', 'maxmemory', '0'), 'OK');
    assert.equal(await r.set('x', 'y'), 'OK');
  } finally {
    r.disconnect();
    sub.disconnect();
    await srv.stop();
  }
});

test('volatile-* policies evict only keys with a TTL', async () => {
  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    const srv = await startNodis(['--maxmemory-policy', policy]);
    const r = new Redis({ port: srv.port, lazyConnect: true });
    try {
      await r.connect();
      for (let i = 0; i < 10; i++) await r.set(`p${i}`, 'v');
      for (let i = 0; i < 10; i++) await r.set(`t${i}`, 'v', 'EX', 1000 + i);
      await r.config('SET', 'maxmemory', '1');
      assert.deepEqual((await r.keys('*')).sort(), Array.from({ length: 10 }, (_, i) => `p${i}`).sort(), policy);
      await assert.rejects(r.set('x', 'y'), OOM);
    } finally {
      r.disconnect();
      await srv.stop();
    }
  }
});

test('noeviction keeps the data and refuses denyoom commands and MULTI queueing', async () => {
  const srv = await startNodis();
  const r = new Redis({ port: srv.port, lazyConnect: true });
  try {
    await r.connect();
    await r.set('a', '1');
    await r.config('SET', 'maxmemory', '1');
    await assert.rejects(r.set('b', '2'), OOM);
    await assert.rejects(r.incr('a'), OOM);
    assert.equal(await r.get('a'), '1');
    // EXEC of reads queued before the limit still runs
    await r.config('SET', 'maxmemory', '0');
    const m = r.multi();
    m.get('a');
    const exec = m.exec();
    await r.config('SET', 'maxmemory', '1');
    assert.deepEqual(await exec, [[null, '1']]);
    assert.equal(await r.dbsize(), 1);
  } finally {
    r.disconnect();
    await srv.stop();
  }
});
