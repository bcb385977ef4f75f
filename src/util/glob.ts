/*
 * Glob-style pattern matching with exactly the semantics of Redis 7.0.15's
 * stringmatchlen() (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET, ACL patterns):
 *
 *   *        any run of characters (possibly empty)
 *   ?        exactly one character
 *   [abc]    one character of the set; [^abc] one character not in it;
 *            [a-z] a range (reversed ranges such as [z-a] are swapped);
 *            \x inside a class is the literal x
 *   \x       the literal character x
 *
 * Redis's corner cases are reproduced on purpose:
 * - an unterminated class ("[abc" at the end of the pattern) is closed by
 *   the end of the pattern; "[" alone never matches, "[^" matches any one
 *   character;
 * - "[]" is an empty class that never matches, "[^]" matches any character;
 * - a range whose end is "]" ("[a-]") swallows that "]", so the class goes
 *   on to the next "]" or the end of the pattern;
 * - range bounds compare as C signed chars: bytes >= 0x80 are negative, so
 *   "[a-\xff]" holds \xff (-1) up to "a" and not the bytes 0x80..0xfe;
 * - nocase lowers only A-Z (the C locale's tolower), never latin1 letters;
 * - a backslash at the very end of the pattern is a literal backslash.
 *
 * Protection against pathological patterns: Redis 7.0.15 recurses once per
 * "*" and, when the part of the pattern after a star cannot match anywhere
 * in the rest of the string, gives up at once instead of trying longer
 * matches for earlier stars (its "skipLongerMatches" fix for
 * "a*a*a*...*b"). That rule means only the most recent star can ever need
 * backtracking, so the matcher below is iterative: it remembers that star
 * alone. The result is identical to Redis's, it runs in O(pattern x string)
 * at worst, and no pattern, however many stars it holds, can exhaust the
 * JS stack (7.0.15 has no nesting limit; 7.2.6 later added one).
 *
 * Strings are latin1 JS strings: one char code per byte.
 */

const STAR = 42; // *
const QMARK = 63; // ?
const LBRACKET = 91; // [
const RBRACKET = 93; // ]
const BACKSLASH = 92; // \
const CARET = 94; // ^
const DASH = 45; // -

/** C tolower() in the C locale: only A-Z change. Works on signed values too. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a C (signed) char. */
function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/**
 * True when `str` matches `pattern`, as stringmatchlen(pattern, str, nocase)
 * in Redis 7.0.15.
 */
export function stringMatch(pattern: string, str: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = str.length;
  let p = 0;
  let s = 0;
  /** pattern index just after the most recent star, -1 before any */
  let starP = -1;
  /** string index where the current attempt for that star started */
  let starS = 0;

  for (;;) {
    // One attempt: Redis's main loop, run from (p, s).
    let failed = false;
    while (p < plen && s < slen) {
      const pc = pattern.charCodeAt(p);
      if (pc === STAR) {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++;
        if (p + 1 === plen) return true; // a trailing star matches the rest
        starP = p + 1;
        starS = s;
        p = starP;
        continue;
      }
      if (pc === QMARK) {
        s++;
      } else if (pc === LBRACKET) {
        const c = str.charCodeAt(s);
        p++;
        const not = p < plen && pattern.charCodeAt(p) === CARET;
        if (not) p++;
        let match = false;
        for (;;) {
          const cc = p < plen ? pattern.charCodeAt(p) : -1;
          if (cc === BACKSLASH && plen - p >= 2) {
            p++;
            if (pattern.charCodeAt(p) === c) match = true;
          } else if (cc === RBRACKET) {
            break;
          } else if (p >= plen) {
            p--; // the pattern ended inside the class: it closes here
            break;
          } else if (plen - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
            let start = signedChar(cc);
            let end = signedChar(pattern.charCodeAt(p + 2));
            let ch = signedChar(c);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              ch = lower(ch);
            }
            p += 2;
            if (ch >= start && ch <= end) match = true;
          } else if (nocase ? lower(cc) === lower(c) : cc === c) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) {
          failed = true;
          break;
        }
        s++;
      } else {
        let lit = pc;
        if (pc === BACKSLASH && plen - p >= 2) {
          p++;
          lit = pattern.charCodeAt(p);
        }
        const c = str.charCodeAt(s);
        if (nocase ? lower(lit) !== lower(c) : lit !== c) {
          failed = true;
          break;
        }
        s++;
      }
      p++;
      if (s === slen) {
        while (p < plen && pattern.charCodeAt(p) === STAR) p++;
        break;
      }
    }
    if (!failed && p === plen && s === slen) return true;
    // Backtrack: only the latest star may take one more character.
    if (starP < 0) return false;
    starS++;
    if (starS >= slen) return false;
    p = starP;
    s = starS;
  }
}

export type Matcher = (str: string) => boolean;

const nonEmpty: Matcher = (s) => s.length > 0;

/**
 * KEYS and SCAN treat the pattern "*" as "no filter at all", which unlike
 * stringMatch("*", "") also returns the empty key name.
 */
export function isMatchAll(pattern: string): boolean {
  return pattern.length === 1 && pattern.charCodeAt(0) === STAR;
}

function hasSpecial(pattern: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QMARK || c === LBRACKET || c === BACKSLASH) return true;
  }
  return false;
}

function equalNoCase(a: string, b: string, len: number): boolean {
  for (let i = 0; i < len; i++) {
    if (lower(a.charCodeAt(i)) !== lower(b.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * A matcher for one pattern, to apply to many strings (KEYS, SCAN). Fast
 * paths, each equivalent to stringMatch: only stars (non-empty), a pattern with
 * no special character (equality), and a literal prefix followed only by
 * stars (prefix test).
 */
export function compileGlob(pattern: string, nocase = false): Matcher {
  const n = pattern.length;
  let lit = n;
  while (lit > 0 && pattern.charCodeAt(lit - 1) === STAR) lit--;
  // Only stars: any non-empty string (like Redis, "*" does not match "":
  // KEYS and SCAN special-case the pattern "*" themselves, see isMatchAll).
  if (lit === 0 && n > 0) return nonEmpty;
  if (!hasSpecial(pattern, 0, lit)) {
    const prefix = pattern.slice(0, lit);
    if (lit === n) {
      if (!nocase) return (s) => s === pattern;
      return (s) => s.length === n && equalNoCase(s, pattern, n);
    }
    // A literal prefix then stars: the stars match any (even empty) rest.
    // (A preceding backslash would make the first star literal, but a
    // backslash is special, so that case never gets here.)
    if (!nocase) return (s) => s.startsWith(prefix);
    return (s) => s.length >= lit && equalNoCase(s, prefix, lit);
  }
  return (s) => stringMatch(pattern, s, nocase);
}

/** True when s contains a glob metacharacter (used to tell a plain name from a pattern). */
export function hasGlobChars(s: string): boolean {
  return /[*?[]/.test(s);
}
