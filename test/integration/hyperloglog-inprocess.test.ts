/*
 * HyperLogLog commands in-process: keyspace notifications and the
 * replication stream for a sequence, both recorded from redis-server
 * 7.0.15 (notify-keyspace-events KEAn; a SYNC connection). PFCOUNT that
 * refreshes the cached estimate and PFDEBUG that converts to dense are
 * propagated without any event; a cached PFCOUNT is not propagated.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inProcess, recordEffects } from '../helpers/inprocess';

/** [command, reply, events, propagated] */
const SEQUENCE: [string, string, string[], string[]][] = [
  ['PFADD h', ':1\r\n', ['new:h', 'pfadd:h'], ['PFADD h']],
  ['PFADD h a b', ':1\r\n', ['pfadd:h'], ['PFADD h a b']],
  ['PFADD h a', ':0\r\n', [], []],
  ['PFCOUNT h', ':2\r\n', [], ['PFCOUNT h']],
  ['PFCOUNT h', ':2\r\n', [], []],
  ['PFMERGE m h', '+OK\r\n', ['new:m', 'pfadd:m'], ['PFMERGE m h']],
  ['PFMERGE m', '+OK\r\n', ['pfadd:m'], ['PFMERGE m']],
  ['PFCOUNT h m', ':2\r\n', [], []],
  ['PFDEBUG TODENSE h', ':1\r\n', [], ['PFDEBUG TODENSE h']],
  ['PFDEBUG TODENSE h', ':0\r\n', [], []],
  ['PFDEBUG ENCODING h', '+dense\r\n', [], []],
  ['PFADD x', ':1\r\n', ['new:x', 'pfadd:x'], ['PFADD x']],
  ['PFCOUNT x', ':0\r\n', [], ['PFCOUNT x']],
  ['PFCOUNT x', ':0\r\n', [], []],
];

test('notifications and propagation follow Redis for a PF* sequence', () => {
  const { server, run } = inProcess();
  const { events } = recordEffects(server);
  // the replication stream itself (PFCOUNT's refresh is not an explicit propagate)
  const props: string[] = [];
  server.propagator.addTarget((argv) => props.push(argv.join(' ')), () => true);
  for (const [line, reply, ev, prop] of SEQUENCE) {
    assert.equal(run(...line.split(' ')), reply, line);
    assert.deepEqual(events.splice(0), ev, line);
    assert.deepEqual(props.splice(0).filter((p) => !p.startsWith('SELECT')), prop, line);
  }
});
