/*
 * HyperLogLog in Redis's own byte representation (no I/O here).
 *
 * An HLL is an ordinary string value whose bytes follow Redis's layout, so
 * GET returns exactly what Redis would and SET of Redis-made bytes gives a
 * usable HLL:
 *
 *   0..3   "HYLL"
 *   4      encoding: 0 dense, 1 sparse (anything else is not an HLL)
 *   5..7   unused, zero
 *   8..15  cached cardinality, little endian; bit 7 of byte 15 set means
 *          "cache invalid, recompute"
 *   16..   registers
 *
 * Dense: 16384 registers of 6 bits, register i at bit offset 6*i of the
 * register area, least significant bits first within a byte (so a register
 * may straddle two bytes). Exactly 16 + 12288 bytes.
 *
 * Sparse: run-length opcodes covering the 16384 registers in order:
 *   00xxxxxx            ZERO: 1..64 zero registers
 *   01xxxxxx yyyyyyyy   XZERO: 1..16384 zero registers (14-bit length - 1)
 *   1vvvvvxx            VAL: 1..4 registers holding value 1..32
 * A register that needs a value above 32, or an update that would make the
 * string longer than hll-sparse-max-bytes, converts the HLL to dense once
 * (never back). Updates rewrite the opcodes in place, like Redis, so the
 * bytes after any sequence of PFADDs equal Redis's bytes.
 *
 * Values are edited in place through HllBuffer (ByteString has that shape:
 * a Buffer with spare capacity and a logical length). Sparse strings from
 * users may be corrupt: every walk checks lengths and reports corruption
 * (-1 / false / invalid) instead of reading or writing out of range. A
 * sparse value is valid only if its runs add up to exactly 16384 registers;
 * a run crossing the end is corruption even when the count so far is
 * right, as in the reference redis-server build (which has the
 * CVE-2025-32023 bounds checks; plain 7.0.15 sources accept that case).
 *
 * Hashing is Redis's MurmurHash64A with seed 0xadc83b19, done on 32-bit
 * halves with Math.imul (no BigInt, no allocation): the low 14 bits pick
 * the register, the run of zero bits above them (plus one) is the value.
 *
 * The estimator is Ertl's improved estimator as Redis 7 computes it, with
 * the same double operations in the same order so integer results match.
 */

export interface HllBuffer {
  buf: Buffer;
  len: number;
}

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8; // 12304
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.721347520444481703680;

/* ----------------------------------------------------------------- hash */

// MurmurHash64A's multiplier 0xc6a4a7935bd1e995 as halves and 16-bit pieces
const M_HI = 0xc6a4a793 | 0;
const M_LO = 0x5bd1e995 | 0;
const M_LO0 = 0xe995;
const M_LO1 = 0x5bd1;
const SEED = 0xadc83b19 | 0;

/*
 * 64-bit products modulo 2^64 are written out inline (a function call per
 * product costs about 40% here): for x = hi:lo, x * M has low half
 * imul(lo, M_LO) and high half = high32(lo * M_LO) + imul(hi, M_LO) +
 * imul(lo, M_HI), where high32 comes from 16-bit partial products kept
 * below 2^33 and combined with shifts (no division, no BigInt).
 */

/** Final mix (h ^= h >> 47; h *= M; h ^= h >> 47), then (index << 6) | count. */
function finish(hhi: number, hlo: number): number {
  hlo ^= hhi >>> 15;
  const a0 = hlo & 0xffff;
  const a1 = hlo >>> 16;
  const m1 = a1 * M_LO0 + ((a0 * M_LO0) >>> 16);
  const m2 = a0 * M_LO1 + (m1 & 0xffff);
  hhi = (a1 * M_LO1 + (m1 >>> 16) + (m2 >>> 16) + Math.imul(hhi, M_LO) + Math.imul(hlo, M_HI)) | 0;
  hlo = Math.imul(hlo, M_LO) ^ (hhi >>> 15);
  const index = hlo & (HLL_REGISTERS - 1);
  // run of zeros above the index bits, plus one; bit 50 of the shifted hash stops it at 51
  const w = hlo >>> HLL_P;
  if (w !== 0) return (index << 6) | (32 - Math.clz32(w & -w));
  if (hhi !== 0) return (index << 6) | (51 - Math.clz32(hhi & -hhi));
  return (index << 6) | (HLL_Q + 1);
}

