/*
 * Number formatting for INFO and friends, matching the C printf formats
 * Redis uses:
 * - fixed(x, d) is printf("%.<d>f"): the exact binary value rounded to d
 *   decimals, ties to even (glibc), unlike Number.prototype.toFixed which
 *   rounds ties away from zero;
 * - trimmedF(x) is "%f" with trailing zeros (and a trailing dot) removed,
 *   as Redis's trimDoubleString;
 * - bytesToHuman(n) is Redis's 100B / 4.00K / 2.50M / 1.00G form.
 */

/** printf("%.<digits>f", x) */
export function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(digits);
  // toFixed only differs from printf on exact ties; detect them exactly.
  const scaled = Math.abs(x) * Math.pow(10, digits);
  const frac = scaled - Math.floor(scaled);
  if (frac !== 0.5 || !isExactTie(x, digits)) return s;
  const down = Math.floor(scaled);
  const even = down % 2 === 0 ? down : down + 1;
  let str = even.toString().padStart(digits + 1, '0');
  if (digits > 0) str = str.slice(0, str.length - digits) + '.' + str.slice(str.length - digits);
  return (x < 0 ? '-' : '') + str;
}

/** Whether |x| * 10^digits is exactly k + 0.5 (using exact rational arithmetic). */
function isExactTie(x: number, digits: number): boolean {
  // x = m * 2^e exactly; x*10^d*2 must be an odd integer.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  let num = mant * 10n ** BigInt(digits) * 2n;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (num % den !== 0n) return false;
  return (num / den) % 2n === 1n;
}

/** "%f" then trailing zeros removed (Redis's trimDoubleString): 99.9 -> "99.9", 50 -> "50". */
export function trimmedF(x: number): string {
  let s = fixed(x, 6);
  if (s.indexOf('.') >= 0) {
    s = s.replace(/0+$/, '');
    if (s.endsWith('.')) s = s.slice(0, -1);
  }
  return s;
}

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${fixed(n / 1024, 2)}K`;
  if (n < 1024 ** 3) return `${fixed(n / 1024 ** 2, 2)}M`;
  if (n < 1024 ** 4) return `${fixed(n / 1024 ** 3, 2)}G`;
  if (n < 1024 ** 5) return `${fixed(n / 1024 ** 4, 2)}T`;
  if (n < 1024 ** 6) return `${fixed(n / 1024 ** 5, 2)}P`;
  return `${n}B`;
}

/** Seconds and microseconds as "%ld.%06ld". */
export function secUsec(totalUsec: number): string {
  const sec = Math.floor(totalUsec / 1e6);
  const usec = Math.floor(totalUsec - sec * 1e6);
  return `${sec}.${String(usec).padStart(6, '0')}`;
}

/** INFO values must not contain these: Redis replaces them with '_' (getSafeInfoString). */
export function safeInfoString(s: string): string {
  return /[#:\n\r]/.test(s) ? s.replace(/[#:\n\r]/g, '_') : s;
}
