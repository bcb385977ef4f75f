/*
 * ZSet: the sorted set value, with Redis's two encodings.
 *
 * - "listpack": two parallel arrays (members, scores) kept sorted by
 *   (score, member bytes). Used while the set has at most
 *   zset-max-listpack-entries elements, each at most zset-max-listpack-value
 *   bytes long. Lookups by member are linear scans, as in Redis; ranks and
 *   ranges use binary search on the order.
 * - "skiplist": a Dict<number> member -> score (O(1) ZSCORE, ZSCAN's cursor)
 *   plus a ZTree (order-statistics B+tree) for ranks and ranges in
 *   O(log n). Both share the member strings.
 *
 * A set is converted once to "skiplist" when an insertion exceeds a limit;
 * it never goes back, except that commands building a new set (ZUNIONSTORE,
 * ZRANGESTORE, ...) pick the encoding from the result's size, as Redis does.
 *
 * Invariants: listpack arrays sorted strictly by (score, member); in the
 * skiplist form dict and tree hold the same (member, score) pairs. Scores
 * are never NaN. A listpack stores scores as text where Redis's -0 reads
 * back as 0, so the listpack form normalizes -0 to 0 (`+ 0`) while the
 * skiplist form keeps -0, exactly as Redis reports them.
 */
import type { RedisObject, ValueDigester } from './object';
import { Dict } from './dict';
import { ZTree, zless } from './zset-tree';
import { jemallocSize } from './mem-estimate';
import { formatG17 } from '../util/numbers';

export interface ZsetLimits {
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

export type ZVisit = (member: string, score: number) => boolean | void;

export class ZSet implements RedisObject {
  readonly kind = 'zset' as const;
  /** listpack form (null in skiplist form) */
  lpMembers: string[] | null = [];
  lpScores: number[] | null = [];
  /** skiplist form (null in listpack form) */
  dict: Dict<number> | null = null;
  tree: ZTree | null = null;

  /** A new empty set in the form Redis would pick for a first member of this length. */
  static create(limits: ZsetLimits, firstMemberLen: number): ZSet {
    const z = new ZSet();
    if (limits.zsetMaxListpackEntries === 0 || firstMemberLen > limits.zsetMaxListpackValue) z.convertToSkiplist();
    return z;
  }

  /** A new set for `count` elements whose longest member has maxLen bytes (store commands). */
  static forResult(limits: ZsetLimits, count: number, maxLen: number): ZSet {
    const z = new ZSet();
    if (count > limits.zsetMaxListpackEntries || maxLen > limits.zsetMaxListpackValue) z.convertToSkiplist();
    return z;
  }

  encoding(): string {
    return this.tree === null ? 'listpack' : 'skiplist';
  }

  get size(): number {
    return this.tree === null ? (this.lpMembers as string[]).length : this.tree.size;
  }

  convertToSkiplist(): void {
    if (this.tree !== null) return;
    const ms = this.lpMembers as string[];
    const ss = this.lpScores as number[];
    const dict = new Dict<number>();
    const tree = new ZTree();
    for (let i = 0; i < ms.length; i++) {
      dict.set(ms[i], ss[i]);
      tree.insert(ss[i], ms[i]);
    }
    this.dict = dict;
    this.tree = tree;
    this.lpMembers = null;
    this.lpScores = null;
  }

  private lpIndexOf(member: string): number {
    const ms = this.lpMembers as string[];
    for (let i = 0; i < ms.length; i++) if (ms[i] === member) return i;
    return -1;
  }

  /** Score of member, or undefined. */
  score(member: string): number | undefined {
    if (this.dict !== null) return this.dict.get(member);
    const i = this.lpIndexOf(member);
    return i < 0 ? undefined : (this.lpScores as number[])[i];
  }

