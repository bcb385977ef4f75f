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

/* ------------------------------------------------------------------------
 * x87 80-bit long double emulation, for INCRBYFLOAT.
 *
 * Redis parses INCRBYFLOAT's operands with strtold, adds them as long
 * doubles (on x86-64: 64-bit significand), and prints the sum with
 * "%.17Lf" before stripping trailing zeros. A JS double gives different
 * digits (1.1 + 0.1 would show 1.2000000000000002), so we redo the same
 * steps exactly with BigInt: each value is sign * m * 2^e with m < 2^64,
 * every conversion is correctly rounded (nearest, ties to even), and the
 * printing uses the exact binary value. This is the slow path of a slow
 * command; nothing here is on the GET/SET/INCR hot path.
 * ---------------------------------------------------------------------- */

/** A finite 80-bit extended value: (neg ? -1 : 1) * m * 2^e, m = 0 or 2^63 <= m < 2^64. */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  /** true for +/-infinity (m and e are then meaningless) */
  inf: boolean;
}

const LD_MANT_BITS = 64;
/** Largest e with m < 2^64: values below 2^16384. */
const LD_MAX_E = 16384 - LD_MANT_BITS;
/** Smallest value strtold returns as non-zero (denormal minimum 2^-16445). */
const LD_MIN_E = -16445;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Round num/den (both > 0) to a 64-bit significand: returns [m, e] with m * 2^e ~ num/den. */
function roundRatio(num: bigint, den: bigint): [bigint, number] {
  // choose s so that num * 2^s / den lies in [2^63, 2^65)
  let s = LD_MANT_BITS - (bitLength(num) - bitLength(den));
  let q: bigint;
  let r: bigint;
  let d = den;
  let n = num;
  if (s >= 0) n = num << BigInt(s);
  else d = den << BigInt(-s);
  q = n / d;
  if (q >= 1n << 64n) {
    // one bit too many: fold it into the remainder
    s--;
    if (s >= 0) {
      n = num << BigInt(s);
      d = den;
    } else {
      n = num;
      d = den << BigInt(-s);
    }
    q = n / d;
  } else if (q < 1n << 63n) {
    s++;
    if (s >= 0) {
      n = num << BigInt(s);
      d = den;
    } else {
      n = num;
      d = den << BigInt(-s);
    }
    q = n / d;
  }
  r = n - q * d;
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) {
    q += 1n;
    if (q === 1n << 64n) {
      q >>= 1n;
      s--;
    }
  }
  return [q, -s];
}

