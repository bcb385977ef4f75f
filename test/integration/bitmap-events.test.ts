/*
 * Bitmap commands in-process: keyspace notifications (names and order as
 * redis-server 7.0.15 sends them for the same sequence, notify-keyspace-events
 * KEAn) and what is propagated: writes that changed nothing (same bit, FAILed
 * BITFIELD, BITOP deleting a missing key) send neither.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inProcess, recordEffects, dirtyCounter } from '../helpers/inprocess';

/** [command, events, propagated] */
const SEQUENCE: [string, string[], boolean][] = [
  ['SETBIT b 3 1', ['new:b', 'setbit:b'], true],
  ['SETBIT b 3 1', [], false],
  ['SETBIT b 3 0', ['setbit:b'], true],
  ['SETBIT b 20 0', ['setbit:b'], true],
  ['BITFIELD f GET u8 0', [], false],
  ['BITFIELD f SET u8 0 0', ['new:f', 'setbit:f'], true],
  ['BITFIELD f SET u8 0 0', [], false],
  ['BITFIELD f INCRBY u8 0 1 INCRBY u8 8 1', ['setbit:f'], true],
  ['BITFIELD f OVERFLOW FAIL INCRBY u8 0 300', [], false],
  ['BITFIELD g OVERFLOW FAIL SET u8 0 300', ['new:g'], false],
  ['BITOP OR d b f', ['new:d', 'set:d'], true],
  ['BITOP AND d b nokey', ['set:d'], true],
  ['BITOP OR d nokey', ['del:d'], true],
  ['BITOP OR d nokey', [], false],
  ['SET e xy', ['new:e', 'set:e'], true],
  ['BITOP NOT d e', ['new:d', 'set:d'], true],
];

test('bitmap commands: keyspace events and propagation as Redis', () => {
  const { server, run } = inProcess();
  const { events, props } = recordEffects(server);
  const dirty = dirtyCounter(server);
  for (const [line, want, propagated] of SEQUENCE) {
    run(...line.split(' '));
    assert.deepEqual(events.splice(0), want, line);
    assert.equal(dirty() > 0, propagated, `dirty after ${line}`);
  }
  // nothing sends its own rewrite: the propagator sends each changing command's argv
  assert.deepEqual(props, []);
  assert.equal(server.keyspace.dbs[0].exists('g'), true);
});
