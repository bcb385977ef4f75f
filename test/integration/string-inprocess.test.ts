/*
 * String and expiry commands driven in-process (no socket): exact RESP
 * replies plus what Redis does around them that a client cannot see
 * without other command families: keyspace notifications (names and
 * order), propagated effects (rewrites for AOF/replicas), dirty counting,
 * OBJECT ENCODING of the stored values, and the active expiry cycle.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodingOf, ByteString } from '../../src/keyspace/values';
import { ActiveExpire } from '../../src/server/active-expire';
import { inProcess, recordEffects } from '../helpers/inprocess';

function setup() {
  const h = inProcess();
  return { ...h, ...recordEffects(h.server) };
}

test('SET family: notifications, dirty, propagation', () => {
  const { server, run, take } = setup();
  const d0 = server.keyspace.dirty;
  assert.equal(run('SET', 'k', 'v'), '+OK\r\n');
  assert.deepEqual(take(), { events: ['new:k', 'set:k'], props: [] });
  assert.equal(run('SET', 'k', 'v2', 'EX', '100'), '+OK\r\n');
  const t = take();
  assert.deepEqual(t.events, ['set:k', 'expire:k']);
  assert.equal(t.props.length, 1);
  assert.match(t.props[0], /^SET k v2 PXAT \d+$/);
  assert.equal(run('SET', 'k', 'v3', 'PXAT', '99999999999999'), '+OK\r\n');
  assert.deepEqual(take(), { events: ['set:k', 'expire:k'], props: ['SET k v3 PXAT 99999999999999'] }); // rewritten even when given as PXAT (t_string.c)
  assert.equal(run('SET', 'k', 'x', 'NX'), '$-1\r\n');
  assert.deepEqual(take(), { events: [], props: [] });
  assert.equal(server.keyspace.dirty - d0, 3);
  assert.equal(run('MSET', 'a', '1', 'b', '2'), '+OK\r\n');
  assert.deepEqual(take().events, ['new:a', 'set:a', 'new:b', 'set:b']);
  assert.equal(server.keyspace.dirty - d0, 5);
  assert.equal(run('GETSET', 'a', '3'), '$1\r\n1\r\n');
  assert.deepEqual(take(), { events: ['set:a'], props: ['SET a 3'] });
  assert.equal(run('GETDEL', 'a'), '$1\r\n3\r\n');
  assert.deepEqual(take(), { events: ['del:a'], props: ['DEL a'] });
  assert.equal(run('SETEX', 's', '10', 'v'), '+OK\r\n');
  const s = take();
  assert.deepEqual(s.events, ['new:s', 'set:s', 'expire:s']);
  assert.match(s.props[0], /^SET s v PXAT \d+$/);
});

test('GETEX propagates PEXPIREAT, PERSIST or DEL, and nothing without options', () => {
  const { run, take } = setup();
  run('SET', 'k', 'v');
  take();
  assert.equal(run('GETEX', 'k'), '$1\r\nv\r\n');
  assert.deepEqual(take(), { events: [], props: [] });
  assert.equal(run('GETEX', 'k', 'EX', '100'), '$1\r\nv\r\n');
  const t = take();
  assert.deepEqual(t.events, ['expire:k']);
  assert.match(t.props[0], /^PEXPIREAT k \d+$/);
  assert.equal(run('GETEX', 'k', 'PERSIST'), '$1\r\nv\r\n');
  assert.deepEqual(take(), { events: ['persist:k'], props: ['PERSIST k'] });
  assert.equal(run('GETEX', 'k', 'PERSIST'), '$1\r\nv\r\n');
  assert.deepEqual(take(), { events: [], props: [] });
  assert.equal(run('GETEX', 'k', 'EXAT', '1'), '$1\r\nv\r\n');
  assert.deepEqual(take(), { events: ['del:k'], props: ['DEL k'] });
  assert.equal(run('GET', 'k'), '$-1\r\n');
});

test('INCR family and INCRBYFLOAT: events, KEEPTTL propagation, TTL kept', () => {
  const { run, take, c } = setup();
  assert.equal(run('INCR', 'n'), ':1\r\n');
  assert.deepEqual(take().events, ['new:n', 'incrby:n']);
  run('EXPIRE', 'n', '100');
  take();
  assert.equal(run('INCRBY', 'n', '10'), ':11\r\n');
  assert.equal(run('DECR', 'n'), ':10\r\n');
  assert.deepEqual(take().events, ['incrby:n', 'incrby:n']);
  assert.ok(c.db.getExpire('n') > 0, 'INCR keeps the TTL');
  assert.equal(run('INCRBYFLOAT', 'n', '0.5'), '$4\r\n10.5\r\n');
  assert.deepEqual(take(), { events: ['incrbyfloat:n'], props: ['SET n 10.5 KEEPTTL'] });
  assert.ok(c.db.getExpire('n') > 0, 'INCRBYFLOAT keeps the TTL');
});

test('APPEND and SETRANGE: events and in-place raw strings', () => {
  const { run, take, c } = setup();
  assert.equal(run('APPEND', 'a', '123'), ':3\r\n');
  assert.deepEqual(take().events, ['new:a', 'append:a']);
  assert.equal(encodingOf(c.db.dict.get('a') as string), 'int');
  assert.equal(run('APPEND', 'a', '4'), ':4\r\n');
  const v = c.db.dict.get('a');
  assert.ok(v instanceof ByteString);
  assert.equal(encodingOf(v), 'raw');
  for (let i = 0; i < 1000; i++) run('APPEND', 'a', 'xy');
  assert.equal(c.db.dict.get('a'), v, 'the same buffer is appended to');
  assert.equal(run('STRLEN', 'a'), ':2004\r\n');
  take();
  assert.equal(run('SETRANGE', 'r', '2', 'ab'), ':4\r\n');
  assert.deepEqual(take().events, ['new:r', 'setrange:r']);
  assert.equal(run('GET', 'r'), '$4\r\n\x00\x00ab\r\n');
  assert.equal(run('SETRANGE', 'r', '0', ''), ':4\r\n');
  assert.deepEqual(take().events, []);
  assert.equal(run('SET', 'e', 'hello'), '+OK\r\n');
  assert.equal(encodingOf(c.db.dict.get('e') as string), 'embstr');
  assert.equal(run('SET', 'e', 'x'.repeat(45)), '+OK\r\n');
  assert.equal(encodingOf(c.db.dict.get('e') as string), 'raw');
});

test('EXPIRE family: events and propagation; past times delete', () => {
  const { run, take } = setup();
  run('SET', 'k', 'v');
  take();
  assert.equal(run('EXPIRE', 'k', '100'), ':1\r\n');
  let t = take();
  assert.deepEqual(t.events, ['expire:k']);
  assert.match(t.props[0], /^PEXPIREAT k \d+$/);
  assert.equal(run('PEXPIREAT', 'k', '99999999999999'), ':1\r\n');
  assert.deepEqual(take(), { events: ['expire:k'], props: ['PEXPIREAT k 99999999999999'] });
  assert.equal(run('PERSIST', 'k'), ':1\r\n');
  assert.deepEqual(take().events, ['persist:k']);
  assert.equal(run('EXPIREAT', 'k', '1'), ':1\r\n');
  t = take();
  assert.deepEqual(t, { events: ['del:k'], props: ['DEL k'] });
  assert.equal(run('TTL', 'k'), ':-2\r\n');
});

test('lazy expiry on access emits "expired" and propagates DEL', () => {
  const { server, run, take } = setup();
  run('SET', 'k', 'v', 'PXAT', String(Date.now() + 1000));
  take();
  // move the key's deadline into the past directly
  server.keyspace.dbs[0].setExpire('k', Date.now() - 10);
  assert.equal(run('GET', 'k'), '$-1\r\n');
  assert.deepEqual(take(), { events: ['expired:k'], props: ['DEL k'] });
});

test('active expiry deletes expired keys without access and keeps stats', () => {
  const { server, run } = setup();
  for (let i = 0; i < 200; i++) run('SET', `k${i}`, 'v', 'PX', '100000');
  for (let i = 0; i < 50; i++) run('SET', `p${i}`, 'v');
  const db = server.keyspace.dbs[0];
  for (let i = 0; i < 200; i++) db.setExpire(`k${i}`, Date.now() - 1);
  const cycle = new ActiveExpire(server);
  for (let i = 0; i < 50 && db.expires.size > 0; i++) cycle.run();
  assert.equal(db.expires.size, 0);
  assert.equal(db.size, 50);
  assert.equal(server.keyspace.stats.expiredKeys, 200);
  assert.ok(server.keyspace.stats.expiredStalePerc > 0);
  // disabled: nothing happens
  for (let i = 0; i < 10; i++) run('SET', `z${i}`, 'v', 'PX', '100000');
  for (let i = 0; i < 10; i++) db.setExpire(`z${i}`, Date.now() - 1);
  server.activeExpireEnabled = false;
  cycle.run();
  assert.equal(db.expires.size, 10);
  server.activeExpireEnabled = true;
  for (let i = 0; i < 20 && db.expires.size > 0; i++) cycle.run();
  assert.equal(db.expires.size, 0);
});

test('active expiry: avg_ttl follows the sampled TTLs', () => {
  const { server, run } = setup();
  for (let i = 0; i < 30; i++) run('SET', `k${i}`, 'v', 'EX', '1000');
  const cycle = new ActiveExpire(server);
  cycle.run();
  const avg = server.keyspace.dbs[0].avgTtl;
  assert.ok(avg > 900000 && avg <= 1000000, String(avg));
});

test('active expiry: a backlog larger than one time budget is worked off across calls', () => {
  const { server, run } = setup();
  server.keyspace.notifyFlags = 0;
  server.config.hz = 500; // a 0.5 ms budget per call: far less than deleting 100k keys takes
  const db = server.keyspace.dbs[0];
  for (let i = 0; i < 100000; i++) run('SET', `k${i}`, 'v', 'PX', '100000');
  for (let i = 0; i < 100000; i++) db.setExpire(`k${i}`, Date.now() - 1);
  const cycle = new ActiveExpire(server);
  cycle.run();
  const afterOne = db.size;
  assert.ok(afterOne > 0, 'one call stops at its time budget');
  assert.equal(server.keyspace.stats.expiredTimeCapReachedCount, 1);
  for (let i = 0; i < 100000 && db.size > 0; i++) cycle.run();
  assert.equal(db.size, 0);
  assert.equal(server.keyspace.stats.expiredKeys, 100000);
});

test('INCR after INCR: a counter whose text the last increment stored, other keys with equal or odd texts', () => {
  const { run } = setup();
  assert.equal(run('SET', 'e', ''), '+OK\r\n');
  assert.equal(run('INCR', 'e'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('INCR', 'n'), ':1\r\n');
  assert.equal(run('INCR', 'n'), ':2\r\n');
  // another key holding the same text as the last stored counter
  assert.equal(run('SET', 'm', '2'), '+OK\r\n');
  assert.equal(run('INCRBY', 'm', '10'), ':12\r\n');
  assert.equal(run('INCR', 'e'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('APPEND', 'n', '0'), ':2\r\n');
  assert.equal(run('INCR', 'n'), ':21\r\n');
  assert.equal(run('DECRBY', 'n', '30'), ':-9\r\n');
});
