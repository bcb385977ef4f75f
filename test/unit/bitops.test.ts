/*
 * Pure bitmap helpers (src/types/bitops.ts): popcount by WebAssembly and by
 * the JS fallback against a naive count, findBit against a bit-by-bit scan,
 * bit field reads/writes at unaligned offsets, and the OVERFLOW rules.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  popcountBuffer, popcountString, popcountValue, disableWasmPopcount, findBit, readBits, writeBits,
  readBitsBig, writeBitsBig, fitNumber, fitBig, toSigned, toSignedBig, bytesOf,
  OVERFLOW_WRAP, OVERFLOW_SAT, OVERFLOW_FAIL,
} from '../../src/types/bitops';
import { ByteString } from '../../src/keyspace/values';

let seed = 7;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
}
function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}
function naiveCount(b: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) for (let k = 0; k < 8; k++) n += (b[i] >> k) & 1;
  return n;
}
function naiveFind(b: Buffer, s: number, e: number, bit: number): number {
  for (let p = s; p <= e; p++) if (((b[p >> 3] >> (7 - (p & 7))) & 1) === bit) return p;
  return -1;
}

test('popcount: WebAssembly and JS paths agree with a naive count on any range', () => {
  // sizes around the WASM threshold and the 64 KiB chunk; odd offsets and unaligned views
  const big = randomBytes(200_003);
  const view = big.subarray(1); // byteOffset not a multiple of 4
  const s = view.toString('latin1');
  for (const wasmOff of [false, true]) {
    disableWasmPopcount(wasmOff);
    for (const [a, z] of [[0, 0], [0, 1], [3, 10], [0, 255], [1, 257], [5, 1000], [7, 65536 + 9], [0, 131072], [13, view.length]]) {
      const want = naiveCount(view, a, z);
      assert.equal(popcountBuffer(view, a, z), want, `buffer ${a}..${z} wasmOff=${wasmOff}`);
      assert.equal(popcountString(s, a, z), want, `string ${a}..${z} wasmOff=${wasmOff}`);
    }
  }
  disableWasmPopcount(false);
  const all = Buffer.alloc(100_000, 0xff);
  assert.equal(popcountBuffer(all, 0, all.length), 800_000);
  assert.equal(popcountValue(new ByteString(all), 0, 100_000), 800_000);
  assert.equal(popcountValue('\xff\x01', 0, 2), 9);
});

test('findBit matches a bit-by-bit scan, with word skipping and partial bytes', () => {
  const b = Buffer.alloc(300);
  b[150] = 0x10; // first 1 at bit 1203
  assert.equal(findBit(b, 0, 2399, 1), 1203);
  assert.equal(findBit(b, 1204, 2399, 1), -1);
  assert.equal(findBit(b, 1203, 1203, 1), 1203);
  assert.equal(findBit(b, 0, 1202, 1), -1);
  const ones = Buffer.alloc(64, 0xff);
  ones[40] = 0xfe;
  assert.equal(findBit(ones, 0, 511, 0), 327);
  assert.equal(findBit(ones, 3, 326, 0), -1);
  for (let n = 0; n < 300; n++) {
    const buf = randomBytes(1 + Math.floor(rnd() * 40));
    for (let i = 0; i < buf.length; i++) if (rnd() < 0.7) buf[i] = rnd() < 0.5 ? 0 : 0xff;
    const bits = buf.length * 8;
    let s = Math.floor(rnd() * bits);
    let e = Math.floor(rnd() * bits);
    if (s > e) [s, e] = [e, s];
    for (const bit of [0, 1] as const) assert.equal(findBit(buf, s, e, bit), naiveFind(buf, s, e, bit), `${buf.toString('hex')} ${s} ${e} ${bit}`);
  }
});

test('readBits/writeBits: MSB first, unaligned, zero past the end', () => {
  const b = Buffer.alloc(4);
  writeBits(b, 7, 5, 23); // Redis's own example: 00000001 01110000
  assert.deepEqual([...b.subarray(0, 2)], [0x01, 0x70]);
  assert.equal(readBits(b, 2, 7, 5), 23);
  assert.equal(readBits(b, 2, 0, 16), 0x0170);
  assert.equal(readBits(b, 1, 0, 16), 0x0100); // byte 1 lies past len: reads 0
  assert.equal(readBits('\x01\x70', 2, 7, 5), 23);
  const w = Buffer.alloc(10);
  writeBits(w, 3, 32, 0xdeadbeef);
  assert.equal(readBits(w, 10, 3, 32), 0xdeadbeef);
  assert.equal(w[0] >> 5, 0); // bits before the field untouched
  writeBitsBig(w, 5, 64, 0xfedcba9876543210n);
  assert.equal(readBitsBig(w, 10, 5, 64), 0xfedcba9876543210n);
  writeBitsBig(w, 9, 33, 1n << 32n);
  assert.equal(readBitsBig(w, 10, 9, 33), 1n << 32n);
});

test('OVERFLOW rules: WRAP, SAT, FAIL for signed and unsigned fields', () => {
  assert.equal(fitNumber(356, 8, false, OVERFLOW_WRAP), 100);
  assert.equal(fitNumber(356, 8, false, OVERFLOW_SAT), 255);
  assert.equal(fitNumber(356, 8, false, OVERFLOW_FAIL), null);
  assert.equal(fitNumber(-155, 8, false, OVERFLOW_SAT), 0);
  assert.equal(fitNumber(-155, 8, false, OVERFLOW_WRAP), 101);
  // a negative SET on an unsigned field is "high": SAT gives the maximum
  assert.equal(fitNumber(-5, 8, false, OVERFLOW_SAT, true), 255);
  assert.equal(fitNumber(-5, 8, false, OVERFLOW_WRAP, true), 251);
  assert.equal(fitNumber(128, 8, true, OVERFLOW_WRAP), -128);
  assert.equal(fitNumber(357, 8, true, OVERFLOW_WRAP), 101);
  assert.equal(fitNumber(-129, 8, true, OVERFLOW_SAT), -128);
  assert.equal(fitNumber(1, 1, true, OVERFLOW_WRAP), -1);
  assert.equal(fitNumber(-1, 1, true, OVERFLOW_FAIL), -1);
  assert.equal(fitNumber(2 ** 31, 32, true, OVERFLOW_WRAP), -(2 ** 31));
  assert.equal(fitNumber(2 ** 32, 32, false, OVERFLOW_WRAP), 0);
  const MAX = 9223372036854775807n;
  const MIN = -9223372036854775808n;
  assert.equal(fitBig(MAX + 1n, 64, true, OVERFLOW_WRAP), MIN);
  assert.equal(fitBig(MIN - 1n, 64, true, OVERFLOW_SAT), MIN);
  assert.equal(fitBig(MAX * 2n, 64, true, OVERFLOW_FAIL), null);
  assert.equal(fitBig(-1n, 63, false, OVERFLOW_SAT, true), (1n << 63n) - 1n);
  assert.equal(fitBig(-1n, 63, false, OVERFLOW_WRAP, true), (1n << 63n) - 1n);
  assert.equal(toSigned(0xff, 8), -1);
  assert.equal(toSigned(0x7f, 8), 127);
  assert.equal(toSignedBig(1n << 63n, 64), MIN);
});

test('bytesOf: ByteString buffer as is, JS strings through a scratch buffer', () => {
  const bs = new ByteString('abc');
  assert.equal(bytesOf(bs), bs.buf);
  const b = bytesOf('\xff\x00z');
  assert.deepEqual([...b.subarray(0, 3)], [0xff, 0, 0x7a]);
  const long = 'x'.repeat(3 * 1024 * 1024);
  assert.equal(bytesOf(long).length, long.length);
});
