/*
 * StreamValue as a data structure: ID keys (order, parsing, formatting,
 * increments at the 64-bit limits), node splitting by entry count and by
 * bytes, seeks and ranges in both directions, deletion (node removal when
 * emptied), exact and approximate trimming, same-field compression, dup,
 * and the consumer-group lag rules.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  StreamValue, StreamIterator, MIN_ID, MAX_ID, idFromNumbers, idToString, idIncr, idDecr, parseU64, u64, makeId,
  INVALID_ENTRIES_READ, IdMap,
} from '../../src/types/stream';

function add(s: StreamValue, ms: number, seq: number, fields: string[], maxEntries = 100, maxBytes = 4096): void {
  s.append(idFromNumbers(ms, seq), ['XADD', 'k', 'id', ...fields], 3, maxEntries, maxBytes);
}

function range(s: StreamValue, start = MIN_ID, end = MAX_ID, rev = false): string[] {
  const out: string[] = [];
  const it = new StreamIterator(s, start, end, rev);
  while (it.next()) {
    const parts = [it.idString()];
    for (let i = 0; i < it.pairs; i++) {
      it.nextField();
      parts.push(it.field(), it.value());
    }
    out.push(parts.join(' '));
  }
  return out;
}

test('ID keys order like the numbers and format back', () => {
  const a = idFromNumbers(1, 2);
  const b = idFromNumbers(1, 10);
  const c = idFromNumbers(2, 0);
  assert.ok(a < b && b < c && MIN_ID < a && c < MAX_ID);
  assert.equal(idToString(a), '1-2');
  assert.equal(idToString(MAX_ID), '18446744073709551615-18446744073709551615');
  assert.equal(idToString(MIN_ID), '0-0');
  assert.equal(idToString(idIncr(idFromNumbers(5, 2 ** 53 - 1)) as string), '5-9007199254740992');
  assert.equal(idToString(idIncr(makeId(0, 7, 0xffffffff, 0xffffffff)) as string), '8-0');
  assert.equal(idIncr(MAX_ID), null);
  assert.equal(idDecr(MIN_ID), null);
  assert.equal(idToString(idDecr(idFromNumbers(8, 0)) as string), '7-18446744073709551615');
});

test('u64 parsing follows string2ull', () => {
  assert.ok(parseU64('18446744073709551615'));
  assert.equal(u64.hi, 0xffffffff);
  assert.equal(u64.lo, 0xffffffff);
  assert.ok(!parseU64('18446744073709551616'));
  assert.ok(!parseU64(''));
  assert.ok(!parseU64('-1'));
  assert.ok(!parseU64('1x'));
  assert.ok(parseU64('007'));
  assert.equal(u64.lo, 7);
  assert.ok(parseU64('+5'));
  assert.equal(u64.lo, 5);
});

test('nodes split at stream-node-max-entries and by bytes', () => {
  const s = new StreamValue();
  for (let i = 1; i <= 25; i++) add(s, i, 0, ['f', String(i)], 10);
  assert.equal(s.nodes.length, 3);
  assert.equal(s.length, 25);
  assert.deepEqual(range(s).slice(0, 2), ['1-0 f 1', '2-0 f 2']);
  const big = new StreamValue();
  const v = 'x'.repeat(300);
  for (let i = 1; i <= 10; i++) add(big, i, 0, ['f', v], 100, 1024);
  assert.ok(big.nodes.length >= 3, `nodes: ${big.nodes.length}`);
  assert.equal(range(big).length, 10);
});

test('same-field compression and different fields in one node', () => {
  const s = new StreamValue();
  add(s, 1, 0, ['a', '1', 'b', '2']);
  add(s, 2, 0, ['a', '3', 'b', '4']);
  add(s, 3, 0, ['c', '5']);
  add(s, 4, 0, ['a', '', 'b', 'long'.repeat(100)]);
  assert.equal(s.nodes.length, 1);
  assert.deepEqual(range(s), ['1-0 a 1 b 2', '2-0 a 3 b 4', '3-0 c 5', `4-0 a  b ${'long'.repeat(100)}`]);
  assert.deepEqual(range(s, MIN_ID, MAX_ID, true).map((e) => e.slice(0, 3)), ['4-0', '3-0', '2-0', '1-0']);
});

test('seek and ranges across nodes, both directions', () => {
  const s = new StreamValue();
  for (let i = 1; i <= 50; i++) add(s, i * 10, 0, ['f', String(i)], 7);
  assert.deepEqual(range(s, idFromNumbers(95, 0), idFromNumbers(130, 0)).map((e) => e.split(' ')[0]), ['100-0', '110-0', '120-0', '130-0']);
  assert.deepEqual(range(s, idFromNumbers(95, 0), idFromNumbers(130, 0), true).map((e) => e.split(' ')[0]), ['130-0', '120-0', '110-0', '100-0']);
  assert.deepEqual(range(s, idFromNumbers(501, 0), MAX_ID), []);
  assert.deepEqual(range(s, MIN_ID, idFromNumbers(9, 0)), []);
  assert.equal(range(s, idFromNumbers(10, 0), idFromNumbers(10, 0)).length, 1);
});

test('delete marks entries, drops emptied nodes, has() sees only live entries', () => {
  const s = new StreamValue();
  for (let i = 1; i <= 6; i++) add(s, i, 0, ['f', 'v'], 3);
  assert.equal(s.nodes.length, 2);
  assert.ok(s.delete(idFromNumbers(2, 0)));
  assert.ok(!s.delete(idFromNumbers(2, 0)));
  assert.ok(!s.has(idFromNumbers(2, 0)));
  assert.ok(s.has(idFromNumbers(3, 0)));
  assert.equal(s.length, 5);
  for (const i of [4, 5, 6]) s.delete(idFromNumbers(i, 0));
  assert.equal(s.nodes.length, 1);
  assert.deepEqual(range(s).map((e) => e.split(' ')[0]), ['1-0', '3-0']);
  assert.equal(idToString(s.lastValidId()), '3-0');
  assert.equal(idToString(s.lastId), '6-0');
});

test('trim: exact MAXLEN, approximate keeps whole nodes, MINID, LIMIT', () => {
  const mk = () => {
    const s = new StreamValue();
    for (let i = 1; i <= 100; i++) add(s, i, 0, ['f', 'v'], 10);
    return s;
  };
  let s = mk();
  assert.equal(s.trim({ strategy: 1, approx: false, limit: 0, maxlen: 85, minid: MIN_ID }), 15);
  assert.equal(s.length, 85);
  assert.equal(idToString(s.firstId), '16-0');
  s = mk();
  assert.equal(s.trim({ strategy: 1, approx: true, limit: 1000, maxlen: 85, minid: MIN_ID }), 10);
  assert.equal(s.length, 90);
  s = mk();
  assert.equal(s.trim({ strategy: 2, approx: false, limit: 0, maxlen: 0, minid: idFromNumbers(42, 0) }), 41);
  assert.equal(idToString(s.firstId), '42-0');
  s = mk();
  assert.equal(s.trim({ strategy: 1, approx: true, limit: 30, maxlen: 0, minid: MIN_ID }), 30);
  assert.equal(s.length, 70);
  s = mk();
  assert.equal(s.trim({ strategy: 1, approx: false, limit: 0, maxlen: 0, minid: MIN_ID }), 100);
  assert.equal(s.length, 0);
  assert.equal(s.firstId, MIN_ID);
  assert.equal(s.nodes.length, 0);
});

test('dup is deep, groups included', () => {
  const s = new StreamValue();
  add(s, 1, 0, ['a', 'b']);
  const g = s.createGroup('g', MIN_ID, INVALID_ENTRIES_READ) as NonNullable<ReturnType<StreamValue['createGroup']>>;
  assert.equal(s.createGroup('g', MIN_ID, 0), null);
  const d = s.dup();
  add(d, 2, 0, ['c', 'd']);
  assert.equal(s.length, 1);
  assert.equal(d.length, 2);
  assert.notEqual(d.group('g'), g);
});

test('lag: valid counter, tombstones make it unknown', () => {
  const s = new StreamValue();
  for (let i = 1; i <= 5; i++) add(s, i, 0, ['f', 'v']);
  const g = s.createGroup('g', MIN_ID, INVALID_ENTRIES_READ)!;
  assert.equal(s.lag(g), 5);
  g.lastId = idFromNumbers(5, 0);
  g.entriesRead = 5;
  assert.equal(s.lag(g), 0);
  g.lastId = idFromNumbers(2, 0);
  g.entriesRead = INVALID_ENTRIES_READ;
  s.delete(idFromNumbers(3, 0));
  s.maxDeletedId = idFromNumbers(3, 0);
  assert.equal(s.lag(g), null);
});

test('IdMap: sorted inserts, tombstone deletes, revival, compaction', () => {
  const m = new IdMap<number>();
  for (let i = 0; i < 200; i++) assert.ok(m.add(idFromNumbers(i * 2, 0), i));
  assert.ok(m.add(idFromNumbers(3, 0), -1));
  assert.ok(!m.add(idFromNumbers(3, 0), -2));
  assert.equal(m.size, 201);
  for (let i = 0; i < 150; i++) assert.ok(m.delete(idFromNumbers(i * 2, 0)));
  assert.ok(!m.delete(idFromNumbers(0, 0)));
  assert.equal(m.size, 51);
  assert.equal(m.get(idFromNumbers(2, 0)), undefined);
  assert.equal(m.get(idFromNumbers(300, 0)), 150);
  assert.equal(idToString(m.firstKey() as string), '3-0');
  assert.equal(idToString(m.lastKey() as string), '398-0');
  const walked: string[] = [];
  for (let i = m.next(m.lowerBound(idFromNumbers(390, 0))); i < m.keys.length; i = m.next(i + 1)) walked.push(idToString(m.keys[i]));
  assert.deepEqual(walked, ['390-0', '392-0', '394-0', '396-0', '398-0']);
  assert.ok(m.add(idFromNumbers(4, 0), 2));
  assert.equal(m.size, 52);
  assert.equal(m.keys.length, 52, 'compacted once tombstones outnumbered live entries');
  assert.deepEqual(m.liveKeys().slice(0, 3).map(idToString), ['3-0', '4-0', '300-0']);
});
