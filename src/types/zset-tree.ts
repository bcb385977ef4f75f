/*
 * ZTree: the ordered half of a big sorted set (Redis's "skiplist"
 * encoding). An order-statistics B+tree of (score, member) pairs.
 *
 * Why a B+tree and not a pointer skiplist: a JS object per node with an
 * array of forward pointers and spans costs well over 100 bytes per
 * element; leaves that hold up to LEAF_MAX members and scores in two flat
 * arrays cost ~20 bytes per element, and give the same O(log n) rank,
 * select, insert and delete (inner nodes keep the element count of each
 * child, the "spans").
 *
 * Order: by score, then member bytes (members are latin1 strings, so JS
 * string comparison is byte comparison).
 *
 * Invariants:
 * - leaves are chained (prev/next) in order; only the root may be empty;
 * - Inner.counts[i] is the number of elements under children[i];
 * - Inner separators: for i >= 1, every element of children[i-1] is
 *   < (sepScores[i], sepMembers[i]) <= every element of children[i]
 *   (index 0 is unused). Deletions keep this (they only remove elements);
 *   insertions descend to the last child whose separator is <= the key.
 */

const LEAF_MAX = 128;
const INNER_MAX = 64;

export class ZLeaf {
  members: string[] = [];
  scores: number[] = [];
  next: ZLeaf | null = null;
  prev: ZLeaf | null = null;
}

class ZInner {
  children: ZNode[] = [];
  counts: number[] = [];
  sepScores: number[] = [];
  sepMembers: string[] = [];
}

type ZNode = ZLeaf | ZInner;

