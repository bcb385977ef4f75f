/*
 * Sorted set commands driven in-process: keyspace notifications (names and
 * order, checked against redis-server 7.0.15), dirty counting, encodings
 * and their conversion limits read live from the config, blocking pops
 * served by a later write (reply, propagation as ZPOPMIN/ZPOPMAX), and
 * DEBUG DIGEST-VALUE equality with Redis.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { keyDigest } from '../../src/info/digest';
import { inProcess, recordEffects, dirtyCounter } from '../helpers/inprocess';

function setup() {
  const h = inProcess();
  return { ...h, ...recordEffects(h.server) };
}

test('notifications and dirty counts follow Redis', () => {
  const { server, run, take } = setup();
  const dirty = dirtyCounter(server);
  assert.equal(run('ZADD', 'k', '1', 'a', '2', 'b'), ':2\r\n');
  assert.deepEqual(take().events, ['new:k', 'zadd:k']);
  assert.equal(dirty(), 2);
  assert.equal(run('ZADD', 'k', '1', 'a'), ':0\r\n');
  assert.deepEqual(take().events, []);
  assert.equal(dirty(), 0);
  assert.equal(run('ZINCRBY', 'k', '1', 'a'), '$1\r\n2\r\n');
  assert.equal(run('ZADD', 'k', 'INCR', '1', 'a'), '$1\r\n3\r\n');
  assert.deepEqual(take().events, ['zincr:k', 'zincr:k']);
  assert.equal(run('ZPOPMIN', 'k'), '*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
  assert.equal(run('ZPOPMAX', 'k', '5'), '*2\r\n$1\r\na\r\n$1\r\n3\r\n');
  assert.deepEqual(take().events, ['zpopmin:k', 'zpopmax:k', 'del:k']);
  assert.equal(run('EXISTS', 'k'), ':0\r\n');
  run('ZADD', 'k', '1', 'a', '2', 'b');
  take();
  assert.equal(run('ZREM', 'k', 'a', 'b', 'c'), ':2\r\n');
  assert.deepEqual(take().events, ['zrem:k', 'del:k']);
  run('ZADD', 'k', '1', 'a', '2', 'b');
  take();
  assert.equal(run('ZREMRANGEBYSCORE', 'k', '-inf', '+inf'), ':2\r\n');
  assert.deepEqual(take().events, ['zremrangebyscore:k', 'del:k']);
  run('ZADD', 'k', '1', 'a');
  take();
  dirty();
  assert.equal(run('ZUNIONSTORE', 'd', '1', 'k'), ':1\r\n');
  assert.equal(run('ZINTERSTORE', 'd', '1', 'nokey'), ':0\r\n');
  assert.equal(run('ZRANGESTORE', 'd2', 'k', '0', '-1'), ':1\r\n');
  assert.equal(run('ZRANGESTORE', 'd2', 'k', '5', '6'), ':0\r\n');
  assert.equal(run('ZDIFFSTORE', 'd3', '1', 'k'), ':1\r\n');
  assert.equal(run('ZMPOP', '1', 'k', 'MIN'), '*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
  assert.deepEqual(take().events, [
    'new:d', 'zunionstore:d', 'del:d', 'new:d2', 'zrangestore:d2', 'del:d2', 'new:d3', 'zdiffstore:d3', 'zpopmin:k', 'del:k',
  ]);
  assert.equal(dirty(), 6);
  // nothing happens, nothing is notified
  assert.equal(run('ZREM', 'nokey', 'a'), ':0\r\n');
  assert.equal(run('ZADD', 'nokey', 'XX', '1', 'a'), ':0\r\n');
  assert.equal(run('ZPOPMIN', 'nokey'), '*0\r\n');
  assert.deepEqual(take().events, []);
});

test('encodings follow the live config limits', () => {
  const { server, run } = setup();
  const cfg = server.config;
  cfg.zsetMaxListpackEntries = 4;
  cfg.zsetMaxListpackValue = 10;
  run('ZADD', 'a', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  assert.equal(run('OBJECT', 'ENCODING', 'a'), '$8\r\nlistpack\r\n');
  run('ZADD', 'a', '5', 'e');
  assert.equal(run('OBJECT', 'ENCODING', 'a'), '$8\r\nskiplist\r\n');
  // stays skiplist when shrinking
  run('ZREMRANGEBYRANK', 'a', '0', '2');
  assert.equal(run('OBJECT', 'ENCODING', 'a'), '$8\r\nskiplist\r\n');
  // results of store commands pick their encoding from their size
  run('ZUNIONSTORE', 'u', '1', 'a');
  assert.equal(run('OBJECT', 'ENCODING', 'u'), '$8\r\nlistpack\r\n');
  run('ZADD', 'b', '1', 'short');
  run('ZADD', 'b', '1', 'much-longer-member');
  assert.equal(run('OBJECT', 'ENCODING', 'b'), '$8\r\nskiplist\r\n');
  run('ZADD', 'c', '1', 'much-longer-member');
  assert.equal(run('OBJECT', 'ENCODING', 'c'), '$8\r\nskiplist\r\n');
  cfg.zsetMaxListpackEntries = 0;
  run('ZADD', 'z', '1', 'x');
  assert.equal(run('OBJECT', 'ENCODING', 'z'), '$8\r\nskiplist\r\n');
  // COPY gives an independent set with the same content
  assert.equal(run('COPY', 'a', 'a2'), ':1\r\n');
  run('ZADD', 'a2', '9', 'zz');
  assert.equal(run('ZCARD', 'a'), ':2\r\n');
  assert.equal(run('ZCARD', 'a2'), ':3\r\n');
});

test('DEBUG DIGEST-VALUE equals redis-server 7.0.15 for both encodings', () => {
  const { server, run } = setup();
  run('ZADD', 'a', '1', 'x', '2.5', 'y', '-3', 'z', '1e100', 'w', '0.1', 'v');
  const db = server.keyspace.dbs[0];
  assert.equal(keyDigest(db, 'a'), '16f311ce85f8ceade6ade4dc2812359c4efe00cc');
  server.config.zsetMaxListpackEntries = 1;
  run('ZADD', 'b', '1', 'x', '2.5', 'y', '-3', 'z', '1e100', 'w', '0.1', 'v');
  assert.equal(run('OBJECT', 'ENCODING', 'b'), '$8\r\nskiplist\r\n');
  assert.equal(keyDigest(db, 'b'), '16f311ce85f8ceade6ade4dc2812359c4efe00cc');
});

test('blocking pops: served by a later ZADD, propagated as ZPOPMIN/ZPOPMAX', async () => {
  const { server, client, runOn, run, take } = setup();
  const a = client();
  const b = client();
  assert.equal(runOn(a, 'BZPOPMIN', 'k1', 'k2', '0'), '');
  assert.equal(a.blocked, true);
  assert.equal(runOn(b, 'BZMPOP', '0', '2', 'k2', 'k1', 'MAX', 'COUNT', '5'), '');
  take();
  assert.equal(run('ZADD', 'k2', '1', 'a', '2', 'b', '3', 'c'), ':3\r\n');
  assert.equal(a.blocked, false);
  assert.equal(a.reply.take().toString('latin1'), '*3\r\n$2\r\nk2\r\n$1\r\na\r\n$1\r\n1\r\n');
  assert.equal(b.reply.take().toString('latin1'), '*2\r\n$2\r\nk2\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
  const t = take();
  assert.deepEqual(t.props, ['ZPOPMIN k2', 'ZPOPMAX k2 2'], 'the count propagated is what was popped (2 of the 5 asked)');
  assert.deepEqual(t.events, ['new:k2', 'zadd:k2', 'zpopmin:k2', 'zpopmax:k2', 'del:k2']);
  // not served when the key holds another type: keeps waiting
  assert.equal(runOn(a, 'BZPOPMAX', 'k3', '0'), '');
  run('SET', 'k3', 'x');
  assert.equal(a.blocked, true);
  run('DEL', 'k3');
  run('ZADD', 'k3', '7', 'm');
  assert.equal(a.reply.take().toString('latin1'), '*3\r\n$2\r\nk3\r\n$1\r\nm\r\n$1\r\n7\r\n');
  // RESP3 doubles in the served reply
  a.reply.resp = 3;
  assert.equal(runOn(a, 'BZPOPMIN', 'k4', '0'), '');
  run('ZADD', 'k4', '1.5', 'x');
  assert.equal(a.reply.take().toString('latin1'), '*3\r\n$2\r\nk4\r\n$1\r\nx\r\n,1.5\r\n');
  // inside MULTI/scripts (denyBlocking) the timeout reply comes at once
  a.denyBlocking = true;
  assert.equal(runOn(a, 'BZPOPMIN', 'k5', '0'), '_\r\n');
  a.reply.resp = 2;
  assert.equal(runOn(a, 'BZMPOP', '0', '1', 'k5', 'MIN'), '*-1\r\n');
  a.denyBlocking = false;
  // a timeout
  assert.equal(runOn(a, 'BZPOPMIN', 'k6', '0.05'), '');
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(a.blocked, false);
  assert.equal(a.reply.take().toString('latin1'), '*-1\r\n');
  server.blocking.remove(b);
});

test('pops that Redis rewrites propagate as ZPOPMIN/ZPOPMAX', () => {
  const { run, take } = setup();
  run('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  take();
  assert.equal(run('ZMPOP', '2', 'none', 'k', 'MIN'), '*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
  assert.equal(run('ZMPOP', '1', 'k', 'MAX', 'COUNT', '2'), '*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n');
  assert.equal(run('BZPOPMAX', 'none', 'k', '0'), '*3\r\n$1\r\nk\r\n$1\r\nb\r\n$1\r\n2\r\n');
  assert.equal(run('ZMPOP', '1', 'k', 'MIN'), '*-1\r\n');
  assert.deepEqual(take().props, ['ZPOPMIN k 1', 'ZPOPMAX k 2', 'ZPOPMAX k']);
});
