/*
 * SetValue: intset admission (string2ll's canonical 64-bit integers),
 * numeric ordering of the intset (Redis's iteration order), conversion to a
 * hashtable on a non-integer or past the size limit, pops, dup, and DEBUG
 * DIGEST values equal to redis-server 7.0.15's.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { SetValue, isInt64String, compareIntStrings } from '../../src/types/set';
import { xorObjectDigest } from '../../src/info/digest';

test('isInt64String accepts exactly what string2ll accepts', () => {
  for (const s of ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '123456789012345678']) assert.ok(isInt64String(s), s);
  for (const s of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', '9223372036854775808', '-9223372036854775809', '99999999999999999999', 'a']) {
    assert.ok(!isInt64String(s), s);
  }
});

test('compareIntStrings orders by numeric value', () => {
  const vals = ['-9223372036854775808', '-100', '-99', '-1', '0', '7', '10', '99', '100', '9223372036854775807'];
  const shuffled = vals.slice().reverse();
  shuffled.sort(compareIntStrings);
  assert.deepEqual(shuffled, vals);
  assert.equal(compareIntStrings('5', '5'), 0);
});

test('intset: sorted members, membership, removal, conversion rules', () => {
  const s = SetValue.forMember('5');
  assert.equal(s.encoding(), 'intset');
  for (const m of ['5', '3', '-1', '3', '10', '9223372036854775807']) s.add(m, 512);
  assert.deepEqual(s.members(), ['-1', '3', '5', '10', '9223372036854775807']);
  assert.ok(s.has('10'));
  assert.ok(!s.has('010'));
  assert.ok(!s.has('x'));
  assert.equal(s.remove('3'), true);
  assert.equal(s.remove('3'), false);
  assert.equal(s.remove('x'), false);
  assert.equal(s.add('x', 512), true);
  assert.equal(s.encoding(), 'hashtable');
  assert.equal(s.size, 5);
  assert.ok(s.has('10') && s.has('x'));
  const t = SetValue.forMember('1');
  t.add('1', 2);
  t.add('2', 2);
  assert.equal(t.encoding(), 'intset');
  t.add('3', 2);
  assert.equal(t.encoding(), 'hashtable');
  assert.equal(SetValue.forMember('a').encoding(), 'hashtable');
});

test('pop and random draw members; dup is independent', () => {
  const s = SetValue.forMember('1');
  for (let i = 0; i < 20; i++) s.add(String(i), 512);
  const copy = s.dup();
  const popped = new Set<string>();
  while (s.size > 0) popped.add(s.pop());
  assert.equal(popped.size, 20);
  assert.equal(copy.size, 20);
  const h = SetValue.forMember('a');
  for (let i = 0; i < 20; i++) h.add(`m${i}`, 512);
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) seen.add(h.random());
  assert.equal(seen.size, 20);
  const hc = h.dup();
  h.remove('m0');
  assert.ok(hc.has('m0'));
});

test('set digest equals Redis (DEBUG DIGEST-VALUE) in both encodings', () => {
  const s = SetValue.forMember('1');
  for (const m of ['1', '2', '3']) s.add(m, 512);
  const d = Buffer.alloc(20);
  xorObjectDigest(d, s, false);
  assert.equal(d.toString('hex'), '2a462a3f51a1db89738ebbeef0c47ce1bbc85246');
  s.toHashtable();
  const d2 = Buffer.alloc(20);
  xorObjectDigest(d2, s, false);
  assert.equal(d2.toString('hex'), '2a462a3f51a1db89738ebbeef0c47ce1bbc85246');
  const t = SetValue.forMember('a');
  for (const m of ['a', 'b', 'c']) t.add(m, 512);
  const d3 = Buffer.alloc(20);
  xorObjectDigest(d3, t, false);
  assert.equal(d3.toString('hex'), '593c2414786d75446e97f4ea5d4b731f3313da72');
});

test('set MEMORY USAGE figures in Redis terms', () => {
  const s = SetValue.forMember('1');
  for (const m of ['1', '2', '3']) s.add(m, 512);
  assert.equal(s.memoryUsage(5), 64 - 8 - 24);
  const t = SetValue.forMember('a');
  for (const m of ['a', 'b', 'c']) t.add(m, 512);
  assert.equal(t.memoryUsage(5), 232 - 8 - 24);
});
