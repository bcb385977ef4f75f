/*
 * The printf-compatible formatting INFO relies on (no server needed):
 * %.2f with glibc's ties-to-even on exact binary values, trimmed %f, and
 * Redis's bytesToHuman.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fixed, trimmedF, bytesToHuman, secUsec, safeInfoString } from '../../src/info/format';
import { hdrHighestEquivalentUsec } from '../../src/info/info';

test('fixed() is printf %.Nf', () => {
  assert.equal(fixed(0.125, 2), '0.12'); // exact tie: to even
  assert.equal(fixed(0.375, 2), '0.38');
  assert.equal(fixed(2.5, 0), '2');
  assert.equal(fixed(3.5, 0), '4');
  assert.equal(fixed(1.005, 2), '1.00'); // 1.005 is below the tie in binary
  assert.equal(fixed(15.0390625, 3), '15.039');
  assert.equal(fixed(-0.125, 2), '-0.12');
  assert.equal(fixed(100, 2), '100.00');
  assert.equal(fixed(0, 3), '0.000');
});

test('trimmedF() is %f without trailing zeros', () => {
  assert.equal(trimmedF(50), '50');
  assert.equal(trimmedF(99.9), '99.9');
  assert.equal(trimmedF(0), '0');
  assert.equal(trimmedF(99.99), '99.99');
});

test('bytesToHuman() as Redis', () => {
  assert.equal(bytesToHuman(0), '0B');
  assert.equal(bytesToHuman(1023), '1023B');
  assert.equal(bytesToHuman(1024), '1.00K');
  assert.equal(bytesToHuman(1015184), '991.39K');
  assert.equal(bytesToHuman(12271616), '11.70M');
  assert.equal(bytesToHuman(25276510208), '23.54G');
});

test('seconds.microseconds and unsafe characters', () => {
  assert.equal(secUsec(3427), '0.003427');
  assert.equal(secUsec(12_000_001), '12.000001');
  assert.equal(safeInfoString('a:b#c\r\nd'), 'a_b_c__d');
});

test('latency figures on Redis\'s HDR grid', () => {
  assert.equal(fixed(hdrHighestEquivalentUsec(15), 3), '15.039');
  assert.equal(fixed(hdrHighestEquivalentUsec(7), 3), '7.007');
  assert.equal(fixed(hdrHighestEquivalentUsec(32), 3), '32.127');
  assert.equal(fixed(hdrHighestEquivalentUsec(0.1), 3), '0.100');
});
