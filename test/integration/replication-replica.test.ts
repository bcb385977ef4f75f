/*
 * Replica side of replication: a Nodis replica of a Nodis master (and of
 * the reference redis-server when it is installed): full sync, the command
 * stream, offsets and ACKs, READONLY, ROLE, INFO, REPLICAOF NO ONE.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import Redis from 'ioredis';
import { startNodis, startRedis, freePort, waitFor, REDIS_SERVER, type NodisProcess } from '../helpers/server';

function client(port: number): Redis {
  return new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0 });
}

async function linkUp(r: Redis): Promise<void> {
  await waitFor(async () => /master_link_status:up/.test(await r.info('replication')), 'the master link');
}

async function replicate(master: Redis, replica: Redis, masterPort: number): Promise<void> {
  await master.set('s', 'v');
  await master.rpush('l', 'a', 'b', 'c');
  await master.hset('h', 'f', 'v');
  await master.zadd('z', '1.5', 'm');
  await master.sadd('set', '1', '2');
  await master.pexpire('s', 1000000);
  await master.select(5);
  await master.set('db5', 'x');
  await master.select(0);
  assert.equal(await replica.replicaof('127.0.0.1', masterPort), 'OK');
  await linkUp(replica);
  assert.equal(await replica.get('s'), 'v');
  assert.ok((await replica.pttl('s')) > 900000);
  assert.deepEqual(await replica.lrange('l', 0, -1), ['a', 'b', 'c']);
  assert.equal(await replica.hget('h', 'f'), 'v');
  assert.deepEqual(await replica.zrange('z', 0, -1, 'WITHSCORES'), ['m', '1.5']);
  assert.deepEqual((await replica.smembers('set')).sort(), ['1', '2']);
  // the stream after the sync: writes, MULTI/EXEC, another database, deletions
  await master.incr('counter');
  await master.multi().incr('counter').lpush('l', 'z').exec();
  await master.select(5);
  await master.del('db5');
  await master.select(0);
  await master.set('last', 'done');
  await waitFor(async () => (await replica.get('last')) === 'done', 'the stream');
  assert.equal(await replica.get('counter'), '2');
  assert.deepEqual(await replica.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
  await replica.select(5);
  assert.equal(await replica.exists('db5'), 0);
  await replica.select(0);
  // the replica's offset reaches the master's through its ACKs
  const masterOffset = Number(/master_repl_offset:(\d+)/.exec(await master.info('replication'))![1]);
  await waitFor(async () => Number(/slave_repl_offset:(\d+)/.exec(await replica.info('replication'))![1]) === masterOffset, 'the replica offset');
}

test('a Nodis replica of a Nodis master: full sync, stream, READONLY, ROLE, INFO, NO ONE', async () => {
  const m = await startNodis();
  const r = await startNodis();
  const master = client(m.port);
  const replica = client(r.port);
  try {
    await master.connect();
    await replica.connect();
    await replicate(master, replica, m.port);
    await assert.rejects(replica.set('x', '1'), /^ReplyError: READONLY You can't write against a read only replica\.$/);
    const role = (await replica.role()) as unknown[];
    assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', m.port, 'connected']);
    const info = await replica.info('replication');
    assert.match(info, /role:slave\r\nmaster_host:127\.0\.0\.1\r\nmaster_port:\d+\r\nmaster_link_status:up\r\n/);
    assert.match(info, /slave_read_only:1\r\n/);
    await waitFor(async () => /slave0:ip=127\.0\.0\.1,port=\d+,state=online,offset=[1-9]\d*,lag=\d+/.test(await master.info('replication')), 'the ACK');
    const mrole = (await master.role()) as [string, number, string[][]];
    assert.equal(mrole[0], 'master');
    assert.equal(mrole[2].length, 1);
    assert.equal(mrole[2][0][1], String(r.port));
    // WAIT: the write is acknowledged by the one replica; asking for two times out with 1
    await master.set('w', '1');
    assert.equal(await master.wait(1, 0), 1);
    assert.equal(await master.wait(2, 200), 1);
    await assert.rejects(replica.wait(1, 0), /ERR WAIT cannot be used with replica instances/);
    await assert.rejects(master.wait(1, -1), /ERR timeout is negative/);
    assert.equal(await replica.replicaof('127.0.0.1', m.port), 'OK Already connected to specified master');
    assert.equal(await replica.replicaof('NO', 'ONE'), 'OK');
    assert.equal(await replica.set('x', '1'), 'OK');
    assert.match(await replica.info('replication'), /role:master/);
    assert.match(r.output(), /MASTER <-> REPLICA sync: Finished with success/);
    assert.match(r.output(), /MASTER MODE enabled \(user request from 'id=\d+ /);
  } finally {
    master.disconnect();
    replica.disconnect();
    await m.stop();
    await r.stop();
  }
});

test('REPLICAOF errors and a master that is not there', async () => {
  const r = await startNodis(['--replica-serve-stale-data', 'no']);
  const c = client(r.port);
  try {
    await c.connect();
    await assert.rejects(c.replicaof('127.0.0.1', 'abc'), /ERR Invalid master port/);
    await assert.rejects(c.replicaof('127.0.0.1', '70000'), /ERR Invalid master port/);
    const port = await freePort();
    assert.equal(await c.replicaof('127.0.0.1', port), 'OK');
    const info = await c.info('replication');
    assert.match(info, /master_link_status:down\r\n/);
    assert.match(info, /master_link_down_since_seconds:-1\r\n/);
    await assert.rejects(c.get('k'), /^ReplyError: MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'\.$/);
    // only commands flagged stale still work (PING is not one of them in 7.0)
    await assert.rejects(c.ping(), /MASTERDOWN/);
    assert.match(await c.info('server'), /redis_version:7\.0\.15/);
    assert.equal(await c.replicaof('no', 'one'), 'OK');
    assert.equal(await c.get('k'), null);
  } finally {
    c.disconnect();
    await r.stop();
  }
});

test('a Nodis replica of the reference redis-server (diskless EOF-marked sync)', { skip: !fs.existsSync(REDIS_SERVER) && 'redis-server not installed' }, async () => {
  const red = await startRedis(['--appendonly', 'no', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']);
  const r: NodisProcess = await startNodis();
  const master = client(red.port);
  const replica = client(r.port);
  try {
    await master.connect();
    await replica.connect();
    await replicate(master, replica, red.port);
    assert.match(r.output(), /receiving streamed RDB from master with EOF/);
  } finally {
    master.disconnect();
    replica.disconnect();
    // the replica first: a Redis master with a replica attached waits for it on SIGTERM (shutdown-timeout)
    await r.stop();
    await red.stop();
  }
});
