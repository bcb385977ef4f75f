/*
 * Glob matching with Redis's stringmatchlen rules (*, ?, [...] with ranges
 * and ^ negation, \ escapes), used by CONFIG GET and by `include` patterns.
 * Private to the config module until a shared src/util/glob.ts exists.
 */

export function globMatch(pattern: string, s: string, nocase = false): boolean {
  if (nocase) {
    pattern = pattern.toLowerCase();
    s = s.toLowerCase();
  }
  return matchFrom(pattern, 0, s, 0, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number, depth: number): boolean {
  if (depth > 1000) return false;
  while (pi < p.length) {
    const pc = p[pi];
    if (pc === '*') {
      while (pi + 1 < p.length && p[pi + 1] === '*') pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) {
        if (matchFrom(p, pi + 1, s, k, depth + 1)) return true;
      }
      return false;
    }
    if (si >= s.length) return false;
    if (pc === '?') {
      si++;
      pi++;
      continue;
    }
    if (pc === '[') {
      pi++;
      const not = p[pi] === '^';
      if (not) pi++;
      let match = false;
      const c = s[si];
      for (;;) {
        if (pi >= p.length) {
          pi--; // unterminated: like Redis, treat the end as the closing bracket
          break;
        }
        if (p[pi] === '\\' && pi + 2 <= p.length - 1) {
          pi++;
          if (p[pi] === c) match = true;
        } else if (p[pi] === ']') {
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === '-') {
          let start = p[pi];
          let end = p[pi + 2];
          if (start > end) [start, end] = [end, start];
          pi += 2;
          if (c >= start && c <= end) match = true;
        } else if (p[pi] === c) {
          match = true;
        }
        pi++;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
      pi++;
      continue;
    }
    if (pc === '\\' && pi + 1 < p.length) pi++;
    if (p[pi] !== s[si]) return false;
    si++;
    pi++;
  }
  return si === s.length;
}

export function hasGlobChars(s: string): boolean {
  return /[*?[]/.test(s);
}
