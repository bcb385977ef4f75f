/*
 * List commands driven in-process: keyspace notifications (names and order,
 * as redis-server 7.0.15 publishes them for the same commands), propagated
 * rewrites (BLPOP -> LPOP, LMPOP -> LPOP key count, BLMOVE -> LMOVE, and
 * the effect of serving a blocked client), dirty counting, and the generic
 * commands that work through the type's dup/digest/memory hooks.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { NOTIFY_ALL, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT } from '../../src/keyspace/notify-flags';
import { inProcess, recordEffects } from '../helpers/inprocess';

function setup() {
  const h = inProcess();
  return { ...h, ...recordEffects(h.server, NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) };
}

test('notifications of pushes, pops and in-place changes', () => {
  const { server, run, take } = setup();
  const d0 = server.keyspace.dirty;
  assert.equal(run('RPUSH', 'l', 'x', 'y'), ':2\r\n');
  assert.deepEqual(take(), { events: ['rpush:l'], props: [] });
  assert.equal(server.keyspace.dirty - d0, 2);
  assert.equal(run('LPOP', 'l'), '$1\r\nx\r\n');
  assert.deepEqual(take().events, ['lpop:l']);
  assert.equal(run('RPOP', 'l', '5'), '*1\r\n$1\r\ny\r\n');
  assert.deepEqual(take().events, ['rpop:l', 'del:l']);
  run('RPUSH', 'l', 'x');
  take();
  assert.equal(run('LMOVE', 'l', 'd', 'LEFT', 'RIGHT'), '$1\r\nx\r\n');
  assert.deepEqual(take(), { events: ['rpush:d', 'lpop:l', 'del:l'], props: [] });
  assert.equal(run('LMOVE', 'd', 'd', 'LEFT', 'RIGHT'), '$1\r\nx\r\n');
  assert.deepEqual(take().events, ['rpush:d', 'lpop:d']);
  run('RPUSH', 'l', 'a', 'b', 'c');
  take();
  run('LSET', 'l', '0', 'z');
  run('LINSERT', 'l', 'BEFORE', 'b', 'q');
  run('LINSERT', 'l', 'BEFORE', 'nope', 'q');
  run('LREM', 'l', '0', 'q');
  run('LREM', 'l', '0', 'nope');
  run('LTRIM', 'l', '0', '-1');
  run('LTRIM', 'l', '5', '1');
  run('LTRIM', 'nokey', '5', '1');
  assert.deepEqual(take().events, ['lset:l', 'linsert:l', 'lrem:l', 'ltrim:l', 'ltrim:l', 'del:l']);
  run('LPUSHX', 'nokey', 'a');
  assert.deepEqual(take().events, []);
});

test('LMPOP and non-blocking BLPOP/BLMOVE propagate their rewritten forms', () => {
  const { run, take } = setup();
  run('RPUSH', 'l', 'a', 'b', 'c');
  take();
  assert.equal(run('LMPOP', '1', 'l', 'RIGHT', 'COUNT', '2'), '*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n');
  assert.deepEqual(take(), { events: ['rpop:l'], props: ['RPOP l 2'] });
  assert.equal(run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '9'), '*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n');
  assert.deepEqual(take(), { events: ['lpop:l', 'del:l'], props: ['LPOP l 1'] });
  assert.equal(run('LMPOP', '1', 'l', 'LEFT'), '*-1\r\n');
  assert.deepEqual(take(), { events: [], props: [] });
  run('RPUSH', 'l', 'a', 'b');
  take();
  assert.equal(run('BRPOP', 'nokey', 'l', '0'), '*2\r\n$1\r\nl\r\n$1\r\nb\r\n');
  assert.deepEqual(take(), { events: ['rpop:l'], props: ['RPOP l'] });
  assert.equal(run('BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '3'), '*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n');
  assert.deepEqual(take(), { events: ['lpop:l', 'del:l'], props: ['LPOP l 1'] });
  run('RPUSH', 'l', 'a', 'b');
  take();
  assert.equal(run('BLMOVE', 'l', 'd', 'RIGHT', 'LEFT', '0'), '$1\r\nb\r\n');
  assert.deepEqual(take(), { events: ['lpush:d', 'rpop:l'], props: ['LMOVE l d RIGHT LEFT'] });
  assert.equal(run('BRPOPLPUSH', 'l', 'd', '0'), '$1\r\na\r\n');
  assert.deepEqual(take(), { events: ['lpush:d', 'rpop:l', 'del:l'], props: ['RPOPLPUSH l d'] });
});

test('serving blocked clients: replies, events and propagation', () => {
  const { client, run, runOn, take } = setup();
  const b = client();
  assert.equal(runOn(b, 'BLPOP', 'w', '0'), '');
  assert.notEqual(b.blockState, null);
  run('SET', 'w', 'str');
  assert.notEqual(b.blockState, null);
  run('DEL', 'w');
  take();
  assert.equal(run('RPUSH', 'w', '1', '2'), ':2\r\n');
  assert.equal(b.blockState, null);
  assert.equal(b.reply.take().toString('latin1'), '*2\r\n$1\r\nw\r\n$1\r\n1\r\n');
  assert.deepEqual(take(), { events: ['rpush:w', 'lpop:w'], props: ['LPOP w'] });

  assert.equal(runOn(b, 'BLMOVE', 'w2', 'dd', 'RIGHT', 'LEFT', '0'), '');
  assert.equal(run('LPUSH', 'w2', 'v'), ':1\r\n');
  assert.equal(b.reply.take().toString('latin1'), '$1\r\nv\r\n');
  assert.deepEqual(take(), { events: ['lpush:w2', 'lpush:dd', 'rpop:w2', 'del:w2'], props: ['LMOVE w2 dd RIGHT LEFT'] });

  assert.equal(runOn(b, 'BRPOPLPUSH', 'w3', 'dd', '0'), '');
  run('LPUSH', 'w3', 'v');
  assert.equal(b.reply.take().toString('latin1'), '$1\r\nv\r\n');
  assert.deepEqual(take().props, ['RPOPLPUSH w3 dd']);

  assert.equal(runOn(b, 'BLMPOP', '0', '2', 'w4', 'w5', 'LEFT', 'COUNT', '2'), '');
  run('RPUSH', 'w5', '1', '2', '3');
  assert.equal(b.reply.take().toString('latin1'), '*2\r\n$2\r\nw5\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  assert.deepEqual(take(), { events: ['rpush:w5', 'lpop:w5'], props: ['LPOP w5 2'] });
});

test('a timeout beyond what a Node timer takes still waits', async () => {
  const { client, runOn } = setup();
  const b = client();
  // 30 days: more than 2^31-1 ms
  assert.equal(runOn(b, 'BLPOP', 'w', '2592000'), '');
  await new Promise((r) => setTimeout(r, 50));
  assert.notEqual(b.blockState, null);
  b.server.blocking.unblock(b, false);
  assert.equal(b.reply.take().toString('latin1'), '*-1\r\n');
});

test('blocking commands inside MULTI or scripts reply as on timeout', () => {
  const { c, run } = setup();
  c.denyBlocking = true;
  assert.equal(run('BLPOP', 'nokey', '0'), '*-1\r\n');
  assert.equal(run('BLMPOP', '0', '1', 'nokey', 'LEFT'), '*-1\r\n');
  assert.equal(run('BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0'), '$-1\r\n');
  assert.equal(run('BRPOPLPUSH', 'nokey', 'x', '0'), '$-1\r\n');
  assert.equal(c.blockState, null);
});

test('COPY, DEBUG DIGEST-VALUE, MEMORY USAGE and DEBUG OBJECT on lists', () => {
  const { server, run } = setup();
  server.config.enableDebugCommand = 'yes';
  run('RPUSH', 'l', 'a', 'b', '1', '2', '300', 'x'.repeat(100));
  // figures from redis-server 7.0.15 holding the same list
  assert.equal(run('MEMORY', 'USAGE', 'l'), ':256\r\n');
  assert.match(run('DEBUG', 'OBJECT', 'l'), / encoding:quicklist .* ql_nodes:1 ql_avg_node:6\.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:123\r\n$/);
  const digest = run('DEBUG', 'DIGEST-VALUE', 'l');
  assert.equal(run('COPY', 'l', 'l2'), ':1\r\n');
  assert.equal(run('DEBUG', 'DIGEST-VALUE', 'l2'), digest);
  run('RPUSH', 'l2', 'z');
  assert.equal(run('LLEN', 'l'), ':6\r\n');
  assert.notEqual(run('DEBUG', 'DIGEST-VALUE', 'l2'), digest);
  const args: string[] = [];
  for (let i = 0; i < 2000; i++) args.push('element:' + i);
  run('RPUSH', 'big', ...args);
  assert.equal(run('MEMORY', 'USAGE', 'big'), ':27384\r\n');
  assert.match(run('DEBUG', 'OBJECT', 'big'), / ql_nodes:4 ql_avg_node:500\.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:26918\r\n$/);
  run('CONFIG', 'SET', 'list-max-listpack-size', '5');
  run('RPUSH', 'small', ...Array.from({ length: 23 }, (_, i) => String(i)));
  assert.equal(run('MEMORY', 'USAGE', 'small'), ':432\r\n');
  assert.match(run('DEBUG', 'OBJECT', 'small'), / ql_nodes:5 ql_avg_node:4\.60 ql_listpack_max:5 /);
});
