/*
 * HashValue and the strpack encoding behind its listpack form: packing
 * round trips (short and long elements), field order as Redis's listpack
 * (appends, in-place updates, deletions), conversion to a hashtable, dup
 * independence, and DEBUG DIGEST values equal to redis-server 7.0.15's.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as sp from '../../src/types/strpack';
import { HashValue } from '../../src/types/hash';
import { xorObjectDigest } from '../../src/info/digest';

test('strpack: round trip of empty, short, 254/255-byte and long elements', () => {
  const items = ['', 'a', 'x'.repeat(254), 'y'.repeat(255), 'z'.repeat(70000), '\u00ff\u0000\r\n', 'end'];
  const p = sp.pack(items);
  assert.deepEqual(sp.unpack(p), items);
  assert.equal(sp.count(p), items.length);
  assert.equal(sp.pack([]), '');
  assert.equal(sp.count(''), 0);
  // header sizes: one char below 255, five from 255 on
  assert.equal(sp.pack(['x'.repeat(254)]).length, 255);
  assert.equal(sp.pack(['x'.repeat(255)]).length, 260);
});

test('HashValue listpack: insertion order, updates in place, deletions close the gap', () => {
  const h = new HashValue();
  assert.equal(h.encoding(), 'listpack');
  assert.equal(h.set('a', '1'), true);
  assert.equal(h.set('b', '2'), true);
  assert.equal(h.set('c', '3'), true);
  assert.equal(h.set('a', 'one'), false);
  assert.deepEqual(h.flat(), ['a', 'one', 'b', '2', 'c', '3']);
  assert.equal(h.get('b'), '2');
  assert.equal(h.get('zz'), undefined);
  assert.equal(h.valueLength('a'), 3);
  assert.equal(h.valueLength('zz'), -1);
  assert.equal(h.delete('b'), true);
  assert.equal(h.delete('b'), false);
  assert.deepEqual(h.flat(), ['a', 'one', 'c', '3']);
  assert.equal(h.size, 2);
  // a field equal to another field's value is not confused with it
  h.set('3', 'x');
  assert.equal(h.get('3'), 'x');
  assert.equal(h.get('c'), '3');
  h.delete('a');
  h.delete('c');
  h.delete('3');
  assert.equal(h.size, 0);
  assert.equal(h.data, '');
});

test('HashValue: long values inside the listpack form', () => {
  const h = new HashValue();
  const big = 'v'.repeat(100000);
  h.set('f', big);
  h.set('g', '');
  assert.equal(h.get('f'), big);
  h.set('f', 'small');
  assert.deepEqual(h.flat(), ['f', 'small', 'g', '']);
});

test('HashValue: conversion to a hashtable keeps every entry; dup is independent', () => {
  const h = new HashValue();
  for (let i = 0; i < 50; i++) h.set(`f${i}`, `v${i}`);
  const copy = h.dup();
  h.toHashtable();
  assert.equal(h.encoding(), 'hashtable');
  assert.equal(h.size, 50);
  for (let i = 0; i < 50; i++) assert.equal(h.get(`f${i}`), `v${i}`);
  h.set('f0', 'changed');
  h.delete('f1');
  assert.equal(copy.get('f0'), 'v0');
  assert.equal(copy.get('f1'), 'v1');
  assert.equal(copy.encoding(), 'listpack');
  const copy2 = h.dup();
  h.set('f2', 'x');
  assert.equal(copy2.get('f2'), 'v2');
  assert.equal(copy2.size, 49);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) seen.add(h.randomEntry()[0]);
  assert.ok(seen.size > 40);
});

test('HashValue digest equals Redis (DEBUG DIGEST-VALUE) in both encodings', () => {
  const h = new HashValue();
  h.set('a', '1');
  h.set('b', '2');
  const d = Buffer.alloc(20);
  xorObjectDigest(d, h, false);
  assert.equal(d.toString('hex'), '6c8f22b3bf510fdcfd6122dd0f908a80e88243bf');
  h.toHashtable();
  const d2 = Buffer.alloc(20);
  xorObjectDigest(d2, h, false);
  assert.equal(d2.toString('hex'), '6c8f22b3bf510fdcfd6122dd0f908a80e88243bf');
});

test('HashValue MEMORY USAGE figures in Redis terms', () => {
  const h = new HashValue();
  h.set('a', '1');
  h.set('b', '2');
  // Redis: MEMORY USAGE h = 80 for this hash (value part 80 - key 8 - entry 24)
  assert.equal(h.memoryUsage(5), 48);
});
