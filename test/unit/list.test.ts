/*
 * Unit tests for the list structure (src/types/list.ts): random operation
 * sequences checked against a plain array model, under several node limits
 * (byte-limited, count-limited, one element per node) and with plain nodes
 * forced by a low packed threshold; large sizes; memory and digest helpers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ListValue, type BulkSink } from '../../src/types/list';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class CollectSink implements BulkSink {
  out: string[] = [];
  bulk(s: string): void {
    this.out.push(s);
  }
  bulkBytes(buf: Buffer, start: number, end: number): void {
    this.out.push(buf.toString('latin1', start, end));
  }
}

function range(l: ListValue, start: number, end: number, reverse = false): string[] {
  const s = new CollectSink();
  l.writeRange(s, start, end, reverse);
  return s.out;
}

const NUMERIC_EDGES = ['-0', '007', '-', '0', '-1', '127', '128', '-4096', '4095', '-32769', '8388608', '2147483648',
  '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '12345678901234567890'];

function randomValue(r: () => number): string {
  const k = r();
  if (k < 0.3) return String(Math.floor(r() * 20));
  if (k < 0.35) return NUMERIC_EDGES[Math.floor(r() * NUMERIC_EDGES.length)];
  if (k < 0.4) return String(Math.floor((r() - 0.5) * 10 ** Math.floor(r() * 19)));
  if (k < 0.7) return 'v' + Math.floor(r() * 1000);
  if (k < 0.85) return 'x'.repeat(Math.floor(r() * 300)) + Math.floor(r() * 10);
  if (k < 0.95) return String.fromCharCode(...Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)));
  return 'y'.repeat(Math.floor(r() * 20000));
}

function lremModel(a: string[], v: string, count: number): number {
  let removed = 0;
  if (count >= 0) {
    const quota = count === 0 ? Infinity : count;
    for (let i = 0; i < a.length && removed < quota; ) {
      if (a[i] === v) {
        a.splice(i, 1);
        removed++;
      } else i++;
    }
  } else {
    for (let i = a.length - 1; i >= 0 && removed < -count; i--) {
      if (a[i] === v) {
        a.splice(i, 1);
        removed++;
      }
    }
  }
  return removed;
}

function fuzz(seed: number, fill: number, threshold: number, steps: number): void {
  const r = rng(seed);
  ListValue.packedThreshold = threshold;
  try {
    const l = new ListValue(fill);
    const a: string[] = [];
    for (let step = 0; step < steps; step++) {
      const op = Math.floor(r() * 14);
      const pick = (): string => (a.length > 0 && r() < 0.7 ? a[Math.floor(r() * a.length)] : randomValue(r));
      switch (op) {
        case 0:
        case 1: {
          const v = randomValue(r);
          l.pushHead(v);
          a.unshift(v);
          break;
        }
        case 2:
        case 3: {
          const v = randomValue(r);
          l.pushTail(v);
          a.push(v);
          break;
        }
        case 4:
          assert.equal(l.popHead(), a.shift());
          break;
        case 5:
          assert.equal(l.popTail(), a.pop());
          break;
        case 6: {
          const i = Math.floor(r() * (a.length + 4)) - 2;
          const j = r() < 0.5 ? i : -i - 1;
          const expect = j < 0 ? a[a.length + j] : a[j];
          assert.equal(l.index(j), expect);
          break;
        }
        case 7: {
          const i = Math.floor(r() * (a.length + 2)) - 1;
          const v = randomValue(r);
          const ok = l.set(i, v);
          const norm = i < 0 ? a.length + i : i;
          assert.equal(ok, norm >= 0 && norm < a.length);
          if (ok) a[norm] = v;
          break;
        }
        case 8: {
          const pivot = pick();
          const v = randomValue(r);
          const after = r() < 0.5;
          const at = a.indexOf(pivot);
          assert.equal(l.insert(pivot, v, after), at >= 0);
          if (at >= 0) a.splice(after ? at + 1 : at, 0, v);
          break;
        }
        case 9: {
          const v = pick();
          const count = Math.floor(r() * 7) - 3;
          const b = a.slice();
          const n = lremModel(b, v, count);
          assert.equal(l.remove(v, count), n);
          a.length = 0;
          a.push(...b);
          break;
        }
        case 10: {
          const n = Math.floor(r() * 5);
          l.removeHead(n);
          a.splice(0, n);
          break;
        }
        case 11: {
          const n = Math.floor(r() * 5);
          l.removeTail(n);
          a.splice(Math.max(0, a.length - n), n);
          break;
        }
        case 12: {
          if (a.length === 0) break;
          const s = Math.floor(r() * a.length);
          const e = s + Math.floor(r() * (a.length - s));
          assert.deepEqual(range(l, s, e), a.slice(s, e + 1));
          assert.deepEqual(range(l, s, e, true), a.slice(s, e + 1).reverse());
          break;
        }
        case 13: {
          const v = pick();
          const fromTail = r() < 0.5;
          const rank = 1 + Math.floor(r() * 3);
          const count = Math.floor(r() * 3);
          const maxlen = Math.floor(r() * 2) * Math.floor(r() * a.length);
          const expect: number[] = [];
          let matches = 0;
          for (let k = 0; k < a.length; k++) {
            if (maxlen !== 0 && k >= maxlen) break;
            const idx = fromTail ? a.length - 1 - k : k;
            if (a[idx] === v && ++matches >= rank) {
              expect.push(idx);
              if (count !== 0 && expect.length >= count) break;
            }
          }
          assert.deepEqual(l.positions(v, fromTail, rank, count, maxlen), expect);
          break;
        }
      }
      assert.equal(l.length, a.length);
      if (step % 50 === 0) {
        l.check();
        assert.deepEqual(l.toArray(), a);
      }
    }
    l.check();
    assert.deepEqual(l.toArray(), a);
    assert.deepEqual(l.dup().toArray(), a);
  } finally {
    ListValue.packedThreshold = 1 << 30;
  }
}

test('random operations match an array model (default 8 KB nodes)', () => {
  for (let seed = 1; seed <= 6; seed++) fuzz(seed, -2, 1 << 30, 3000);
});

test('random operations match an array model (4 KB nodes, count-limited nodes, single-element nodes)', () => {
  fuzz(11, -1, 1 << 30, 3000);
  fuzz(12, 5, 1 << 30, 3000);
  fuzz(13, 1, 1 << 30, 2000);
  fuzz(14, 0, 1 << 30, 2000);
  fuzz(15, -5, 1 << 30, 3000);
});

test('random operations with plain nodes (low packed threshold)', () => {
  fuzz(21, -2, 5, 3000);
  fuzz(22, 4, 1, 3000);
  fuzz(23, 16, 100, 3000);
});

test('push and pop at both ends on a large list stay consistent', () => {
  const l = new ListValue(-2);
  const n = 200000;
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) l.pushTail(String(i));
    else l.pushHead(String(i));
  }
  assert.equal(l.length, n);
  l.check();
  // head holds the odd numbers descending, tail the even ones ascending
  assert.equal(l.index(0), String(n - 1));
  assert.equal(l.index(-1), String(n - 2));
  assert.equal(l.index(n / 2), '0');
  assert.equal(l.index(n / 2 - 1), '1');
  assert.equal(l.index(n), undefined);
  assert.equal(l.index(-n - 1), undefined);
  for (let i = 0; i < n / 4; i++) {
    assert.equal(l.popHead(), String(n - 1 - 2 * i));
    assert.equal(l.popTail(), String(n - 2 - 2 * i));
  }
  assert.equal(l.length, n / 2);
  l.check();
});

test('a million-element list: indexing walks nodes, nodes stay near the size limit', () => {
  const l = new ListValue(-2);
  const n = 1_000_000;
  for (let i = 0; i < n; i++) l.pushTail('element:' + i);
  l.check();
  // ~8 KB nodes: about 15 bytes per element
  assert.ok(l.nodeCount < (n * 16) / 8000 + 10, `nodes ${l.nodeCount}`);
  assert.ok(l.nodeCount > (n * 14) / 8192 - 10, `nodes ${l.nodeCount}`);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < 1000; k++) {
    const i = (k * 7919) % n;
    assert.equal(l.index(i), 'element:' + i);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 2000, `1000 random LINDEX took ${ms} ms`);
  assert.deepEqual(range(l, 500000, 500002), ['element:500000', 'element:500001', 'element:500002']);
});

test('LTRIM-like removal at both ends', () => {
  const l = ListValue.from(Array.from({ length: 5000 }, (_, i) => String(i)), 16);
  l.removeHead(1234);
  l.removeTail(1000);
  l.check();
  assert.equal(l.length, 2766);
  assert.equal(l.index(0), '1234');
  assert.equal(l.index(-1), '3999');
  l.removeHead(10000);
  assert.equal(l.length, 0);
  assert.equal(l.head, null);
  l.check();
});

test('elements of every length survive (header forms 1, 2 and 5 bytes)', () => {
  for (const fill of [-5, -2, 3]) {
    const l = new ListValue(fill);
    const vals = [0, 1, 127, 128, 129, 16383, 16384, 16385, 40000, 70000].map((n) => 'q'.repeat(n));
    for (const v of vals) l.pushTail(v);
    for (const v of vals) l.pushHead(v);
    l.check();
    assert.deepEqual(l.toArray(), [...vals].reverse().concat(vals));
    for (let i = 0; i < vals.length; i++) assert.equal(l.index(-1 - i), vals[vals.length - 1 - i]);
  }
});

test('binary-safe elements (latin1 bytes 0..255)', () => {
  const l = new ListValue();
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  l.pushTail(all);
  l.pushHead('\r\n\x00');
  assert.equal(l.index(1), all);
  assert.equal(l.index(0), '\r\n\x00');
  const s = new CollectSink();
  l.writeRange(s, 0, 1, false);
  assert.deepEqual(s.out, ['\r\n\x00', all]);
});

test('memory usage and DEBUG OBJECT details follow Redis for a small list', () => {
  const l = ListValue.from(['a', 'b', 'c']);
  // robj 16 + quicklist 40 + node 40 + listpack of 16 bytes (jemalloc 16)
  assert.equal(l.memoryUsage(5), 112);
  assert.equal(l.quicklistInfo(), ' ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16');
  assert.equal(l.serializedLength(), 19);
  assert.equal(new ListValue(-9, 3).fill, -5);
  assert.equal(new ListValue(40000).fill, 32767);
});

test('digest mixes the elements in order', () => {
  const seen: string[] = [];
  const l = ListValue.from(['a', 'bb', 'x'.repeat(200)]);
  l.digestInto({
    mix: (d) => { seen.push(typeof d === 'string' ? d : d.toString('latin1')); },
    xor: () => assert.fail('xor'),
    xorParts: () => assert.fail('xorParts'),
    score: (d) => String(d),
  });
  assert.deepEqual(seen, ['a', 'bb', 'x'.repeat(200)]);
});