  /** Listpack: first index whose element is >= (score, member). */
  private lpLower(score: number, member: string): number {
    const ss = this.lpScores as number[];
    const ms = this.lpMembers as string[];
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (zless(ss[mid], ms[mid], score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Add a member known to be absent, converting the encoding first if a limit would be exceeded. */
  insert(member: string, score: number, limits: ZsetLimits): void {
    if (this.tree === null) {
      const ms = this.lpMembers as string[];
      if (ms.length + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue) {
        this.convertToSkiplist();
      } else {
        const i = this.lpLower(score, member);
        ms.splice(i, 0, member);
        (this.lpScores as number[]).splice(i, 0, score + 0);
        return;
      }
    }
    (this.dict as Dict<number>).set(member, score);
    (this.tree as ZTree).insert(score, member);
  }

  /** Append at the end: the caller guarantees order (building results). */
  appendSorted(member: string, score: number): void {
    if (this.tree === null) {
      (this.lpMembers as string[]).push(member);
      (this.lpScores as number[]).push(score + 0);
    } else {
      (this.dict as Dict<number>).set(member, score);
      this.tree.insert(score, member);
    }
  }

  /** Change the score of a present member. */
  update(member: string, oldScore: number, score: number): void {
    if (this.tree === null) {
      score += 0;
      const ms = this.lpMembers as string[];
      const ss = this.lpScores as number[];
      const i = this.lpLower(oldScore, member);
      // stays in place when still ordered against its neighbours
      if ((i === 0 || zless(ss[i - 1], ms[i - 1], score, member)) && (i === ms.length - 1 || zless(score, member, ss[i + 1], ms[i + 1]))) {
        ss[i] = score;
        return;
      }
      ms.splice(i, 1);
      ss.splice(i, 1);
      const j = this.lpLower(score, member);
      ms.splice(j, 0, member);
      ss.splice(j, 0, score);
      return;
    }
    const tree = this.tree;
    tree.remove(oldScore, member);
    tree.insert(score, member);
    (this.dict as Dict<number>).set(member, score);
  }

  /** Remove a member; false when absent. */
  remove(member: string): boolean {
    if (this.tree === null) {
      const i = this.lpIndexOf(member);
      if (i < 0) return false;
      (this.lpMembers as string[]).splice(i, 1);
      (this.lpScores as number[]).splice(i, 1);
      return true;
    }
    const dict = this.dict as Dict<number>;
    const s = dict.get(member);
    if (s === undefined) return false;
    dict.delete(member);
    this.tree.remove(s, member);
    return true;
  }

  /** 0-based rank (from the lowest score, or from the highest when rev), or -1. */
  rank(member: string, rev: boolean): number {
    let r: number;
    if (this.tree === null) {
      r = this.lpIndexOf(member);
    } else {
      const s = (this.dict as Dict<number>).get(member);
      if (s === undefined) return -1;
      r = this.tree.rank(s, member);
    }
    if (r < 0) return -1;
    return rev ? this.size - 1 - r : r;
  }

  /** Rank of the first element for which before() is false (before: true on a prefix of the order). */
  lowerBound(before: (score: number, member: string) => boolean): number {
    if (this.tree !== null) return this.tree.lowerBound(before);
    const ss = this.lpScores as number[];
    const ms = this.lpMembers as string[];
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(ss[mid], ms[mid])) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Visit ranks [start, end] (0-based, in ascending order; descending from end when rev) until fn returns false. */
  forRange(start: number, end: number, rev: boolean, fn: ZVisit): void {
    if (start < 0) start = 0;
    if (end >= this.size) end = this.size - 1;
    if (start > end) return;
    if (this.tree !== null) {
      this.tree.forRange(start, end, rev, fn);
      return;
    }
    const ms = this.lpMembers as string[];
    const ss = this.lpScores as number[];
    if (!rev) {
      for (let i = start; i <= end; i++) if (fn(ms[i], ss[i]) === false) return;
    } else {
      for (let i = end; i >= start; i--) if (fn(ms[i], ss[i]) === false) return;
    }
  }

  /** Member and score at rank r (ascending). */
  memberAt(r: number): [string, number] {
    if (this.tree === null) return [(this.lpMembers as string[])[r], (this.lpScores as number[])[r]];
    const p = this.tree.at(r);
    return [p.leaf.members[p.i], p.leaf.scores[p.i]];
  }

  /** Remove ranks [start, end] (clamped); returns how many were removed. */
  removeRange(start: number, end: number): number {
    if (start < 0) start = 0;
    if (end >= this.size) end = this.size - 1;
    if (start > end) return 0;
    const n = end - start + 1;
    if (this.tree === null) {
      (this.lpMembers as string[]).splice(start, n);
      (this.lpScores as number[]).splice(start, n);
      return n;
    }
    const dict = this.dict as Dict<number>;
    const tree = this.tree;
    tree.forRange(start, end, false, (m) => {
      dict.delete(m);
    });
    for (let k = 0; k < n; k++) tree.removeAt(start);
    return n;
  }

  /** Remove and return the element at rank r. */
  removeAt(r: number): [string, number] {
    const e = this.memberAt(r);
    if (this.tree === null) {
      (this.lpMembers as string[]).splice(r, 1);
      (this.lpScores as number[]).splice(r, 1);
    } else {
      (this.dict as Dict<number>).delete(e[0]);
      this.tree.removeAt(r);
    }
    return e;
  }

  /** Every element in ascending order. */
  forEach(fn: (member: string, score: number) => void): void {
    this.forRange(0, this.size - 1, false, fn);
  }

  /** Members by ascending (score, member): what SORT reads (its duck-typed adapter). */
  toArray(): string[] {
    if (this.tree === null) return (this.lpMembers as string[]).slice();
    const out: string[] = [];
    this.forEach((m) => {
      out.push(m);
    });
    return out;
  }

  /** A uniformly random element. */
  random(): [string, number] {
    if (this.dict !== null) {
      const id = this.dict.randomId();
      return [this.dict.keyAt(id), this.dict.valueAt(id)];
    }
    const i = Math.floor(Math.random() * (this.lpMembers as string[]).length);
    return [(this.lpMembers as string[])[i], (this.lpScores as number[])[i]];
  }

  dup(): ZSet {
    const z = new ZSet();
    if (this.tree === null) {
      z.lpMembers = (this.lpMembers as string[]).slice();
      z.lpScores = (this.lpScores as number[]).slice();
      return z;
    }
    z.convertToSkiplist();
    this.forEach((m, s) => z.appendSorted(m, s));
    return z;
  }

  digestInto(d: ValueDigester): void {
    this.forEach((m, s) => d.xorParts(m, d.score(s)));
  }

  /** MEMORY USAGE estimate in Redis's terms (listpack bytes, or skiplist nodes + dict entries). */
  memoryUsage(samples: number): number {
    if (this.tree === null) {
      let bytes = 7; // listpack header and end byte
      const ms = this.lpMembers as string[];
      const ss = this.lpScores as number[];
      for (let i = 0; i < ms.length; i++) bytes += lpEntrySize(ms[i]) + lpEntrySize(scoreText(ss[i]));
      return 16 + jemallocSize(bytes);
    }
    const n = this.tree.size;
    const dict = this.dict as Dict<number>;
    // robj + zset + skiplist + dict + buckets + header node
    let bytes = 16 + 16 + 32 + 56 + 8 * dict.bucketCount + 512;
    if (n === 0) return bytes;
    const take = samples <= 0 ? n : Math.min(samples, n);
    let sampled = 0;
    let k = 0;
    this.forRange(0, take - 1, false, (m) => {
      // sds + node (ele, score, backward, levels) + dictEntry
      sampled += jemallocSize(sdsHeader(m.length) + m.length + 1) + 52 + 24;
      k++;
    });
    return bytes + Math.round((sampled / k) * n);
  }
}

/** The text a listpack holds for a score (d2string: integers plainly, otherwise %.17g). */
function scoreText(s: number): string {
  return Number.isInteger(s) && Math.abs(s) < 2 ** 53 ? String(s) : formatG17(s);
}

/** Bytes a string takes as a listpack entry (integer forms for integer strings). */
function lpEntrySize(s: string): number {
  const n = s.length;
  if (n > 0 && n <= 20 && /^-?(0|[1-9]\d*)$/.test(s)) {
    const v = Number(s);
    if (v >= 0 && v <= 127) return 2;
    if (v >= -4096 && v <= 4095) return 3;
    if (v >= -32768 && v <= 32767) return 4;
    if (v >= -8388608 && v <= 8388607) return 5;
    if (v >= -2147483648 && v <= 2147483647) return 6;
    return 10;
  }
  const hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
  const total = hdr + n;
  const back = total < 128 ? 1 : total < 16384 ? 2 : total < 2097152 ? 3 : total < 268435456 ? 4 : 5;
  return total + back;
}

function sdsHeader(n: number): number {
  return n < 256 ? 3 : n < 65536 ? 5 : 9;
}
