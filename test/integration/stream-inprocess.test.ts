/*
 * Stream commands driven in-process: keyspace notification names and
 * order (as redis-server 7.0.15 publishes them for the same sequence),
 * dirty counting, WATCH-style modification signals, and the generic hooks
 * (TYPE, OBJECT ENCODING, COPY through dup, DEBUG DIGEST-VALUE).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { NOTIFY_ALL, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT } from '../../src/keyspace/notify-flags';
import { inProcess, recordEffects } from '../helpers/inprocess';

function setup() {
  const { server, run } = inProcess((config) => { config.enableDebugCommand = 'yes'; });
  const { events } = recordEffects(server, NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);
  const modified: string[] = [];
  server.keyspace.onModified((_db, key) => modified.push(key));
  return { server, run, events, modified };
}

test('notification names and order match redis-server', () => {
  const { run, events } = setup();
  const seq = [
    ['XADD', 's', 'MAXLEN', '1', '1-1', 'a', '1'],
    ['XADD', 's', 'MAXLEN', '1', '2-1', 'a', '1'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XGROUP', 'CREATE', 'm', 'g', '0', 'MKSTREAM'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'],
    ['XGROUP', 'SETID', 's', 'g', '0'],
    ['XCLAIM', 's', 'g', 'carol', '0', '2-1'],
    ['XDEL', 's', '2-1'],
    ['XSETID', 's', '5-5'],
    ['XGROUP', 'DELCONSUMER', 's', 'g', 'alice'],
    ['XGROUP', 'DESTROY', 's', 'g'],
    ['XTRIM', 'm', 'MAXLEN', '0'],
  ];
  for (const argv of seq) run(...argv);
  assert.deepEqual(events.map((e) => e.split(':')[0]), [
    'xadd', 'xadd', 'xtrim', 'xgroup-create', 'xgroup-create', 'xgroup-createconsumer', 'xgroup-createconsumer',
    'xgroup-setid', 'xgroup-createconsumer', 'xdel', 'xsetid', 'xgroup-delconsumer', 'xgroup-destroy',
  ]);
});

test('dirty counts and modification signals', () => {
  const { server, run, modified } = setup();
  const ks = server.keyspace;
  let d = ks.dirty;
  run('XADD', 's', '1-1', 'a', '1');
  run('XADD', 's', '2-1', 'a', '1');
  run('XADD', 's', '3-1', 'a', '1');
  assert.equal(ks.dirty - d, 3);
  assert.deepEqual([...new Set(modified.splice(0))], ['s']);
  d = ks.dirty;
  assert.equal(run('XDEL', 's', '1-1', '2-1', '9-9'), ':2\r\n');
  assert.equal(ks.dirty - d, 2);
  assert.deepEqual(modified.splice(0), ['s']);
  assert.equal(run('XDEL', 's', '9-9'), ':0\r\n');
  assert.deepEqual(modified.splice(0), []);
  run('XGROUP', 'CREATE', 's', 'g', '0');
  assert.deepEqual(modified.splice(0), []);
});

test('TYPE, OBJECT ENCODING, COPY and DEBUG DIGEST-VALUE', () => {
  const { run } = setup();
  run('XADD', 's', '1-1', 'a', '1', 'b', '2');
  run('XADD', 's', '2-1', 'a', '3', 'b', '4');
  run('XGROUP', 'CREATE', 's', 'g', '0');
  assert.equal(run('TYPE', 's'), '+stream\r\n');
  assert.equal(run('OBJECT', 'ENCODING', 's'), '$6\r\nstream\r\n');
  assert.equal(run('COPY', 's', 't'), ':1\r\n');
  run('XADD', 't', '3-1', 'c', '5');
  assert.equal(run('XLEN', 's'), ':2\r\n');
  assert.equal(run('XLEN', 't'), ':3\r\n');
  assert.equal(run('XINFO', 'GROUPS', 't').includes('$1\r\ng\r\n'), true);
  // recorded from redis-server 7.0.15 for the same stream content
  const want = '*1\r\n+1cb155dec17d9c56feda21a2fbadc87a93a3808c\r\n';
  assert.equal(run('DEBUG', 'DIGEST-VALUE', 's'), want);
  run('XDEL', 't', '3-1');
  assert.equal(run('DEBUG', 'DIGEST-VALUE', 't'), want);
});
