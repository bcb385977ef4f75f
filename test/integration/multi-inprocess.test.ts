/*
 * Transactions driven in-process, for what a client cannot observe over
 * TCP: refusals by command gates (the hook OOM and busy-script checks use)
 * inside MULTI and of EXEC itself, c.denyBlocking while EXEC runs, the
 * single instant the commands of one EXEC see, and the cleanup of a freed
 * client's WATCHes.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inProcess } from '../helpers/inprocess';

let gateFor: { name: string; refusal: string | true } | null = null;

function setup() {
  const { server, c, client, runOn } = inProcess();
  server.host.addCommandGate((_srv, cl, cmd) => {
    if (gateFor === null || cmd.fullName !== gateFor.name) return false;
    if (gateFor.refusal === true) {
      cl.error('OOM command not allowed when used memory > \'maxmemory\'.');
      return true;
    }
    return gateFor.refusal;
  });
  return { server, c, client, run: runOn };
}

const Q = '+QUEUED\r\n';
const BUSY = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.';

test('a gate refusing a command inside MULTI makes EXEC abort', () => {
  const { c, run, server } = setup();
  try {
    assert.equal(run(c, 'MULTI'), '+OK\r\n');
    assert.equal(run(c, 'SET', 'a', '1'), Q);
    gateFor = { name: 'set', refusal: BUSY };
    assert.equal(run(c, 'SET', 'b', '1'), `-${BUSY}\r\n`);
    gateFor = { name: 'set', refusal: true };
    assert.equal(run(c, 'SET', 'b', '1'), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    gateFor = null;
    assert.equal(run(c, 'EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
    assert.equal(server.keyspace.dbs[0].exists('a'), false);
    assert.equal(server.commands.lookupFull('set')?.stats.rejectedCalls, 2);
  } finally {
    gateFor = null;
  }
});

test('a gate refusing EXEC discards the transaction with EXECABORT and its reason', () => {
  const { c, run, server } = setup();
  try {
    run(c, 'MULTI');
    run(c, 'SET', 'a', '1');
    gateFor = { name: 'exec', refusal: BUSY };
    assert.equal(run(c, 'EXEC'), `-EXECABORT Transaction discarded because of: ${BUSY}\r\n`);
    gateFor = null;
    assert.equal(c.multi.queued, -1);
    assert.equal(run(c, 'EXEC'), '-ERR EXEC without MULTI\r\n');
    assert.equal(server.keyspace.dbs[0].exists('a'), false);
    assert.equal(server.commands.lookupFull('exec')?.stats.rejectedCalls, 1);
  } finally {
    gateFor = null;
  }
});

test('EXEC runs its commands with denyBlocking, at one instant', () => {
  const { c, run, server } = setup();
  const seen: { key: string; deny: boolean | undefined; now: number }[] = [];
  server.keyspace.onModified((_db, key) => {
    seen.push({ key, deny: server.current?.denyBlocking, now: server.keyspace.now });
    // let the clock move on between the two writes
    const until = performance.now() + 3;
    while (performance.now() < until) { /* spin */ }
  });
  run(c, 'MULTI');
  run(c, 'SET', 'a', '1');
  run(c, 'SET', 'b', '1');
  assert.equal(run(c, 'EXEC'), '*2\r\n+OK\r\n+OK\r\n');
  assert.equal(seen.length, 2);
  assert.deepEqual(seen.map((s) => s.deny), [true, true]);
  assert.equal(seen[0].now, seen[1].now);
  assert.equal(c.denyBlocking, false);
  // outside a transaction each command has its own instant
  seen.length = 0;
  run(c, 'SET', 'a', '2');
  run(c, 'SET', 'b', '2');
  assert.ok(seen[1].now > seen[0].now);
  assert.deepEqual(seen.map((s) => s.deny), [false, false]);
});

test('a freed or reset client stops watching; others are still touched', () => {
  const { c, client, run, server } = setup();
  const d = client();
  const e = client();
  run(c, 'WATCH', 'x');
  run(d, 'WATCH', 'x', 'y');
  run(e, 'WATCH', 'y');
  server.freeClient(c);
  server.resetClient(d);
  run(e, 'SET', 'x', '1');
  assert.equal(c.multi.dirtyCas, false);
  assert.equal(d.multi.dirtyCas, false);
  assert.equal(e.multi.dirtyCas, false);
  run(e, 'SET', 'y', '1');
  assert.equal(e.multi.dirtyCas, true);
  assert.equal(d.multi.dirtyCas, false);
  run(e, 'MULTI');
  assert.equal(run(e, 'EXEC'), '*-1\r\n');
  assert.equal(e.multi.dirtyCas, false);
});
