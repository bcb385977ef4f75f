/*
 * Hashes and sets in their hashtable encodings over TCP (ioredis): the
 * results whose order is unspecified are compared as sets. HSCAN/SSCAN
 * must visit every element with Redis's cursor, HRANDFIELD/SRANDMEMBER
 * with a positive count must return distinct elements in every code path,
 * SPOP with a count must remove exactly what it returns, and the set
 * algebra must agree with a plain JS computation.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let r: Redis;

before(async () => {
  srv = await startNodis();
  r = new Redis({ port: srv.port, lazyConnect: true });
  await r.connect();
});
after(async () => {
  r.disconnect();
  await srv.stop();
});

const sorted = (a: string[]): string[] => a.slice().sort();

test('big hash: hashtable encoding, HGETALL, HSCAN visits every field', async () => {
  const args: string[] = [];
  for (let i = 0; i < 600; i++) args.push(`f${i}`, `v${i}`);
  assert.equal(await r.hset('big', ...args), 600);
  assert.equal(await r.object('ENCODING', 'big'), 'hashtable');
  const all = await r.hgetall('big');
  assert.equal(Object.keys(all).length, 600);
  assert.equal(all.f599, 'v599');
  const seen = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = await r.hscan('big', cursor, 'COUNT', 20);
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
    calls++;
  } while (cursor !== '0');
  assert.equal(seen.size, 600);
  assert.ok(calls > 5);
  for (const [f, v] of seen) assert.equal(v, 'v' + f.slice(1));
  const [c0, matched] = await r.hscan('big', '0', 'MATCH', 'f1?', 'COUNT', 10000);
  assert.equal(c0, '0');
  assert.deepEqual(sorted(matched.filter((_x, i) => i % 2 === 0)), sorted(Array.from({ length: 10 }, (_x, i) => `f1${i}`)));
});

test('HRANDFIELD: distinct picks for positive counts, repeats for negative ones', async () => {
  for (const count of [5, 250, 590, 600, 1000]) {
    const res = (await r.call('HRANDFIELD', 'big', String(count))) as string[];
    assert.equal(res.length, Math.min(count, 600));
    assert.equal(new Set(res).size, res.length);
    const wv = (await r.call('HRANDFIELD', 'big', String(count), 'WITHVALUES')) as string[];
    assert.equal(wv.length, 2 * Math.min(count, 600));
    for (let i = 0; i < wv.length; i += 2) assert.equal(wv[i + 1], 'v' + wv[i].slice(1));
  }
  const neg = (await r.call('HRANDFIELD', 'big', '-2000')) as string[];
  assert.equal(neg.length, 2000);
  assert.ok(new Set(neg).size < 2000);
});

test('set algebra on hashtable sets agrees with JS', async () => {
  const a: string[] = [];
  const b: string[] = [];
  const c: string[] = [];
  for (let i = 0; i < 300; i++) {
    a.push(`m${i}`);
    if (i % 2 === 0) b.push(`m${i}`);
    if (i % 3 === 0) c.push(`m${i}`);
  }
  b.push('onlyb');
  await r.sadd('A', ...a);
  await r.sadd('B', ...b);
  await r.sadd('C', ...c);
  const inter = a.filter((x) => b.includes(x) && c.includes(x));
  assert.deepEqual(sorted(await r.sinter('A', 'B', 'C')), sorted(inter));
  assert.equal(await r.call('SINTERCARD', '3', 'A', 'B', 'C'), inter.length);
  assert.equal(await r.call('SINTERCARD', '3', 'A', 'B', 'C', 'LIMIT', '7'), 7);
  assert.deepEqual(sorted(await r.sunion('B', 'C')), sorted([...new Set([...b, ...c])]));
  assert.deepEqual(sorted(await r.sdiff('A', 'B', 'C')), sorted(a.filter((x) => !b.includes(x) && !c.includes(x))));
  assert.equal(await r.sdiffstore('D', 'B', 'A'), 1);
  assert.deepEqual(await r.smembers('D'), ['onlyb']);
  assert.equal(await r.sinterstore('D', 'A', 'B'), 150);
  assert.equal(await r.object('ENCODING', 'D'), 'hashtable');
});

test('SSCAN visits every member; SRANDMEMBER and SPOP with counts', async () => {
  const members: string[] = [];
  for (let i = 0; i < 1000; i++) members.push(`x${i}`);
  await r.sadd('S', ...members);
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, items] = await r.sscan('S', cursor, 'COUNT', 50);
    for (const m of items) seen.add(m);
    cursor = next;
  } while (cursor !== '0');
  assert.equal(seen.size, 1000);
  for (const count of [3, 400, 900, 1000, 5000]) {
    const res = (await r.call('SRANDMEMBER', 'S', String(count))) as string[];
    assert.equal(res.length, Math.min(count, 1000));
    assert.equal(new Set(res).size, res.length);
  }
  const popped = await r.spop('S', 10);
  assert.equal(new Set(popped).size, 10);
  assert.equal(await r.scard('S'), 990);
  const popped2 = await r.spop('S', 900);
  assert.equal(new Set(popped2).size, 900);
  assert.equal(await r.scard('S'), 90);
  const rest = await r.smembers('S');
  const all = new Set([...popped, ...popped2, ...rest]);
  assert.equal(all.size, 1000);
  assert.equal((await r.spop('S', 1000)).length, 90);
  assert.equal(await r.exists('S'), 0);
});

test('intsets stay intsets up to set-max-intset-entries and iterate in order', async () => {
  const nums = Array.from({ length: 512 }, (_x, i) => String(511 - i));
  await r.sadd('I', ...nums);
  assert.equal(await r.object('ENCODING', 'I'), 'intset');
  const m = await r.smembers('I');
  assert.deepEqual(m, Array.from({ length: 512 }, (_x, i) => String(i)));
  await r.sadd('I', '512');
  assert.equal(await r.object('ENCODING', 'I'), 'hashtable');
  await r.config('SET', 'set-max-intset-entries', '2000');
  await r.sadd('J', '1', '2');
  await r.sadd('J', ...nums);
  assert.equal(await r.object('ENCODING', 'J'), 'intset');
  await r.config('SET', 'set-max-intset-entries', '512');
});
