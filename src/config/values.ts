/*
 * Value codecs for configuration parameters: how Redis 7.0 reads and prints
 * integers, memory sizes (with k/kb/m/mb/g/gb units), percentages, octal
 * numbers, booleans and the structured values (save points, client output
 * buffer limits).
 *
 * Integers are parsed into bigint first so that range checks against the
 * 64-bit bounds Redis prints in its errors are exact; the live value kept on
 * Config is a JS number.
 */

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
export const ULLONG_MAX = 18446744073709551615n;
export const INT_MAX = 2147483647n;
export const INT_MIN = -2147483648n;
export const UINT_MAX = 4294967295n;

/** string2ll: strict decimal, optional '-', no leading zeros or spaces, int64 range. */
export function strictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s) || s.length > 20) return null;
  const v = BigInt(s);
  if (v > LLONG_MAX || v < LLONG_MIN) return null;
  return v;
}

const UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n,
};

/**
 * memtoull: digits (possibly none, meaning 0) then an optional unit, case
 * insensitive. Like strtoull, a huge number saturates instead of failing.
 */
export function parseMemory(s: string): bigint | null {
  const m = /^([0-9]*)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (m === null) return null;
  let v = m[1] === '' ? 0n : BigInt(m[1]);
  if (v > ULLONG_MAX) v = ULLONG_MAX;
  v *= UNITS[(m[2] ?? '').toLowerCase()];
  if (v > ULLONG_MAX) v = v & ULLONG_MAX;
  return v;
}

/** rewriteConfigFormatMemory: the largest binary unit dividing the value. */
export function formatMemoryForRewrite(v: number | bigint): string {
  const b = BigInt(v);
  if (b !== 0n && b % 1073741824n === 0n) return `${b / 1073741824n}gb`;
  if (b !== 0n && b % 1048576n === 0n) return `${b / 1048576n}mb`;
  if (b !== 0n && b % 1024n === 0n) return `${b / 1024n}kb`;
  return String(b);
}

/** One class of client-output-buffer-limit. */
export interface ObufLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export interface ClientOutputBufferLimits {
  normal: ObufLimit;
  replica: ObufLimit;
  pubsub: ObufLimit;
}

export const OBUF_CLASSES: (keyof ClientOutputBufferLimits)[] = ['normal', 'replica', 'pubsub'];
/** names CONFIG GET prints for each class */
export const OBUF_GET_NAMES: Record<keyof ClientOutputBufferLimits, string> = { normal: 'normal', replica: 'slave', pubsub: 'pubsub' };

export function defaultObufLimits(): ClientOutputBufferLimits {
  return {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    replica: { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
    pubsub: { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 },
  };
}

export type SavePoint = [seconds: number, changes: number];
