/*
 * Helpers for MEMORY USAGE estimates of collection types: what Redis would
 * allocate for an sds string of a given content (jemalloc size classes),
 * so that the figures stay comparable with Redis's.
 */
import { jemallocSize } from '../info/memory';

export { jemallocSize };

/** Bytes of an sds string holding s (header + data + NUL, rounded to the size class). */
export function sdsBytes(s: string): number {
  const n = s.length;
  const hdr = n < 32 ? 1 : n < 256 ? 3 : n < 65536 ? 5 : 9;
  return jemallocSize(hdr + n + 1);
}
