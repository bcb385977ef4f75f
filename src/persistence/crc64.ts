/*
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the "Jones"
 * polynomial (0xad93d23594c935a9), reflected input and output, initial value
 * 0, no final xor. Table-driven, one byte at a time, on two 32-bit halves
 * (BigInt arithmetic per byte would be far slower).
 */

const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
(() => {
  // the reflected polynomial 0x95ac9329ac4bc9b5 as two halves
  const pHi = 0x95ac9329;
  const pLo = 0xac4bc9b5;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ pLo) >>> 0;
        hi = (hi ^ pHi) >>> 0;
      }
    }
    TABLE_LO[i] = lo;
    TABLE_HI[i] = hi;
  }
})();

/** A running CRC-64. */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  update(data: Uint8Array): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      const nlo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
      const nhi = hi >>> 8;
      lo = (nlo ^ TABLE_LO[idx]) >>> 0;
      hi = (nhi ^ TABLE_HI[idx]) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  /** The 8 bytes Redis appends: the CRC, little-endian. */
  digestLE(): Buffer {
    const b = Buffer.allocUnsafe(8);
    b.writeUInt32LE(this.lo, 0);
    b.writeUInt32LE(this.hi, 4);
    return b;
  }
}

/** CRC-64 of data, as the 8 little-endian bytes Redis stores. */
export function crc64LE(data: Uint8Array): Buffer {
  return new Crc64().update(data).digestLE();
}
