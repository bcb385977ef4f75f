/*
 * Streams through persistence: DEBUG RELOAD (RDB), DUMP/RESTORE, an AOF
 * rewrite in command form, and DUMP payloads exchanged with the reference
 * redis-server when it is installed.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import Redis from 'ioredis';
import { startNodis, startRedis, withNodis, REDIS_SERVER } from '../helpers/server';

async function fill(r: Redis): Promise<void> {
  await r.xadd('s', '1-1', 'a', '1', 'b', '2');
  await r.xadd('s', '1-2', 'a', '3', 'b', '4');
  await r.xadd('s', '2-0', 'c', '5');
  await r.xadd('s', '3-0', 'a', '9', 'b', '9');
  for (let i = 0; i < 150; i++) await r.xadd('s', `${10 + i}-0`, 'n', String(i));
  await r.xdel('s', '2-0');
  await r.xgroup('CREATE', 's', 'g', '0');
  await r.xreadgroup('GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
  await r.xgroup('CREATECONSUMER', 's', 'g', 'bob');
  await r.xgroup('CREATE', 's', 'g2', '$');
  await r.xadd('empty', '5-5', 'x', 'y');
  await r.xdel('empty', '5-5');
  await r.xgroup('CREATE', 'empty', 'eg', '$');
}

/** XINFO STREAM FULL without the times that move (seen/active times) . */
async function snapshot(r: Redis, key: string): Promise<string> {
  const full = await r.xinfo('STREAM', key, 'FULL');
  return JSON.stringify(full);
}

test('streams survive DEBUG RELOAD and DUMP/RESTORE exactly', async () => {
  await withNodis(['--enable-debug-command', 'yes'], async (_srv, r) => {
    await fill(r);
    const before = await snapshot(r, 's');
    const beforeEmpty = await snapshot(r, 'empty');
    assert.equal(await r.debug('RELOAD'), 'OK');
    assert.equal(await snapshot(r, 's'), before);
    assert.equal(await snapshot(r, 'empty'), beforeEmpty);
    const payload = await r.dumpBuffer('s');
    assert.equal(await r.restore('copy', 0, payload), 'OK');
    assert.equal(await snapshot(r, 'copy'), before.replace(/"s"/g, '"copy"'));
    assert.deepEqual(await r.xpending('s', 'g'), [2, '1-1', '1-2', [['alice', '2']]]);
  });
});

test('an AOF rewrite in command form rebuilds streams and their groups', async () => {
  const args = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--enable-debug-command', 'yes'];
  await withNodis(args, async (_srv, r) => {
    await fill(r);
    const before = await snapshot(r, 's');
    const beforeEmpty = await snapshot(r, 'empty');
    await r.bgrewriteaof();
    for (let i = 0; i < 400 && /aof_rewrite_in_progress:1/.test(await r.info('persistence')); i++) await new Promise((x) => setTimeout(x, 50));
    assert.equal(await r.debug('LOADAOF'), 'OK');
    // delivery times are rewritten with TIME, seen times restart: compare the rest
    const strip = (s: string) => s.replace(/"seen-time",\d+/g, '').replace(/"delivery-time",\d+/g, '');
    assert.equal(strip(await snapshot(r, 's')), strip(before));
    assert.equal(strip(await snapshot(r, 'empty')), strip(beforeEmpty));
  });
});

test('stream DUMP payloads load in redis-server and back', { skip: !fs.existsSync(REDIS_SERVER) && 'redis-server not installed' }, async () => {
  const red = await startRedis();
  const srv = await startNodis();
  const n = new Redis({ port: srv.port, lazyConnect: true });
  const ref = new Redis({ port: red.port, lazyConnect: true });
  try {
    await n.connect();
    await ref.connect();
    await fill(n);
    const before = await snapshot(n, 's');
    assert.equal(await ref.restore('s', 0, await n.dumpBuffer('s')), 'OK');
    assert.equal(await snapshot(ref, 's'), before);
    assert.equal(await n.restore('back', 0, await ref.dumpBuffer('s')), 'OK');
    assert.equal(await snapshot(n, 'back'), before);
  } finally {
    n.disconnect();
    ref.disconnect();
    await red.stop();
    await srv.stop();
  }
});