/**
 * Register index and value for an element given as a latin1 string (each
 * char one byte): returns (index << 6) | count.
 */
export function patLenString(s: string): number {
  const len = s.length;
  let a0: number, a1: number, m1: number, m2: number;
  // h = seed ^ (len * M)
  a0 = len & 0xffff;
  a1 = len >>> 16;
  m1 = a1 * M_LO0 + ((a0 * M_LO0) >>> 16);
  m2 = a0 * M_LO1 + (m1 & 0xffff);
  let hhi = (a1 * M_LO1 + (m1 >>> 16) + (m2 >>> 16) + Math.imul(len, M_HI)) | 0;
  let hlo = Math.imul(len, M_LO) ^ SEED;
  const body = len - (len & 7);
  for (let i = 0; i < body; i += 8) {
    const klo = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    const khi = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    // k *= M; k ^= k >> 47
    let k2hi: number;
    let k2lo: number;
    a0 = klo & 0xffff;
    a1 = klo >>> 16;
    m1 = a1 * M_LO0 + ((a0 * M_LO0) >>> 16);
    m2 = a0 * M_LO1 + (m1 & 0xffff);
    k2hi = (a1 * M_LO1 + (m1 >>> 16) + (m2 >>> 16) + Math.imul(khi, M_LO) + Math.imul(klo, M_HI)) | 0;
    k2lo = Math.imul(klo, M_LO);
    k2lo ^= k2hi >>> 15;
    // h ^= k * M; h *= M
    a0 = k2lo & 0xffff;
    a1 = k2lo >>> 16;
    m1 = a1 * M_LO0 + ((a0 * M_LO0) >>> 16);
    m2 = a0 * M_LO1 + (m1 & 0xffff);
    hhi ^= (a1 * M_LO1 + (m1 >>> 16) + (m2 >>> 16) + Math.imul(k2hi, M_LO) + Math.imul(k2lo, M_HI)) | 0;
    hlo ^= Math.imul(k2lo, M_LO);
    a0 = hlo & 0xffff;
    a1 = hlo >>> 16;
    m1 = a1 * M_LO0 + ((a0 * M_LO0) >>> 16);
    m2 = a0 * M_LO1 + (m1 & 0xffff);
    hhi = (a1 * M_LO1 + (m1 >>> 16) + (m2 >>> 16) + Math.imul(hhi, M_LO) + Math.imul(hlo, M_HI)) | 0;
    const nlo = Math.imul(hlo, M_LO);
    hlo = nlo;
  }
  const rem = len & 7;
  if (rem !== 0) {
    if (rem >= 7) hhi ^= s.charCodeAt(body + 6) << 16;
    if (rem >= 6) hhi ^= s.charCodeAt(body + 5) << 8;
    if (rem >= 5) hhi ^= s.charCodeAt(body + 4);
    if (rem >= 4) hlo ^= s.charCodeAt(body + 3) << 24;
    if (rem >= 3) hlo ^= s.charCodeAt(body + 2) << 16;
    if (rem >= 2) hlo ^= s.charCodeAt(body + 1) << 8;
    hlo ^= s.charCodeAt(body);
    a0 = hlo & 0xffff;
    a1 = hlo >>> 16;
    m1 = a1 * M_LO0 + ((a0 * M_LO0) >>> 16);
    m2 = a0 * M_LO1 + (m1 & 0xffff);
    hhi = (a1 * M_LO1 + (m1 >>> 16) + (m2 >>> 16) + Math.imul(hhi, M_LO) + Math.imul(hlo, M_HI)) | 0;
    const nlo = Math.imul(hlo, M_LO);
    hlo = nlo;
  }
  return finish(hhi, hlo);
}

/** Same as patLenString for n bytes of b from off (the hash reads them as latin1 chars). */
export function patLenBytes(b: Uint8Array, off: number, n: number): number {
  return patLenString(Buffer.from(b.buffer, b.byteOffset + off, n).toString('latin1'));
}

/* ------------------------------------------------------------ the value */

/** A new empty HLL: sparse, a single XZERO covering every register, cache valid (0). */
export function createHll(): Buffer {
  const b = Buffer.alloc(64);
  b.write('HYLL', 0, 'latin1');
  b[4] = HLL_SPARSE;
  let p = HLL_HDR_SIZE;
  for (let left = HLL_REGISTERS; left > 0;) {
    const n = left < XZERO_MAX_LEN ? left : XZERO_MAX_LEN;
    b[p++] = 0x40 | ((n - 1) >> 8);
    b[p++] = (n - 1) & 0xff;
    left -= n;
  }
  return b;
}