/** True when (s1, m1) sorts before (s2, m2). */
export function zless(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

/** A position: leaf and offset in it. */
export interface ZPos {
  leaf: ZLeaf;
  i: number;
}

export class ZTree {
  private root: ZNode = new ZLeaf();
  private _size = 0;
  /** first and last leaves */
  head: ZLeaf;
  tail: ZLeaf;
  /** scratch path for updates */
  private pathNodes: ZInner[] = [];
  private pathIdx: number[] = [];

  constructor() {
    this.head = this.tail = this.root as ZLeaf;
  }

  get size(): number {
    return this._size;
  }

  /** Index of the child to descend into for an exact key: last i with sep_i <= key (0 if none). */
  private static childFor(n: ZInner, score: number, member: string): number {
    const ss = n.sepScores;
    const sm = n.sepMembers;
    let lo = 1;
    let hi = n.children.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (!zless(score, member, ss[mid], sm[mid])) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** First offset in leaf whose element is >= key. */
  private static leafLower(l: ZLeaf, score: number, member: string): number {
    const ss = l.scores;
    const sm = l.members;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (zless(ss[mid], sm[mid], score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Descend to the leaf for a key, recording the path. */
  private descend(score: number, member: string): ZLeaf {
    const pn = this.pathNodes;
    const pi = this.pathIdx;
    pn.length = 0;
    pi.length = 0;
    let n = this.root;
    while (!(n instanceof ZLeaf)) {
      const i = ZTree.childFor(n, score, member);
      pn.push(n);
      pi.push(i);
      n = n.children[i];
    }
    return n;
  }

  /** Insert an element known to be absent. */
  insert(score: number, member: string): void {
    const leaf = this.descend(score, member);
    const i = ZTree.leafLower(leaf, score, member);
    if (i === leaf.scores.length) {
      leaf.scores.push(score);
      leaf.members.push(member);
    } else {
      leaf.scores.splice(i, 0, score);
      leaf.members.splice(i, 0, member);
    }
    this._size++;
    const pn = this.pathNodes;
    const pi = this.pathIdx;
    for (let d = 0; d < pn.length; d++) pn[d].counts[pi[d]]++;
    if (leaf.scores.length > LEAF_MAX) this.splitLeaf(leaf);
  }

  private splitLeaf(leaf: ZLeaf): void {
    const half = leaf.scores.length >> 1;
    const right = new ZLeaf();
    right.scores = leaf.scores.splice(half);
    right.members = leaf.members.splice(half);
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    this.insertChild(this.pathNodes.length - 1, leaf, right, right.scores[0], right.members[0], leaf.scores.length, right.scores.length);
  }

  /**
   * After splitting `left` (the node at path depth d+1) into left + right:
   * put right after it in its parent (path depth d), splitting upwards.
   */
  private insertChild(d: number, left: ZNode, right: ZNode, sepS: number, sepM: string, leftCount: number, rightCount: number): void {
    if (d < 0) {
      const r = new ZInner();
      r.children = [left, right];
      r.counts = [leftCount, rightCount];
      r.sepScores = [0, sepS];
      r.sepMembers = ['', sepM];
      this.root = r;
      return;
    }
    const p = this.pathNodes[d];
    const i = this.pathIdx[d];
    p.children.splice(i + 1, 0, right);
    p.counts.splice(i + 1, 0, rightCount);
    p.counts[i] = leftCount;
    p.sepScores.splice(i + 1, 0, sepS);
    p.sepMembers.splice(i + 1, 0, sepM);
    if (p.children.length > INNER_MAX) {
      const half = p.children.length >> 1;
      const q = new ZInner();
      q.children = p.children.splice(half);
      q.counts = p.counts.splice(half);
      q.sepScores = p.sepScores.splice(half);
      q.sepMembers = p.sepMembers.splice(half);
      const upS = q.sepScores[0];
      const upM = q.sepMembers[0];
      q.sepScores[0] = 0;
      q.sepMembers[0] = '';
      this.insertChild(d - 1, p, q, upS, upM, sum(p.counts), sum(q.counts));
    }
  }

  /** Remove an element; false if absent. */
  remove(score: number, member: string): boolean {
    const leaf = this.descend(score, member);
    const i = ZTree.leafLower(leaf, score, member);
    if (i >= leaf.scores.length || leaf.scores[i] !== score || leaf.members[i] !== member) {
      // -0 and 0 compare equal; members decide
      if (!(i < leaf.scores.length && leaf.members[i] === member && leaf.scores[i] === score)) return false;
    }
    this.removeAtPath(leaf, i);
    return true;
  }

  /** Remove the element at rank r (0-based). */
  removeAt(r: number): void {
    const pn = this.pathNodes;
    const pi = this.pathIdx;
    pn.length = 0;
    pi.length = 0;
    let n = this.root;
    while (!(n instanceof ZLeaf)) {
      const counts = n.counts;
      let i = 0;
      while (r >= counts[i]) r -= counts[i++];
      pn.push(n);
      pi.push(i);
      n = n.children[i];
    }
    this.removeAtPath(n, r);
  }

  private removeAtPath(leaf: ZLeaf, i: number): void {
    if (i === leaf.scores.length - 1) {
      leaf.scores.pop();
      leaf.members.pop();
    } else if (i === 0) {
      leaf.scores.shift();
      leaf.members.shift();
    } else {
      leaf.scores.splice(i, 1);
      leaf.members.splice(i, 1);
    }
    this._size--;
    const pn = this.pathNodes;
    const pi = this.pathIdx;
    for (let d = 0; d < pn.length; d++) pn[d].counts[pi[d]]--;
    if (pn.length === 0) return;
    const len = leaf.scores.length;
    if (len === 0) {
      this.unlinkLeaf(leaf);
      this.removeChild(pn.length - 1);
    } else if (len < LEAF_MAX / 4) {
      this.maybeMergeLeaf();
    }
  }

  private unlinkLeaf(leaf: ZLeaf): void {
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else if (leaf.next !== null) this.head = leaf.next;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else if (leaf.prev !== null) this.tail = leaf.prev;
  }

  /** Merge the small leaf at the end of the path with a sibling (same parent) when both fit in half a leaf. */
  private maybeMergeLeaf(): void {
    const d = this.pathNodes.length - 1;
    const p = this.pathNodes[d];
    const i = this.pathIdx[d];
    let li: number;
    if (i > 0 && p.counts[i - 1] + p.counts[i] <= LEAF_MAX / 2) li = i - 1;
    else if (i + 1 < p.children.length && p.counts[i] + p.counts[i + 1] <= LEAF_MAX / 2) li = i;
    else return;
    const left = p.children[li] as ZLeaf;
    const right = p.children[li + 1] as ZLeaf;
    for (let k = 0; k < right.scores.length; k++) {
      left.scores.push(right.scores[k]);
      left.members.push(right.members[k]);
    }
    p.counts[li] += p.counts[li + 1];
    right.scores = [];
    right.members = [];
    this.unlinkLeaf(right);
    this.pathIdx[d] = li + 1;
    this.removeChild(d);
  }

  /** Remove child pathIdx[d] from pathNodes[d] (it became empty or was merged), shrinking upwards. */
  private removeChild(d: number): void {
    const p = this.pathNodes[d];
    const i = this.pathIdx[d];
    p.children.splice(i, 1);
    p.counts.splice(i, 1);
    p.sepScores.splice(i, 1);
    p.sepMembers.splice(i, 1);
    if (i === 0 && p.children.length > 0) {
      // the new first child's separator is no longer used; the parent's bound still holds
      p.sepScores[0] = 0;
      p.sepMembers[0] = '';
    }
    if (p.children.length === 0) {
      if (d === 0) {
        const l = new ZLeaf();
        this.root = this.head = this.tail = l;
      } else {
        this.removeChild(d - 1);
      }
      return;
    }
    if (d === 0) {
      // collapse a root with a single child
      let r: ZNode = this.root;
      while (!(r instanceof ZLeaf) && r.children.length === 1) r = r.children[0];
      this.root = r;
      return;
    }
    if (p.children.length < INNER_MAX / 4) this.maybeMergeInner(d);
  }

  private maybeMergeInner(d: number): void {
    const g = this.pathNodes[d - 1];
    const i = this.pathIdx[d - 1];
    let li: number;
    const len = (k: number) => (g.children[k] as ZInner).children.length;
    if (i > 0 && len(i - 1) + len(i) <= INNER_MAX / 2) li = i - 1;
    else if (i + 1 < g.children.length && len(i) + len(i + 1) <= INNER_MAX / 2) li = i;
    else return;
    const left = g.children[li] as ZInner;
    const right = g.children[li + 1] as ZInner;
    // right's first child gets the separator that bounded right in g
    right.sepScores[0] = g.sepScores[li + 1];
    right.sepMembers[0] = g.sepMembers[li + 1];
    for (let k = 0; k < right.children.length; k++) {
      left.children.push(right.children[k]);
      left.counts.push(right.counts[k]);
      left.sepScores.push(right.sepScores[k]);
      left.sepMembers.push(right.sepMembers[k]);
    }
    g.counts[li] += g.counts[li + 1];
    this.pathIdx[d - 1] = li + 1;
    this.removeChild(d - 1);
  }

  /** 0-based rank of an element, or -1. */
  rank(score: number, member: string): number {
    let n = this.root;
    let r = 0;
    while (!(n instanceof ZLeaf)) {
      const i = ZTree.childFor(n, score, member);
      for (let k = 0; k < i; k++) r += n.counts[k];
      n = n.children[i];
    }
    const i = ZTree.leafLower(n, score, member);
    if (i < n.scores.length && n.members[i] === member) return r + i;
    return -1;
  }

  /** Position of rank r (0 <= r < size). */
  at(r: number): ZPos {
    let n = this.root;
    while (!(n instanceof ZLeaf)) {
      const counts = n.counts;
      let i = 0;
      while (r >= counts[i]) r -= counts[i++];
      n = n.children[i];
    }
    return { leaf: n, i: r };
  }

  /**
   * Rank of the first element for which before(score, member) is false
   * (size if none); `before` must be true for a prefix of the order.
   */
  lowerBound(before: (score: number, member: string) => boolean): number {
    let n = this.root;
    let r = 0;
    while (!(n instanceof ZLeaf)) {
      const ss = n.sepScores;
      const sm = n.sepMembers;
      let lo = 1;
      let hi = n.children.length - 1;
      let ans = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (before(ss[mid], sm[mid])) {
          ans = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      for (let k = 0; k < ans; k++) r += n.counts[k];
      n = n.children[ans];
    }
    const ss = n.scores;
    const sm = n.members;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(ss[mid], sm[mid])) lo = mid + 1;
      else hi = mid;
    }
    return r + lo;
  }

  /** Visit elements of ranks [start, end] in order (or reverse order when rev), until fn returns false. */
  forRange(start: number, end: number, rev: boolean, fn: (member: string, score: number) => boolean | void): void {
    if (start > end || start >= this._size) return;
    let count = end - start + 1;
    if (!rev) {
      const p = this.at(start);
      let leaf: ZLeaf | null = p.leaf;
      let i = p.i;
      while (leaf !== null && count > 0) {
        const ms = leaf.members;
        const ss = leaf.scores;
        for (; i < ms.length && count > 0; i++, count--) if (fn(ms[i], ss[i]) === false) return;
        leaf = leaf.next;
        i = 0;
      }
    } else {
      const p = this.at(end);
      let leaf: ZLeaf | null = p.leaf;
      let i = p.i;
      while (leaf !== null && count > 0) {
        const ms = leaf.members;
        const ss = leaf.scores;
        for (; i >= 0 && count > 0; i--, count--) if (fn(ms[i], ss[i]) === false) return;
        leaf = leaf.prev;
        if (leaf !== null) i = leaf.members.length - 1;
      }
    }
  }

  /** Depth-first check of every invariant (tests). Throws on violation. */
  check(): void {
    let total = 0;
    const leaves: ZLeaf[] = [];
    const walk = (n: ZNode, lo: [number, string] | null, hi: [number, string] | null, isRoot: boolean): number => {
      if (n instanceof ZLeaf) {
        if (!isRoot && n.scores.length === 0) throw new Error('empty leaf');
        if (n.scores.length > LEAF_MAX) throw new Error('leaf overflow');
        for (let k = 0; k < n.scores.length; k++) {
          if (k > 0 && !zless(n.scores[k - 1], n.members[k - 1], n.scores[k], n.members[k])) throw new Error('leaf order');
          if (lo && zless(n.scores[k], n.members[k], lo[0], lo[1])) throw new Error('below separator');
          if (hi && !zless(n.scores[k], n.members[k], hi[0], hi[1])) throw new Error('above separator');
        }
        leaves.push(n);
        return n.scores.length;
      }
      if (n.children.length === 0) throw new Error('empty inner');
      if (n.children.length > INNER_MAX) throw new Error('inner overflow');
      let s = 0;
      for (let k = 0; k < n.children.length; k++) {
        const clo: [number, string] | null = k === 0 ? lo : [n.sepScores[k], n.sepMembers[k]];
        const chi: [number, string] | null = k + 1 < n.children.length ? [n.sepScores[k + 1], n.sepMembers[k + 1]] : hi;
        const c = walk(n.children[k], clo, chi, false);
        if (c !== n.counts[k]) throw new Error(`count mismatch ${c} != ${n.counts[k]}`);
        s += c;
      }
      return s;
    };
    total = walk(this.root, null, null, true);
    if (total !== this._size) throw new Error('size mismatch');
    if (leaves[0] !== this.head || leaves[leaves.length - 1] !== this.tail) throw new Error('head/tail');
    for (let k = 0; k < leaves.length; k++) {
      if (leaves[k].prev !== (k > 0 ? leaves[k - 1] : null)) throw new Error('prev link');
      if (leaves[k].next !== (k + 1 < leaves.length ? leaves[k + 1] : null)) throw new Error('next link');
    }
  }

  /** Number of leaves and inner nodes (memory estimates). */
  nodeCounts(): { leaves: number; inners: number } {
    let leaves = 0;
    let inners = 0;
    const walk = (n: ZNode) => {
      if (n instanceof ZLeaf) leaves++;
      else {
        inners++;
        for (const ch of n.children) walk(ch);
      }
    };
    walk(this.root);
    return { leaves, inners };
  }
}

function sum(a: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
