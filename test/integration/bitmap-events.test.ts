/*
 * Bitmap commands in-process: keyspace notifications (names and order as
 * redis-server 7.0.15 sends them for the same sequence, notify-keyspace-events
 * KEAn) and what is propagated: writes that changed nothing (same bit, FAILed
 * BITFIELD, BITOP deleting a missing key) send neither.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Server } from '../../src/server/server';
import { Config } from '../../src/config/config';
import { Client } from '../../src/server/client';
import { executeCommand } from '../../src/server/dispatch';
import { NOTIFY_ALL, NOTIFY_NEW, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT } from '../../src/keyspace/notify-flags';

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
  const server = new Server(new Config());
  const c = new Client(server, null, 1, server.keyspace.dbs[0], '127.0.0.1:1', '127.0.0.1:2', -1);
  const events: string[] = [];
  const props: string[] = [];
  server.keyspace.notifyFlags = NOTIFY_ALL | NOTIFY_NEW | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT;
  server.keyspace.onNotify((_t, ev, key) => events.push(`${ev}:${key}`));
  server.keyspace.onPropagate((_db, argv) => props.push(argv.join(' ')));
  for (const [line, want, propagated] of SEQUENCE) {
    const before = server.keyspace.dirty;
    executeCommand(server, c, line.split(' '));
    c.reply.take();
    assert.deepEqual(events.splice(0), want, line);
    assert.equal(server.keyspace.dirty > before, propagated, `dirty after ${line}`);
  }
  // nothing sends its own rewrite: the propagator sends each changing command's argv
  assert.deepEqual(props, []);
  assert.equal(server.keyspace.dbs[0].exists('g'), true);
});
