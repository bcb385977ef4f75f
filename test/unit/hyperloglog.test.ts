/*
 * HyperLogLog codec: the 32-bit-halves MurmurHash64A against a BigInt
 * reference written from the algorithm's definition, sparse and dense
 * representations agreeing register for register, sparse -> dense
 * promotion (value above 32, size above the limit), merge, the cache bit,
 * and corrupted input never throwing.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  patLenString, patLenBytes, createHll, hllAdd, hllCount, hllMerge, rawCount, sparseSet, sparseToDense,
  denseGet, isHllHeader, decodeSparse, isCacheValid, readCachedCard, writeCachedCard,
  HLL_EMPTY_LEN, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_DENSE, HLL_SPARSE, type HllBuffer,
} from '../../src/types/hyperloglog';

const MASK = (1n << 64n) - 1n;
const M = 0xc6a4a7935bd1e995n;

/** MurmurHash64A (seed 0xadc83b19) with BigInt, straight from its definition. */
function murmurRef(data: Buffer): bigint {
  const len = data.length;
  let h = (0xadc83b19n ^ ((BigInt(len) * M) & MASK)) & MASK;
  const body = len - (len & 7);
  for (let i = 0; i < body; i += 8) {
    let k = data.readBigUInt64LE(i);
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rem = len & 7;
  if (rem > 0) {
    for (let j = rem - 1; j >= 0; j--) h ^= BigInt(data[body + j]) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

function patLenRef(data: Buffer): number {
  const h = murmurRef(data);
  const index = Number(h & 16383n);
  let rest = (h >> 14n) | (1n << 50n);
  let count = 1;
  while ((rest & 1n) === 0n) {
    count++;
    rest >>= 1n;
  }
  return (index << 6) | count;
}

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x80000000;
}
function randomBytes(max: number): Buffer {
  const n = Math.floor(rnd() * max);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

function empty(): HllBuffer {
  return { buf: createHll(), len: HLL_EMPTY_LEN };
}

function registers(h: HllBuffer): number[] {
  const copy: HllBuffer = { buf: Buffer.from(h.buf.subarray(0, h.len)), len: h.len };
  assert.ok(sparseToDense(copy));
  const out: number[] = [];
  for (let i = 0; i < HLL_REGISTERS; i++) out.push(denseGet(copy.buf, HLL_HDR_SIZE, i));
  return out;
}

test('hash: register index and run length equal the BigInt reference', () => {
  for (let t = 0; t < 3000; t++) {
    const b = randomBytes(40);
    const ref = patLenRef(b);
    assert.equal(patLenBytes(b, 0, b.length), ref, b.toString('hex'));
    assert.equal(patLenString(b.toString('latin1')), ref, b.toString('hex'));
  }
  // the empty string and the maximum run (forced by the sentinel bit) stay in range
  const e = patLenString('');
  assert.ok((e & 63) >= 1 && (e & 63) <= 51);
});

test('a new HLL: sparse, one XZERO, valid cache of 0, count 0', () => {
  const h = empty();
  assert.equal(h.buf.subarray(0, h.len).toString('hex'), '48594c4c01000000000000000000000' + '07fff');
  assert.ok(isHllHeader(h.buf, h.len));
  assert.ok(isCacheValid(h.buf));
  assert.equal(hllCount(h.buf, h.len), 0);
  assert.equal(decodeSparse(h.buf, h.len), 'Z:16384');
});

test('sparse and dense fed the same elements hold the same registers and count', () => {
  const sparse = empty();
  const dense = empty();
  assert.ok(sparseToDense(dense));
  assert.equal(dense.len, HLL_DENSE_SIZE);
  for (let i = 0; i < 1500; i++) {
    const e = `el:${i}:${Math.floor(rnd() * 1e9)}`;
    const a = hllAdd(sparse, e, 1 << 20);
    const b = hllAdd(dense, e, 1 << 20);
    assert.equal(a, b, e);
    if (i % 100 === 0) {
      assert.equal(sparse.buf[4], HLL_SPARSE);
      assert.equal(hllCount(sparse.buf, sparse.len), hllCount(dense.buf, dense.len));
    }
  }
  assert.deepEqual(registers(sparse), registers(dense));
  // merging either into byte registers gives the same union estimate
  const m1 = new Uint8Array(HLL_REGISTERS);
  const m2 = new Uint8Array(HLL_REGISTERS);
  assert.ok(hllMerge(m1, sparse.buf, sparse.len));
  assert.ok(hllMerge(m2, dense.buf, dense.len));
  assert.deepEqual(m1, m2);
  assert.equal(rawCount(m1), hllCount(dense.buf, dense.len));
});

test('sparse edits: split of XZERO/ZERO/VAL and merge of equal neighbours', () => {
  const h = empty();
  assert.equal(sparseSet(h, 100, 3, 3000), 1);
  assert.equal(decodeSparse(h.buf, h.len), 'Z:100 v:3,1 Z:16283');
  assert.equal(sparseSet(h, 100, 2, 3000), 0); // lower value: no change
  assert.equal(sparseSet(h, 101, 3, 3000), 1);
  assert.equal(decodeSparse(h.buf, h.len), 'Z:100 v:3,2 Z:16282');
  assert.equal(sparseSet(h, 0, 5, 3000), 1);
  assert.equal(decodeSparse(h.buf, h.len), 'v:5,1 Z:99 v:3,2 Z:16282');
  assert.equal(sparseSet(h, 30, 2, 3000), 1); // splits an XZERO into ZERO VAL XZERO
  assert.equal(decodeSparse(h.buf, h.len), 'v:5,1 z:29 v:2,1 Z:69 v:3,2 Z:16282');
  assert.equal(sparseSet(h, 101, 4, 3000), 1); // splits the VAL run
  assert.equal(decodeSparse(h.buf, h.len), 'v:5,1 z:29 v:2,1 Z:69 v:3,1 v:4,1 Z:16282');
  assert.ok(!isCacheValid(h.buf));
});

test('promotion to dense: a value above 32, or growth past hll-sparse-max-bytes', () => {
  const a = empty();
  sparseSet(a, 7, 10, 3000);
  assert.equal(sparseSet(a, 9, 33, 3000), 1);
  assert.equal(a.buf[4], HLL_DENSE);
  assert.equal(a.len, HLL_DENSE_SIZE);
  assert.equal(denseGet(a.buf, HLL_HDR_SIZE, 7), 10);
  assert.equal(denseGet(a.buf, HLL_HDR_SIZE, 9), 33);

  const b = empty();
  let i = 0;
  while (b.buf[4] === HLL_SPARSE) {
    assert.ok(b.len <= 40);
    hllAdd(b, `p${i++}`, 40);
  }
  assert.equal(b.len, HLL_DENSE_SIZE);
  assert.ok(i > 3);
});

test('cached cardinality: little endian, bit 63 marks it invalid', () => {
  const h = empty();
  writeCachedCard(h.buf, 0x123456789);
  assert.equal(h.buf.subarray(8, 16).toString('hex'), '8967452301000000');
  assert.equal(readCachedCard(h.buf), 0x123456789);
  h.buf.writeBigUInt64LE(0x7fffffffffffffffn, 8);
  assert.equal(readCachedCard(h.buf), 0x7fffffffffffffffn);
});

test('headers: magic, encoding, exact dense size', () => {
  const h = empty();
  assert.ok(isHllHeader(h.buf, h.len));
  assert.ok(!isHllHeader(h.buf, 15));
  const bad = Buffer.from(h.buf);
  bad[4] = 2;
  assert.ok(!isHllHeader(bad, h.len));
  bad[4] = HLL_DENSE;
  assert.ok(!isHllHeader(bad, h.len));
  bad[0] = 0x30;
  assert.ok(!isHllHeader(bad, h.len));
});

test('corrupted sparse strings: never throw, report corruption', () => {
  for (let t = 0; t < 3000; t++) {
    const h = empty();
    const n = Math.floor(rnd() * 300);
    for (let i = 0; i < n; i++) hllAdd(h, `c${t}:${i}`, 3000);
    if (h.buf[4] !== HLL_SPARSE) continue;
    const k = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < k; i++) h.buf[HLL_HDR_SIZE + Math.floor(rnd() * (h.len - HLL_HDR_SIZE))] = Math.floor(rnd() * 256);
    if (rnd() < 0.2) h.len -= 1;
    const c = hllCount(h.buf, h.len);
    assert.ok(c === -2 || c >= -1, String(c));
    const m = new Uint8Array(HLL_REGISTERS);
    const ok = hllMerge(m, h.buf, h.len);
    assert.equal(ok, c !== -2);
    decodeSparse(h.buf, h.len);
    for (let i = 0; i < 5; i++) {
      const r = hllAdd(h, `z${i}`, rnd() < 0.5 ? 3000 : 30);
      assert.ok(r === -1 || r === 0 || r === 1);
      assert.ok(h.len <= h.buf.length);
    }
  }
  // opcodes covering too few or too many registers
  const short = empty();
  short.buf[HLL_HDR_SIZE + 1] = 0x00; // XZERO of 16129
  assert.equal(hllCount(short.buf, short.len), -2);
  assert.equal(sparseToDense(short), false);
  assert.equal(sparseSet(short, 16300, 1, 3000), -1);
  const over = empty();
  over.buf[HLL_EMPTY_LEN] = 0x80; // a VAL past the last register
  over.len++;
  assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), over.buf, over.len), false);
  assert.equal(sparseToDense(over), false);
});
