/*
 * Helpers for MEMORY USAGE estimates: what Redis would allocate for a given
 * request (jemalloc size classes) and for an sds string of a given content,
 * so that the figures stay comparable with Redis's. Pure functions of sizes,
 * shared by the collection types and by keyspace/value-memory.ts (strings, keys).
 */

/** jemalloc's size class for an allocation of n bytes (so that figures match Redis's). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  let base = 128;
  while (base * 2 < n) base *= 2;
  const q = base / 4;
  return Math.ceil(n / q) * q;
}

/** Bytes of an sds string holding s (header + data + NUL, rounded to the size class). */
export function sdsBytes(s: string): number {
  const n = s.length;
  const hdr = n < 32 ? 1 : n < 256 ? 3 : n < 65536 ? 5 : 9;
  return jemallocSize(hdr + n + 1);
}
