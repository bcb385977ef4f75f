/*
 * ZTree (the order-statistics B+tree behind the "skiplist" encoding) and
 * ZSet, checked against a plain sorted array model under random
 * inserts, deletes, rank deletes, score updates, rank/select queries and
 * range scans, with the tree's structural invariants verified as it grows
 * to several levels and shrinks back to empty.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ZTree, zless } from '../../src/types/zset-tree';
import { ZSet } from '../../src/types/zset';

type E = [number, string];

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

function modelInsert(m: E[], e: E): void {
  let lo = 0;
  let hi = m.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (zless(m[mid][0], m[mid][1], e[0], e[1])) lo = mid + 1;
    else hi = mid;
  }
  m.splice(lo, 0, e);
}

function treeList(t: ZTree): E[] {
  const out: E[] = [];
  t.forRange(0, t.size - 1, false, (m, s) => {
    out.push([s, m]);
  });
  return out;
}

test('ZTree matches a sorted array under random operations', () => {
  for (const seed of [1, 2, 3]) {
    const r = rng(seed);
    const t = new ZTree();
    const model: E[] = [];
    const members = new Map<string, number>();
    for (let step = 0; step < 6000; step++) {
      const op = r();
      if (op < 0.55 || model.length === 0) {
        const m = `m${Math.floor(r() * 3000)}`;
        if (members.has(m)) continue;
        // few distinct scores so that member order matters
        const s = Math.floor(r() * 50) - 25;
        t.insert(s, m);
        modelInsert(model, [s, m]);
        members.set(m, s);
      } else if (op < 0.75) {
        const i = Math.floor(r() * model.length);
        const [s, m] = model[i];
        assert.equal(t.remove(s, m), true);
        assert.equal(t.remove(s, m), false);
        model.splice(i, 1);
        members.delete(m);
      } else if (op < 0.85) {
        const i = Math.floor(r() * model.length);
        const e = model[i];
        t.removeAt(i);
        model.splice(i, 1);
        members.delete(e[1]);
      } else {
        const i = Math.floor(r() * model.length);
        const [s, m] = model[i];
        assert.equal(t.rank(s, m), i);
        const p = t.at(i);
        assert.equal(p.leaf.members[p.i], m);
        assert.equal(t.rank(s, m + 'x'), members.has(m + 'x') ? t.rank(s, m + 'x') : -1);
        // lowerBound on score
        const q = Math.floor(r() * 60) - 30;
        const lb = model.findIndex((e) => e[0] >= q);
        assert.equal(t.lowerBound((sc) => sc < q), lb < 0 ? model.length : lb);
        const ub = model.findIndex((e) => e[0] > q);
        assert.equal(t.lowerBound((sc) => sc <= q), ub < 0 ? model.length : ub);
      }
      assert.equal(t.size, model.length);
      if (step % 500 === 0) t.check();
    }
    t.check();
    assert.deepEqual(treeList(t), model);
    // reverse ranges
    if (model.length > 10) {
      const got: string[] = [];
      t.forRange(3, model.length - 4, true, (m) => {
        got.push(m);
      });
      assert.deepEqual(got, model.slice(3, model.length - 3).map((e) => e[1]).reverse());
    }
    // drain from both ends
    while (model.length > 0) {
      if (r() < 0.5) {
        t.removeAt(0);
        model.shift();
      } else {
        t.removeAt(model.length - 1);
        model.pop();
      }
    }
    t.check();
    assert.equal(t.size, 0);
  }
});

test('ZTree grows several levels and keeps ranks exact', () => {
  const t = new ZTree();
  const n = 200000;
  for (let i = 0; i < n; i++) t.insert(i % 1000, `e${i}`);
  t.check();
  assert.ok(t.nodeCounts().inners > 1);
  // every element's rank against the closed form of the order (score, then member)
  const model: E[] = [];
  for (let i = 0; i < n; i++) model.push([i % 1000, `e${i}`]);
  model.sort((a, b) => (zless(a[0], a[1], b[0], b[1]) ? -1 : 1));
  for (let i = 0; i < n; i += 997) assert.equal(t.rank(model[i][0], model[i][1]), i);
  // delete every other element by value, then by rank
  for (let i = 0; i < n; i += 2) assert.ok(t.remove(model[i][0], model[i][1]));
  t.check();
  const rest = model.filter((_e, i) => i % 2 === 1);
  assert.deepEqual(treeList(t), rest);
  for (let k = 0; k < 50000; k++) t.removeAt(1000);
  t.check();
  assert.deepEqual(treeList(t), rest.slice(0, 1000).concat(rest.slice(51000)));
});

test('ZSet listpack and skiplist forms agree, conversion at the limits', () => {
  const limits = { zsetMaxListpackEntries: 16, zsetMaxListpackValue: 8 };
  const r = rng(7);
  const a = new ZSet();
  const b = new ZSet();
  b.convertToSkiplist();
  for (let step = 0; step < 3000; step++) {
    const m = `k${Math.floor(r() * 12)}`;
    const s = Math.floor(r() * 5);
    const cur = a.score(m);
    assert.equal(b.score(m), cur);
    if (r() < 0.3 && cur !== undefined) {
      assert.equal(a.remove(m), true);
      assert.equal(b.remove(m), true);
    } else if (cur !== undefined) {
      a.update(m, cur, s);
      b.update(m, cur, s);
    } else {
      a.insert(m, s, { zsetMaxListpackEntries: 1000, zsetMaxListpackValue: 1000 });
      b.insert(m, s, limits);
    }
    assert.equal(a.encoding(), 'listpack');
    const la: string[] = [];
    const lb: string[] = [];
    a.forEach((mm, ss) => la.push(`${ss}:${mm}`));
    b.forEach((mm, ss) => lb.push(`${ss}:${mm}`));
    assert.deepEqual(la, lb);
    if (la.length > 0) {
      const probe = `k${Math.floor(r() * 12)}`;
      assert.equal(a.rank(probe, false), b.rank(probe, false));
      assert.equal(a.rank(probe, true), b.rank(probe, true));
    }
  }
  // conversion: by entries, and by member length
  const c = new ZSet();
  for (let i = 0; i < 16; i++) c.insert(`m${i}`, i, limits);
  assert.equal(c.encoding(), 'listpack');
  c.insert('m16', 16, limits);
  assert.equal(c.encoding(), 'skiplist');
  assert.equal(c.size, 17);
  const d = new ZSet();
  d.insert('short', 1, limits);
  d.insert('longer-than-8', 2, limits);
  assert.equal(d.encoding(), 'skiplist');
  assert.equal(ZSet.create(limits, 9).encoding(), 'skiplist');
  assert.equal(ZSet.create({ zsetMaxListpackEntries: 0, zsetMaxListpackValue: 64 }, 1).encoding(), 'skiplist');
  // dup is deep
  const e = c.dup();
  e.remove('m0');
  assert.equal(c.size, 17);
  assert.equal(e.size, 16);
  assert.equal(e.encoding(), 'skiplist');
  // removeRange keeps the dict in step
  assert.equal(c.removeRange(2, 5), 4);
  assert.equal(c.score('m3'), undefined);
  assert.equal(c.score('m6'), 6);
  assert.equal(c.size, 13);
});
