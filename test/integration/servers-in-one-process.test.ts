/*
 * Several servers in one process are independent (issue #12): the scenario
 * in test/helpers/servers-in-one-process.ts runs three servers with
 * different AOF, maxmemory, replication and password settings in a child
 * process, checks that each answers for itself, closes two and checks that
 * the third still works and the two are collected. Here: every step passed,
 * and the child exits by itself once the last server is closed (no timer,
 * socket or worker left behind).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const SCENARIO = path.join(__dirname, '..', 'helpers', 'servers-in-one-process.js');

test('three servers in one process answer for themselves, and closing them leaves nothing behind', async () => {
  const child = spawn(process.execPath, ['--expose-gc', SCENARIO], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODIS_SERVERS_SCENARIO: '1' },
  });
  let out = '';
  let err = '';
  let doneAt = 0;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (doneAt === 0 && /^done$/m.test(out)) doneAt = Date.now();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // a process that does not exit by itself is a failure: give it a generous minute in all
  const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  assert.equal(signal, null, `the scenario did not exit by itself\nstdout:\n${out}\nstderr:\n${err}`);
  assert.equal(code, 0, `stdout:\n${out}\nstderr:\n${err}`);
  assert.deepEqual(out.trim().split('\n'), [
    'ok acl',
    'ok gates',
    'ok info replication',
    'ok info persistence',
    'ok info memory',
    'ok info stats',
    'ok debug loadaof',
    'ok debug config-rewrite-force-all',
    'ok third server still works',
    'ok closed servers released',
    'done',
  ]);
  // once the last server is closed the event loop is empty: the exit follows at once
  assert.ok(Date.now() - doneAt < 20000, 'the process lingered after its last server closed');
});