export const HLL_EMPTY_LEN = HLL_HDR_SIZE + 2;

/**
 * isHLLObjectOrReply's checks: long enough for a header, the magic, a known
 * encoding, and the exact size when dense.
 */
export function isHllHeader(b: Uint8Array, len: number): boolean {
  if (len < HLL_HDR_SIZE) return false;
  if (b[0] !== 72 || b[1] !== 89 || b[2] !== 76 || b[3] !== 76) return false;
  const enc = b[4];
  if (enc > HLL_SPARSE) return false;
  if (enc === HLL_DENSE && len !== HLL_DENSE_SIZE) return false;
  return true;
}

export function invalidateCache(b: Uint8Array): void {
  b[15] |= 0x80;
}

export function isCacheValid(b: Uint8Array): boolean {
  return (b[15] & 0x80) === 0;
}

/** Make room for `extra` more bytes after len (capacity only). */
function reserve(h: HllBuffer, extra: number): void {
  const need = h.len + extra;
  if (h.buf.length >= need) return;
  let cap = h.buf.length * 2;
  if (cap < need) cap = need;
  const nb = Buffer.allocUnsafe(cap);
  h.buf.copy(nb, 0, 0, h.len);
  h.buf = nb;
}

/* ---------------------------------------------------------------- dense */

/** Register i of a dense register area starting at byte `base`. */
export function denseGet(b: Uint8Array, base: number, i: number): number {
  const bit = i * 6;
  const byte = base + (bit >>> 3);
  const fb = bit & 7;
  if (fb <= 2) return (b[byte] >> fb) & 63;
  return ((b[byte] >> fb) | (b[byte + 1] << (8 - fb))) & 63;
}

function denseWrite(b: Uint8Array, base: number, i: number, v: number): void {
  const bit = i * 6;
  const byte = base + (bit >>> 3);
  const fb = bit & 7;
  b[byte] = (b[byte] & ~(63 << fb)) | (v << fb);
  if (fb > 2) {
    const fb8 = 8 - fb;
    b[byte + 1] = (b[byte + 1] & ~(63 >> fb8)) | (v >> fb8);
  }
}

/** Raise register i to v if lower; 1 when changed. */
export function denseSet(b: Uint8Array, i: number, v: number): number {
  if (v > denseGet(b, HLL_HDR_SIZE, i)) {
    denseWrite(b, HLL_HDR_SIZE, i, v);
    return 1;
  }
  return 0;
}

/** Overwrite register i of a dense HLL (PFSELFTEST, tests). */
export function denseWriteRegister(b: Uint8Array, i: number, v: number): void {
  denseWrite(b, HLL_HDR_SIZE, i, v);
}

/* --------------------------------------------------------------- sparse */

/*
 * The walks over sparse opcodes (sparseToDense, sparseSet, sparseHisto,
 * hllMerge, decodeSparse) each decode the opcodes inline on purpose: one
 * shared decoder function made PFCOUNT's and PFMERGE's walks 1.3-1.8x
 * slower when measured.
 */

/**
 * Convert a sparse HLL to dense in place (a new buffer; the header, cached
 * cardinality included, is kept). False, leaving h untouched, when the
 * opcodes do not cover exactly the 16384 registers.
 */
export function sparseToDense(h: HllBuffer): boolean {
  const src = h.buf;
  if (src[4] === HLL_DENSE) return true;
  const d = Buffer.alloc(HLL_DENSE_SIZE + 1); // +1: a register may peek at the next byte
  src.copy(d, 0, 0, HLL_HDR_SIZE);
  d[4] = HLL_DENSE;
  const end = h.len;
  let p = HLL_HDR_SIZE;
  let idx = 0;
  while (p < end) {
    const op = src[p];
    if ((op & 0xc0) === 0) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0x80) === 0) {
      idx += (((op & 0x3f) << 8) | (p + 1 < end ? src[p + 1] : 0)) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >> 2) & 0x1f) + 1;
      if (run + idx > HLL_REGISTERS) return false; // overflow: corrupt (as the reference server, which has the CVE-2025-32023 checks)
      while (run-- > 0) denseWrite(d, HLL_HDR_SIZE, idx++, val);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.buf = d;
  h.len = HLL_DENSE_SIZE;
  return true;
}

