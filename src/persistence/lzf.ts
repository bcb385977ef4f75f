/*
 * LZF, the byte-oriented LZ77 variant Redis uses for RDB strings.
 *
 * Stream format: a control byte c, then
 * - c < 32: a literal run of c+1 bytes follows;
 * - otherwise a back reference: length (c >> 5) + 2, or when c >> 5 is 7,
 *   the next byte + 9; then the low 5 bits of c and the next byte form the
 *   distance - 1 (up to 8192 back from the output position).
 *
 * decompress() checks every bound and reports malformed input as null,
 * never throwing or reading outside its buffers. compress() follows the
 * same greedy strategy as the reference implementation (3-byte hash of
 * 2^16 slots, matches of up to 264 bytes, the "very fast" re-hashing of
 * two positions after a match) so that Redis and Nodis produce the same
 * bytes for the same input (DUMP payloads compare equal).
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * The hash table, shared by every call. Each call must see an empty table
 * (so that output depends only on the input), but clearing 2^16 slots per
 * call would dominate the cost of compressing short strings. So a slot
 * holds htabBias + position + 1, and anything at or below the call's bias
 * (written by earlier calls) reads as empty; the bias moves past each
 * call's positions, and the table is cleared only when it would overflow.
 */
const htab = new Int32Array(HSIZE);
let htabBias = 0;

/** Decompress `src` into exactly `outLen` bytes, or null when malformed. */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  const inEnd = src.length;
  while (ip < inEnd) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > inEnd) return null;
      for (let k = 0; k < n; k++) out[op++] = src[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inEnd) return null;
        len += src[ip++];
      }
      if (ip >= inEnd) return null;
      ctrl = ((ctrl & 0x1f) << 8) + src[ip++];
      let ref = op - ctrl - 1;
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  return op === outLen ? out : null;
}

function idx(h: number): number {
  return ((h >>> (24 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compress `data` into at most `maxOut` bytes; null when the result would
 * not fit (the caller then stores the bytes verbatim).
 */
export function lzfCompress(data: Uint8Array, maxOut: number): Buffer | null {
  const inLen = data.length;
  if (inLen === 0 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(maxOut);
  // slots hold bias + position + 1; older values read as a negative position (empty)
  if (htabBias + inLen + 1 > 0x7fffffff) {
    htab.fill(0);
    htabBias = 0;
  }
  const bias = htabBias;
  htabBias += inLen + 1;
  const tab = htab;
  let ip = 0;
  let op = 1; // room for the first literal run's control byte
  let lit = 0;
  let hval = (data[0] << 8) | (inLen > 1 ? data[1] : 0);
  while (ip < inLen - 2) {
    hval = ((hval << 8) | data[ip + 2]) & 0xffffff;
    const slot = idx(hval);
    const refPos = tab[slot] - bias - 1;
    tab[slot] = bias + ip + 1;
    let off = 0;
    if (
      refPos > 0 &&
      refPos < ip &&
      (off = ip - refPos - 1) < MAX_OFF &&
      data[refPos + 2] === data[ip + 2] &&
      data[refPos] === data[ip] &&
      data[refPos + 1] === data[ip + 1]
    ) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= maxOut && op - (lit === 0 ? 1 : 0) + 3 + 1 >= maxOut) return null;
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      do len++;
      while (len < maxlen && data[refPos + len] === data[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inLen - 2) break;
      ip -= 2;
      hval = (data[ip] << 8) | data[ip + 1];
      hval = ((hval << 8) | data[ip + 2]) & 0xffffff;
      tab[idx(hval)] = bias + ip + 1;
      ip++;
      hval = ((hval << 8) | data[ip + 2]) & 0xffffff;
      tab[idx(hval)] = bias + ip + 1;
      ip++;
    } else {
      if (op >= maxOut) return null;
      lit++;
      out[op++] = data[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > maxOut) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = data[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}
