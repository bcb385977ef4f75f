/*
 * Dict: the hash table behind the keyspace. The properties Redis relies on:
 * SCAN's guarantee across grows and shrinks, uniform random sampling, safe
 * deletion during iteration, and plain map semantics.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Dict, setDictHashSeed } from '../../src/types/dict';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('behaves like a Map under random operations', () => {
  setDictHashSeed(1);
  const rnd = prng(1);
  const d = new Dict<number>(true);
  const m = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const k = `k${Math.floor(rnd() * 500)}`;
    const op = rnd();
    if (op < 0.5) {
      d.set(k, i);
      m.set(k, i);
    } else if (op < 0.9) {
      assert.equal(d.delete(k), m.delete(k));
    } else {
      assert.equal(d.get(k), m.get(k));
      assert.equal(d.has(k), m.has(k));
    }
    assert.equal(d.size, m.size);
  }
  const seen = new Map<string, number>();
  d.forEach((k, v) => seen.set(k, v));
  assert.deepEqual([...seen.entries()].sort(), [...m.entries()].sort());
  assert.deepEqual(d.keyList().sort(), [...m.keys()].sort());
});

/**
 * Scan from cursor 0 to the end, letting `between` change the table after
 * every call; returns the set of keys reported.
 */
function fullScan(d: Dict<number>, between: (step: number) => void, count = 1): Set<string> {
  const seen = new Set<string>();
  let cursor = 0;
  let steps = 0;
  do {
    // like SCAN ... COUNT count: visit buckets until count entries came back
    let got = 0;
    do {
      cursor = d.scan(cursor, (k) => {
        seen.add(k);
        got++;
      });
    } while (cursor !== 0 && got < count);
    between(steps++);
    assert.ok(steps < 1_000_000, 'scan must terminate');
  } while (cursor !== 0);
  return seen;
}

test('SCAN reports every key present for the whole iteration while the table grows', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    setDictHashSeed(seed);
    const d = new Dict<number>();
    for (let i = 0; i < 100; i++) d.set(`base:${i}`, i);
    let n = 0;
    // 10 new keys per SCAN COUNT 10 call, as Redis's "SCAN guarantees
    // check under write load" test does
    const seen = fullScan(d, () => {
      for (let j = 0; j < 10; j++) d.set(`added:${seed}:${n++}`, 0);
    }, 10);
    for (let i = 0; i < 100; i++) assert.ok(seen.has(`base:${i}`), `seed ${seed}: missed base:${i}`);
    assert.ok(d.bucketCount >= 256, `the table did grow during the scan (${d.bucketCount})`);
  }
});

test('SCAN reports every key present for the whole iteration while the table shrinks and grows again', () => {
  for (const seed of [11, 12, 13, 14, 15, 16, 17, 18]) {
    setDictHashSeed(seed);
    const rnd = prng(seed);
    const d = new Dict<number>();
    for (let i = 0; i < 100; i++) d.set(`base:${i}`, i);
    const extra: string[] = [];
    for (let i = 0; i < 5000; i++) {
      extra.push(`extra:${i}`);
      d.set(`extra:${i}`, i);
    }
    let n = 0;
    const sizes = new Set<number>();
    const seen = fullScan(d, (step) => {
      sizes.add(d.bucketCount);
      const r = rnd();
      if (step === 2 || r < 0.15) {
        // delete most of the extra keys: the table shrinks (and compacts)
        while (extra.length > 10) d.delete(extra.pop() as string);
      } else if (r < 0.4) {
        for (let j = 0; j < 300; j++) {
          const k = `again:${n++}`;
          extra.push(k);
          d.set(k, 0);
        }
      } else if (r < 0.5) {
        for (let j = 0; j < 5 && extra.length > 0; j++) {
          const idx = Math.floor(rnd() * extra.length);
          d.delete(extra[idx]);
          extra.splice(idx, 1);
        }
      }
    });
    for (let i = 0; i < 100; i++) assert.ok(seen.has(`base:${i}`), `seed ${seed}: missed base:${i}`);
    assert.ok(sizes.size > 1, 'the table changed size during the scan');
  }
});

test('SCAN on an empty table returns cursor 0; any cursor is accepted', () => {
  const d = new Dict<number>();
  assert.equal(d.scan(12345, () => assert.fail('no entries')), 0);
  for (let i = 0; i < 10; i++) d.set(`k${i}`, i);
  // a cursor larger than the table: only its low bits select the bucket
  let cursor = 0xfffffff0;
  let calls = 0;
  do {
    cursor = d.scan(cursor, () => undefined);
    calls++;
  } while (cursor !== 0 && calls < 100);
  assert.equal(cursor, 0);
});

test('randomId is roughly uniform, with and without freed slots', () => {
  setDictHashSeed(3);
  const d = new Dict<number>();
  for (let i = 0; i < 40; i++) d.set(`k${i}`, i);
  // free every other entry that is not one of the 10 kept keys: the slab has holes
  for (let i = 10; i < 40; i++) d.delete(`k${i}`);
  assert.equal(d.size, 10);
  const counts = new Map<string, number>();
  const N = 100000;
  for (let i = 0; i < N; i++) {
    const id = d.randomId();
    const k = d.keyAt(id);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.equal(counts.size, 10);
  for (const [k, c] of counts) {
    assert.ok(c > N / 10 * 0.85 && c < N / 10 * 1.15, `${k} drawn ${c} times`);
  }
  const empty = new Dict<number>();
  assert.equal(empty.randomId(), -1);
});

test('deleting the visited key during forEach is safe and every other key is visited once', () => {
  setDictHashSeed(5);
  const d = new Dict<number>();
  for (let i = 0; i < 1000; i++) d.set(`k${i}`, i);
  const visited: string[] = [];
  d.forEach((k, v) => {
    visited.push(k);
    if (v % 2 === 0) d.delete(k);
  });
  assert.equal(visited.length, 1000);
  assert.equal(new Set(visited).size, 1000);
  assert.equal(d.size, 500);
  for (let i = 0; i < 1000; i++) assert.equal(d.has(`k${i}`), i % 2 === 1);
});

test('deleting everything during forEach shrinks the table afterwards, keys deleted ahead are skipped', () => {
  const d = new Dict<number>();
  for (let i = 0; i < 1000; i++) d.set(`k${i}`, i);
  const before = d.bucketCount;
  let visits = 0;
  d.forEach((k, v) => {
    visits++;
    d.delete(k);
    // also delete a key that may not have been visited yet
    d.delete(`k${999 - v}`);
  });
  assert.equal(d.size, 0);
  assert.ok(visits <= 1000 && visits >= 500);
  assert.ok(d.bucketCount < before, 'shrunk once the iteration ended');
  d.set('again', 1);
  assert.equal(d.get('again'), 1);
});

test('entry ids and the clock column', () => {
  const d = new Dict<string>(true);
  const id = d.set('a', 'x');
  assert.equal(d.find('a'), id);
  assert.equal(d.keyAt(id), 'a');
  assert.equal(d.valueAt(id), 'x');
  assert.equal(d.clockAt(id), 0);
  d.setClockAt(id, 12345);
  assert.equal(d.clockAt(id), 12345);
  assert.equal(d.set('a', 'y'), id, 'replacing keeps the id and the clock');
  assert.equal(d.clockAt(id), 12345);
  const noClock = new Dict<string>();
  const j = noClock.set('a', 'x');
  noClock.setClockAt(j, 5);
  assert.equal(noClock.clockAt(j), 0);
});