const seq = new Uint8Array(5);

/**
 * Raise register `index` to `count` in a sparse HLL, rewriting opcodes in
 * place as Redis does (split the covering opcode, then merge equal
 * neighbouring VALs), or converting to dense when needed. Returns 1 when
 * changed, 0 when not, -1 when the representation is corrupt.
 */
export function sparseSet(h: HllBuffer, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(h, index, count);
  reserve(h, 3);
  const b = h.buf;
  const sparse = HLL_HDR_SIZE;
  let end = h.len;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  let op = 0;
  let oplen = 1;
  while (p < end) {
    op = b[p];
    oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if ((op & 0x80) !== 0) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | (p + 1 < end ? b[p + 1] : 0)) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const isZero = (op & 0xc0) === 0;
  const isXzero = (op & 0xc0) === 0x40;
  const isVal = (op & 0x80) !== 0;
  let next = isXzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const runlen = span;

  let rewrite = true;
  if (isVal) {
    const old = ((op >> 2) & 0x1f) + 1;
    if (old >= count) return 0;
    if (runlen === 1) {
      b[p] = ((count - 1) << 2) | 0x80;
      rewrite = false;
    }
  }
  if (rewrite && isZero && runlen === 1) {
    b[p] = ((count - 1) << 2) | 0x80;
    rewrite = false;
  }
  if (rewrite) {
    let n = 0;
    const last = first + span - 1;
    if (isZero || isXzero) {
      if (index !== first) {
        const len = index - first;
        if (len > ZERO_MAX_LEN) {
          seq[n++] = 0x40 | ((len - 1) >> 8);
          seq[n++] = (len - 1) & 0xff;
        } else seq[n++] = len - 1;
      }
      seq[n++] = ((count - 1) << 2) | 0x80;
      if (index !== last) {
        const len = last - index;
        if (len > ZERO_MAX_LEN) {
          seq[n++] = 0x40 | ((len - 1) >> 8);
          seq[n++] = (len - 1) & 0xff;
        } else seq[n++] = len - 1;
      }
    } else {
      const cur = ((op >> 2) & 0x1f) + 1;
      if (index !== first) seq[n++] = ((cur - 1) << 2) | (index - first - 1) | 0x80;
      seq[n++] = ((count - 1) << 2) | 0x80;
      if (index !== last) seq[n++] = ((cur - 1) << 2) | (last - index - 1) | 0x80;
    }
    const delta = n - (isXzero ? 2 : 1);
    if (delta > 0 && h.len + delta > maxBytes) return promote(h, index, count);
    if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
    h.len += delta;
    for (let i = 0; i < n; i++) b[p + i] = seq[i];
    end += delta;
  }

  // merge adjacent VALs of equal value, looking at up to 5 opcodes from prev
  p = prev >= 0 ? prev : sparse;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = b[p];
    if ((o & 0xc0) === 0x40) {
      p += 2;
      continue;
    } else if ((o & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && (b[p + 1] & 0x80) !== 0) {
      const v1 = (o >> 2) & 0x1f;
      const o2 = b[p + 1];
      if (v1 === ((o2 >> 2) & 0x1f)) {
        const len = (o & 3) + (o2 & 3) + 2;
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = (v1 << 2) | (len - 1) | 0x80;
          b.copyWithin(p, p + 1, end);
          h.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function promote(h: HllBuffer, index: number, count: number): number {
  if (!sparseToDense(h)) return -1;
  return denseSet(h.buf, index, count);
}

/**
 * PFADD of one element (a latin1 string): 1 when a register changed, 0
 * when not, -1 when the HLL is corrupt. May replace h.buf (growth, dense
 * conversion). Does not touch the cached cardinality on the dense path:
 * the caller invalidates it once per command, as Redis does.
 */
export function hllAdd(h: HllBuffer, ele: string, maxBytes: number): number {
  const r = patLenString(ele);
  const b = h.buf;
  if (b[4] === HLL_DENSE) return denseSet(b, r >>> 6, r & 63);
  if (b[4] === HLL_SPARSE) return sparseSet(h, r >>> 6, r & 63, maxBytes);
  return -1;
}

/* ------------------------------------------------------------- counting */

const histo = new Int32Array(64);

function denseHisto(b: Uint8Array): void {
  const h = histo;
  let r = HLL_HDR_SIZE;
  for (let j = 0; j < 4096; j++) {
    // 3 bytes hold 4 registers, least significant bits first
    const x = b[r] | (b[r + 1] << 8) | (b[r + 2] << 16);
    h[x & 63]++;
    h[(x >> 6) & 63]++;
    h[(x >> 12) & 63]++;
    h[x >> 18]++;
    r += 3;
  }
}

/** False when the opcodes do not cover exactly 16384 registers. */
function sparseHisto(b: Uint8Array, end: number): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      idx += run;
      histo[0] += run;
      p++;
    } else if ((op & 0x80) === 0) {
      const run = (((op & 0x3f) << 8) | (p + 1 < end ? b[p + 1] : 0)) + 1;
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      idx += run;
      histo[((op >> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zp: number;
  do {
    x *= x;
    zp = z;
    z += x * y;
    y += y;
  } while (zp !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zp: number;
  do {
    x = Math.sqrt(x);
    zp = z;
    y *= 0.5;
    const t = 1 - x;
    z -= t * t * y;
  } while (zp !== z);
  return z / 3;
}

/** Sentinel for an estimate that does not fit a signed 64-bit integer (llroundl's result then). */
export const CARD_OVERFLOW = -1;

function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = (ALPHA_INF * m * m) / z;
  // llroundl: out of range (inf included) gives LLONG_MIN on x86-64
  if (!(e < 9223372036854775807)) return CARD_OVERFLOW;
  return Math.round(e);
}

/**
 * Cardinality estimate of an HLL value (dense or sparse). Returns -2 when
 * a sparse HLL is corrupt, CARD_OVERFLOW (-1) when the estimate overflows
 * (only possible with forged registers), else the estimate.
 */
export function hllCount(b: Uint8Array, len: number): number {
  histo.fill(0);
  if (b[4] === HLL_DENSE) denseHisto(b);
  else if (!sparseHisto(b, len)) return -2;
  return estimate();
}

/** Cardinality estimate of 16384 registers held one per byte (the union of PFCOUNT k1 k2...). */
export function rawCount(regs: Uint8Array): number {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[regs[i]]++;
  return estimate();
}

/**
 * max[i] = MAX(max[i], register i) for every register of an HLL. False
 * when a sparse HLL is corrupt (max may then be partly updated, as in
 * Redis, which then fails the command).
 */
export function hllMerge(max: Uint8Array, b: Uint8Array, len: number): boolean {
  if (b[4] === HLL_DENSE) {
    let r = HLL_HDR_SIZE;
    for (let i = 0; i < HLL_REGISTERS; i += 4) {
      const b0 = b[r];
      const b1 = b[r + 1];
      const b2 = b[r + 2];
      let v = b0 & 63;
      if (v > max[i]) max[i] = v;
      v = ((b0 >> 6) | (b1 << 2)) & 63;
      if (v > max[i + 1]) max[i + 1] = v;
      v = ((b1 >> 4) | (b2 << 4)) & 63;
      if (v > max[i + 2]) max[i + 2] = v;
      v = b2 >> 2;
      if (v > max[i + 3]) max[i + 3] = v;
      r += 3;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0x80) === 0) {
      i += (((op & 0x3f) << 8) | (p + 1 < len ? b[p + 1] : 0)) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false; // overflow: corrupt
      while (run-- > 0) {
        if (val > max[i]) max[i] = val;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/* ------------------------------------------------------------ the cache */

/** The cached cardinality (cache must be valid): a number, or a bigint above 2^53. */
export function readCachedCard(b: Buffer): number | bigint {
  const lo = b.readUInt32LE(8);
  const hi = b.readUInt32LE(12);
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Store a cardinality from hllCount (CARD_OVERFLOW stores 2^63, which reads back as "invalid"). */
export function writeCachedCard(b: Buffer, card: number): void {
  if (card === CARD_OVERFLOW) {
    b.fill(0, 8, 15);
    b[15] = 0x80;
    return;
  }
  b.writeUInt32LE(card % 4294967296, 8);
  b.writeUInt32LE(Math.floor(card / 4294967296), 12);
}

/** PFDEBUG DECODE text of a sparse HLL: "z:<n>", "Z:<n>", "v:<value>,<n>" separated by spaces. */
export function decodeSparse(b: Uint8Array, len: number): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0x80) === 0) {
      parts.push(`Z:${(((op & 0x3f) << 8) | (p + 1 < len ? b[p + 1] : 0)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}
