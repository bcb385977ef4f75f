/*
 * Geo commands driven in-process: keyspace events and their order (checked
 * against redis-server 7.0.15: GEOADD sends "zadd", stores send
 * "georadiusstore"/"geosearchstore", an empty result deletes the
 * destination with "del"), dirty counts, GEOADD propagated as the ZADD Redis
 * rewrites it into, and the encoding of stored results.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inProcess, recordEffects, dirtyCounter } from '../helpers/inprocess';

function setup() {
  const h = inProcess();
  return { ...h, ...recordEffects(h.server) };
}

test('GEOADD: events, dirty, propagated as ZADD with the scores', () => {
  const { server, run, take } = setup();
  const dirty = dirtyCounter(server);
  assert.equal(run('GEOADD', 'k', '1', '1', 'a', '2', '2', 'b'), ':2\r\n');
  assert.deepEqual(take(), { events: ['new:k', 'zadd:k'], props: ['zadd k 3377822707026402 a 3378191666521995 b'] });
  assert.equal(dirty(), 2);
  assert.equal(run('GEOADD', 'k', '1', '1', 'a'), ':0\r\n');
  assert.deepEqual(take(), { events: [], props: [] });
  assert.equal(dirty(), 0);
  assert.equal(run('GEOADD', 'k', 'XX', 'CH', '3', '3', 'a', '4', '4', 'c'), ':1\r\n');
  assert.deepEqual(take(), { events: ['zadd:k'], props: ['zadd k XX CH 3379368329318596 a 3379667504504364 c'] });
  assert.equal(dirty(), 1);
  assert.equal(run('ZSCORE', 'k', 'a'), '$16\r\n3379368329318596\r\n');
  // errors change nothing
  run('SET', 's', 'x');
  take();
  assert.equal(run('GEOADD', 's', '0', '0', 'a'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  assert.equal(run('GEOADD', 'k', '0', '0', 'a', '0', '90', 'b'), '-ERR invalid longitude,latitude pair 0.000000,90.000000\r\n');
  assert.deepEqual(take(), { events: [], props: [] });
  assert.equal(run('GEOADD', 'n', 'XX', '0', '0', 'a'), ':0\r\n');
  assert.equal(run('EXISTS', 'n'), ':0\r\n');
});

test('STORE / STOREDIST / GEOSEARCHSTORE: events, dirty, deletion of the destination', () => {
  const { server, run, take } = setup();
  const ks = server.keyspace;
  run('GEOADD', 'k', '1', '1', 'a', '2', '2', 'b');
  take();
  let d = ks.dirty;
  assert.equal(run('GEORADIUS', 'k', '1', '1', '500', 'km', 'STORE', 'out'), ':2\r\n');
  assert.deepEqual(take().events, ['new:out', 'georadiusstore:out']);
  assert.equal(ks.dirty - d, 2);
  assert.equal(run('ZRANGE', 'out', '0', '-1', 'WITHSCORES'), '*4\r\n$1\r\na\r\n$16\r\n3377822707026402\r\n$1\r\nb\r\n$16\r\n3378191666521995\r\n');
  assert.equal(run('GEORADIUS', 'k', '1', '1', '500', 'km', 'STOREDIST', 'out'), ':2\r\n');
  assert.deepEqual(take().events, ['georadiusstore:out']);
  assert.equal(run('ZRANGE', 'out', '0', '-1', 'WITHSCORES'), '*4\r\n$1\r\na\r\n$22\r\n6.0521617125866494e-05\r\n$1\r\nb\r\n$18\r\n157.27000884874039\r\n');
  run('SET', 's', 'x');
  take();
  assert.equal(run('GEOSEARCHSTORE', 's', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '500', 'km'), ':2\r\n');
  assert.deepEqual(take().events, ['geosearchstore:s']);
  assert.equal(run('TYPE', 's'), '+zset\r\n');
  assert.equal(run('OBJECT', 'ENCODING', 's'), '$8\r\nlistpack\r\n');
  d = ks.dirty;
  assert.equal(run('GEOSEARCHSTORE', 's', 'k', 'FROMLONLAT', '50', '50', 'BYRADIUS', '1', 'km'), ':0\r\n');
  assert.deepEqual(take().events, ['del:s']);
  assert.equal(ks.dirty - d, 1);
  assert.equal(run('GEORADIUS', 'nokey', '1', '1', '1', 'km', 'STORE', 'out'), ':0\r\n');
  assert.deepEqual(take().events, ['del:out']);
  assert.equal(run('GEORADIUS', 'nokey', '1', '1', '1', 'km', 'STORE', 'out'), ':0\r\n');
  assert.deepEqual(take().events, []);
});

test('stored results pick their encoding from the live limits', () => {
  const { run } = setup();
  run('GEOADD', 'k', '1', '1', 'a', '2', '2', 'b', '3', '3', 'c');
  assert.equal(run('CONFIG', 'SET', 'zset-max-listpack-entries', '2'), '+OK\r\n');
  assert.equal(run('GEORADIUS', 'k', '1', '1', '5000', 'km', 'STORE', 'o'), ':3\r\n');
  assert.equal(run('OBJECT', 'ENCODING', 'o'), '$8\r\nskiplist\r\n');
  assert.equal(run('GEORADIUS', 'k', '1', '1', '5000', 'km', 'STORE', 'o', 'COUNT', '2'), ':2\r\n');
  assert.equal(run('OBJECT', 'ENCODING', 'o'), '$8\r\nlistpack\r\n');
  assert.equal(run('ZRANGE', 'o', '0', '-1'), '*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  // the searches read both encodings alike
  assert.equal(run('GEOSEARCH', 'o', 'FROMMEMBER', 'b', 'BYRADIUS', '200', 'km', 'DESC'), '*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  assert.equal(run('CONFIG', 'SET', 'zset-max-listpack-value', '1'), '+OK\r\n');
  assert.equal(run('GEORADIUS', 'k', '1', '1', '5000', 'km', 'STORE', 'o', 'COUNT', '2'), ':2\r\n');
  assert.equal(run('OBJECT', 'ENCODING', 'o'), '$8\r\nlistpack\r\n');
  run('GEOADD', 'k', '0', '0', 'long');
  assert.equal(run('GEORADIUS', 'k', '0', '0', '1', 'km', 'STORE', 'o'), ':1\r\n');
  assert.equal(run('OBJECT', 'ENCODING', 'o'), '$8\r\nskiplist\r\n');
});
