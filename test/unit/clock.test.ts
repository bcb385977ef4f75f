/*
 * The clock module (src/util/clock.ts): the manual clock's time, timers
 * and set(); the real clock's agreement with Date.now() and its timers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ManualClock, RealClock, realClock } from '../../src/util/clock';

test('ManualClock: time stands still until advance()', () => {
  const clock = new ManualClock(1_700_000_000_000);
  assert.equal(clock.now(), 1_700_000_000_000);
  assert.equal(clock.mono(), 0);
  assert.equal(clock.mono() + clock.offset, 1_700_000_000_000);
  clock.advance(1500);
  assert.equal(clock.now(), 1_700_000_001_500);
  assert.equal(clock.mono(), 1500);
  clock.advance(0.25);
  assert.equal(clock.now(), 1_700_000_001_500);
  assert.equal(clock.mono(), 1500.25);
  assert.throws(() => clock.advance(-1), RangeError);
  assert.throws(() => clock.advance(Number.NaN), RangeError);
});

test('ManualClock: timers fire during advance(), in deadline order, with the clock at their deadline', () => {
  const clock = new ManualClock(0);
  const fired: [string, number][] = [];
  clock.setTimer(() => fired.push(['b', clock.now()]), 200);
  clock.setTimer(() => fired.push(['a', clock.now()]), 100);
  clock.setTimer(() => fired.push(['a2', clock.now()]), 100);
  const c = clock.setTimer(() => fired.push(['c', clock.now()]), 300);
  assert.equal(clock.pendingTimers, 4);
  clock.advance(99);
  assert.deepEqual(fired, []);
  clock.advance(1);
  assert.deepEqual(fired, [['a', 100], ['a2', 100]]);
  clock.clearTimer(c);
  clock.advance(1000);
  assert.deepEqual(fired, [['a', 100], ['a2', 100], ['b', 200]]);
  assert.equal(clock.now(), 1100);
  assert.equal(clock.pendingTimers, 0);
});

test('ManualClock: a timer set by a timer fires in the same advance() when due', () => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  clock.setTimer(() => {
    fired.push(clock.now());
    clock.setTimer(() => fired.push(clock.now()), 50);
  }, 100);
  clock.advance(1000);
  assert.deepEqual(fired, [100, 150]);
  // a zero delay waits for the next advance, advance(0) included
  clock.setTimer(() => fired.push(clock.now()), 0);
  assert.deepEqual(fired, [100, 150]);
  clock.advance(0);
  assert.deepEqual(fired, [100, 150, 1000]);
});

test('ManualClock: set() moves forward like advance(), backward only the wall clock', () => {
  const clock = new ManualClock(10_000);
  let fired = 0;
  clock.setTimer(() => fired++, 5000);
  clock.set(12_000);
  assert.equal(clock.now(), 12_000);
  assert.equal(clock.mono(), 2000);
  assert.equal(fired, 0);
  clock.set(1000);
  assert.equal(clock.now(), 1000);
  assert.equal(clock.mono(), 2000);
  assert.equal(fired, 0);
  clock.advance(3000);
  assert.equal(fired, 1);
  assert.equal(clock.now(), 4000);
});

test('RealClock: now() is Date.now(), mono() + offset follows it', () => {
  for (const clock of [realClock, new RealClock()]) {
    const before = Date.now();
    const now = clock.now();
    const derived = Math.floor(clock.mono() + clock.offset);
    const after = Date.now();
    assert.ok(now >= before && now <= after);
    assert.ok(derived >= before - 2 && derived <= after + 2, `${derived} not within [${before}, ${after}]`);
    clock.resync();
    const d2 = Math.floor(clock.mono() + clock.offset);
    assert.ok(Math.abs(d2 - Date.now()) <= 2);
  }
});

test('RealClock: timers run in real time and can be cleared', async () => {
  const clock = new RealClock();
  let cleared = false;
  const t = clock.setTimer(() => { cleared = true; }, 5);
  clock.clearTimer(t);
  const start = Date.now();
  await new Promise<void>((resolve) => clock.setTimer(resolve, 20));
  assert.ok(Date.now() - start >= 15);
  assert.equal(cleared, false);
});