/** Round an exact integer x * 2^e to 64 bits. */
function roundBits(x: bigint, e: number): [bigint, number] {
  const bl = bitLength(x);
  if (bl <= LD_MANT_BITS) {
    // normalize so that the top bit is bit 63
    const sh = LD_MANT_BITS - bl;
    return [x << BigInt(sh), e - sh];
  }
  const sh = bl - LD_MANT_BITS;
  const bsh = BigInt(sh);
  let q = x >> bsh;
  const r = x - (q << bsh);
  const half = 1n << (bsh - 1n);
  if (r > half || (r === half && (q & 1n) === 1n)) {
    q += 1n;
    if (q === 1n << 64n) return [q >> 1n, e + sh + 1];
  }
  return [q, e + sh];
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

/**
 * string2ld: strtold over the whole string, as Redis validates it: no
 * leading space, nothing left over, NaN refused, overflow and underflow to
 * zero refused. Returns null when the string is not a valid long double.
 */
export function parseLongDouble(s: string): LongDouble | null {
  const n = s.length;
  if (n === 0 || n >= MAX_LONG_DOUBLE_CHARS) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  let neg = false;
  let body = s;
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    body = s.slice(1);
  }
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return { neg, m: 0n, e: 0, inf: true };
  let mant: bigint;
  let exp2 = 0;
  let exp10 = 0;
  let hm = HEX_RE.exec(s);
  if (hm !== null && (hm[2].length > 0 || (hm[3] !== undefined && hm[3].length > 0))) {
    const frac = hm[3] ?? '';
    mant = BigInt('0x' + (hm[2] + frac || '0'));
    exp2 = (hm[4] !== undefined ? Number(hm[4]) : 0) - 4 * frac.length;
    if (!Number.isFinite(exp2)) return null;
  } else {
    hm = null;
    const dm = DEC_RE.exec(s);
    if (dm === null) return null;
    const ip = dm[2];
    const fp = dm[3] ?? '';
    if (ip.length === 0 && fp.length === 0) return null;
    mant = BigInt((ip + fp) || '0');
    exp10 = (dm[4] !== undefined ? Number(dm[4]) : 0) - fp.length;
    if (!Number.isFinite(exp10)) return null;
  }
  if (mant === 0n) return { neg, m: 0n, e: 0, inf: false };
  let m: bigint;
  let e: number;
  if (hm !== null) {
    // magnitude check before shifting by a huge exponent
    const top = bitLength(mant) + exp2;
    if (top > 16384) return null;
    if (top < LD_MIN_E) return null;
    [m, e] = roundBits(mant, exp2);
  } else {
    const digits = mant.toString().length;
    const mag = digits + exp10; // value is in [10^(mag-1), 10^mag)
    if (mag > 4933) return null; // > LDBL_MAX
    if (mag < -4952) return null; // rounds to zero: ERANGE
    if (exp10 >= 0) [m, e] = roundBits(mant * 10n ** BigInt(exp10), 0);
    else [m, e] = roundRatio(mant, 10n ** BigInt(-exp10));
  }
  if (e > LD_MAX_E) return null;
  if (e + LD_MANT_BITS <= LD_MIN_E) return null;
  return { neg, m, e, inf: false };
}

/** a + b in long double arithmetic. The result may be infinite (inf flag). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return { neg: false, m: 0n, e: 0, inf: true }; // NaN: callers treat as not finite
    return { neg: a.inf ? a.neg : b.neg, m: 0n, e: 0, inf: true };
  }
  if (a.m === 0n) {
    if (b.m === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0, inf: false };
    return b;
  }
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const av = a.m << BigInt(a.e - e);
  const bv = b.m << BigInt(b.e - e);
  let sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  if (sum === 0n) return { neg: false, m: 0n, e: 0, inf: false };
  const neg = sum < 0n;
  if (neg) sum = -sum;
  const [m, re] = roundBits(sum, e);
  if (re > LD_MAX_E) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m, e: re, inf: false };
}

const TEN17 = 10n ** 17n;

/**
 * Redis's ld2string in LD_STR_HUMAN mode: "%.17Lf" (exact binary value
 * rounded to 17 decimals, ties to even), trailing zeros and a trailing
 * dot removed, and "-0" written "0".
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  let digits: string;
  if (v.m === 0n) {
    return '0';
  } else if (v.e >= 0) {
    digits = (v.m << BigInt(v.e)).toString();
    return v.neg ? '-' + digits : digits;
  }
  const sh = BigInt(-v.e);
  const scaled = v.m * TEN17;
  let q = scaled >> sh;
  const r = scaled - (q << sh);
  const half = 1n << (sh - 1n);
  if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
  digits = q.toString();
  if (digits.length < 18) digits = '0'.repeat(18 - digits.length) + digits;
  const ip = digits.slice(0, digits.length - 17);
  let fp = digits.slice(digits.length - 17);
  let end = fp.length;
  while (end > 0 && fp.charCodeAt(end - 1) === 48) end--;
  fp = fp.slice(0, end);
  const out = fp.length > 0 ? `${ip}.${fp}` : ip;
  if (v.neg && out !== '0') return '-' + out;
  return out;
}

/** True when the long double is finite (not inf, not NaN). */
export function isFiniteLongDouble(v: LongDouble): boolean {
  return !v.inf;
}
