/*
 * Hash and set commands in-process: keyspace notifications (names and
 * order, as redis-server 7.0.15 sends them for the same sequence),
 * propagated rewrites (SPOP -> SREM/DEL, HINCRBYFLOAT -> HSET) and dirty.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inProcess, recordEffects } from '../helpers/inprocess';

function setup() {
  const h = inProcess();
  const run = (line: string): string => h.run(...line.split(' '));
  return { ...h, ...recordEffects(h.server), run };
}

/** [command, events] as recorded from redis-server 7.0.15 (notify-keyspace-events KEAn). */
const SEQUENCE: [string, string[]][] = [
  ['HSET h a 1 b 2', ['new:h', 'hset:h']],
  ['HSET h a 3', ['hset:h']],
  ['HSETNX h a 1', []],
  ['HSETNX h c 1', ['hset:h']],
  ['HDEL h a x', ['hdel:h']],
  ['HDEL h b c', ['hdel:h', 'del:h']],
  ['HINCRBY h n 1', ['new:h', 'hincrby:h']],
  ['HINCRBYFLOAT h f 1.5', ['hincrbyfloat:h']],
  ['HMSET h z 1', ['hset:h']],
  ['SADD s 1 2 3', ['new:s', 'sadd:s']],
  ['SADD s 1', []],
  ['SREM s 1 9', ['srem:s']],
  ['SREM s 2 3', ['srem:s', 'del:s']],
  ['SADD s 1 2 3 4 5', ['new:s', 'sadd:s']],
  ['SPOP s', ['spop:s']],
  ['SPOP s 2', ['spop:s']],
  ['SPOP s 10', ['spop:s', 'del:s']],
  ['SADD a 1 2', ['new:a', 'sadd:a']],
  ['SMOVE a b 1', ['srem:a', 'new:b', 'sadd:b']],
  ['SMOVE a b 2', ['srem:a', 'del:a', 'sadd:b']],
  ['SADD a 5', ['new:a', 'sadd:a']],
  ['SADD b 5', ['sadd:b']],
  ['SMOVE a b 5', ['srem:a', 'del:a']],
  ['SINTERSTORE d b a', []],
  ['SUNIONSTORE d b nokey', ['new:d', 'sunionstore:d']],
  ['SDIFFSTORE d b b', ['del:d']],
  ['SDIFFSTORE d b b', []],
  ['SADD x 1 2 3 4 5 6 7 8 9 10', ['new:x', 'sadd:x']],
  ['SPOP x 9', ['spop:x']],
];

test('notifications of hash and set commands match Redis, in order', () => {
  const { run, take } = setup();
  for (const [cmd, events] of SEQUENCE) {
    run(cmd);
    assert.deepEqual(take().events, events, cmd);
  }
});

test('SPOP propagates SREM per member, or DEL when the whole set goes', () => {
  const { server, run, take } = setup();
  run('SADD s a');
  take();
  assert.equal(run('SPOP s'), '$1\r\na\r\n');
  assert.deepEqual(take().props, ['SREM s a']);
  run('SADD s 1 2 3 4 5 6 7 8 9 10');
  take();
  // few popped: one by one (CASE 2)
  const r2 = run('SPOP s 2');
  const p2 = take().props;
  assert.equal(p2.length, 2);
  for (const p of p2) assert.match(p, /^SREM s \d+$/);
  assert.equal(r2.split('\r\n')[0], '*2');
  // most popped: the rest is kept in a new set (CASE 3)
  run('SPOP s 7');
  const p3 = take().props;
  assert.equal(p3.length, 7);
  assert.equal(run('SCARD s'), ':1\r\n');
  run('SPOP s 5');
  assert.deepEqual(take().props, ['DEL s']);
  server.config.lazyfreeLazyServerDel = true;
  run('SADD s 1');
  take();
  run('SPOP s 1');
  assert.deepEqual(take().props, ['UNLINK s']);
});

test('HINCRBYFLOAT propagates HSET with the final value; dirty counts', () => {
  const { server, run, take } = setup();
  const d0 = server.keyspace.dirty;
  run('HINCRBYFLOAT h f 1.1');
  run('HINCRBYFLOAT h f 0.1');
  assert.deepEqual(take().props, ['HSET h f 1.1', 'HSET h f 1.2']);
  assert.equal(server.keyspace.dirty - d0, 2);
  run('HSET h a 1 b 2 a 3');
  assert.equal(server.keyspace.dirty - d0, 5);
  run('HDEL h a b zz');
  assert.equal(server.keyspace.dirty - d0, 7);
  run('SADD s 1 2 3 3');
  assert.equal(server.keyspace.dirty - d0, 10);
  run('SPOP s 10');
  assert.equal(server.keyspace.dirty - d0, 20);
  assert.deepEqual(take().props, ['DEL s']);
});

test('a failing write leaves no empty key behind', () => {
  const { run } = setup();
  assert.equal(run('HINCRBYFLOAT h f inf'), '-ERR value is NaN or Infinity\r\n');
  assert.equal(run('EXISTS h'), ':0\r\n');
  assert.equal(run('HINCRBY h f x'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('EXISTS h'), ':0\r\n');
  assert.equal(run('SINTERSTORE d nokey'), ':0\r\n');
  assert.equal(run('EXISTS d'), ':0\r\n');
});
