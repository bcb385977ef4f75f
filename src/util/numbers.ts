/*
 * Number parsing and formatting with Redis's exact rules.
 *
 * - parseInteger: string2ll: optional '-', no '+', no spaces, no leading
 *   zeros, must fit a signed 64-bit integer. Returns a JS number, which is
 *   exact only up to 2^53; parseBigInteger gives the exact value.
 * - formatG17: C's "%.17g", used by Redis 7.0 for doubles in replies.
 * - parseDouble: strtod as Redis uses it for scores and floats: no spaces,
 *   "inf"/"-inf"/"+inf" accepted, NaN rejected.
 */

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/** string2ll: strict decimal integer in the int64 range, or null. */
export function parseBigInteger(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

/**
 * string2ll returning a JS number. Fast path for short strings; values past
 * 2^53 come back rounded, so callers needing exact 64-bit math use
 * parseBigInteger.
 */
export function parseInteger(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n < 16) {
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45) {
      if (n === 1) return null;
      neg = true;
      i = 1;
    }
    let c = s.charCodeAt(i);
    if (c === 48) return n === 1 ? 0 : null;
    if (c < 49 || c > 57) return null;
    let v = c - 48;
    for (i++; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      v = v * 10 + (c - 48);
    }
    return neg ? -v : v;
  }
  const b = parseBigInteger(s);
  return b === null ? null : Number(b);
}

/** True when s is exactly the canonical decimal form of a 64-bit integer. */
export function isInteger(s: string): boolean {
  return parseBigInteger(s) !== null;
}

/** C's "%.17g". */
export function formatG17(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : d < 0 ? '-inf' : 'nan';
  return formatG(d, 17);
}

/** C's "%.<precision>g" for finite numbers. */
export function formatG(d: number, precision: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const expStr = d.toExponential(precision - 1);
  const eIdx = expStr.indexOf('e');
  const exp = Number(expStr.slice(eIdx + 1));
  if (exp < -4 || exp >= precision) {
    let mant = expStr.slice(0, eIdx);
    if (mant.indexOf('.') >= 0) mant = mant.replace(/\.?0+$/, '');
    const a = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
  }
  let s = d.toFixed(Math.max(0, precision - 1 - exp));
  if (s.indexOf('.') >= 0) s = s.replace(/\.?0+$/, '');
  return s;
}

/** Redis's addReplyDouble text: inf, -inf, or %.17g. */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return formatG17(d);
}

/**
 * strtod as Redis applies it to user input (getDoubleFromObject): the whole
 * string must be consumed, no leading space, and NaN is refused.
 */
export function parseDouble(s: string): number | null {
  const n = s.length;
  if (n === 0) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!DOUBLE_RE.test(s)) return null;
  const v = Number(s);
  if (Number.isNaN(v)) return null;
  return v;
}
const DOUBLE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?$/;
