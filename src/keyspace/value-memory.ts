/*
 * MEMORY USAGE's figure for one key: the bytes Redis 7.0 would use for the
 * key, its value and its table entry (robj, sds headers, jemalloc size
 * classes), so that the numbers tools compare match Redis's. Collection
 * types report their own size (memoryUsage(samples)); strings are sized
 * here. Used by MEMORY USAGE, eviction and lazy freeing.
 */
import type { RedisValue } from './values';
import { jemallocSize } from '../types/mem-estimate';

/** Values of other types may report their own size; else a sampled estimate is used. */
interface SizedValue {
  memoryUsage(samples: number): number;
}

function hasMemoryUsage(v: unknown): v is SizedValue {
  return typeof (v as { memoryUsage?: unknown }).memoryUsage === 'function';
}

/** Header size of an sds string of this length (sdshdr8/16/32/64). */
function sdsHeader(len: number): number {
  return len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
}

/** Bytes Redis's object for a string value takes (robj + sds, or robj alone for integers). */
function stringValueBytes(value: string): number {
  const n = value.length;
  if (n <= 20 && /^(-?[1-9]\d*|0)$/.test(value)) {
    const v = Number(value);
    if (Number.isSafeInteger(v) || BigInt(value) <= 9223372036854775807n) return 16;
  }
  if (n <= 44) return jemallocSize(16 + 3 + n + 1); // embstr: one allocation
  return 16 + jemallocSize(sdsHeader(n) + n + 1);
}

/** MEMORY USAGE: bytes of the key, its value and its table entry, as Redis computes them. */
export function valueMemoryUsage(key: string, value: RedisValue, samples: number): number {
  let valueBytes: number;
  if (typeof value === 'string') {
    valueBytes = stringValueBytes(value);
  } else if (value.kind === 'string') {
    const cap = (value as unknown as { buf: Buffer }).buf.length;
    valueBytes = 16 + jemallocSize(sdsHeader(cap) + cap + 1);
  } else if (hasMemoryUsage(value)) {
    valueBytes = value.memoryUsage(samples);
  } else {
    valueBytes = 16;
  }
  // key: sdshdr5 below 32 bytes, then as values; plus the dictEntry (24 bytes)
  const keyHdr = key.length < 32 ? 1 : sdsHeader(key.length);
  return valueBytes + jemallocSize(keyHdr + key.length + 1) + 24;
}
