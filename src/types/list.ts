/*
 * ListValue: the list type, a "quicklist" as Redis 7.0 calls it (OBJECT
 * ENCODING reports "quicklist" for every list in 7.0: the listpack encoding
 * of small lists only came with 7.2).
 *
 * Layout: a doubly linked list of nodes. A node is either
 * - packed: a Buffer holding `count` elements back to back in its byte range
 *   [start, end), each encoded as header + bytes + trailer, where header and
 *   trailer both give the length (1 byte below 128, 2 bytes below 16384,
 *   5 bytes above). The trailer lets us walk a node backwards, like
 *   listpack's backlen. Free room is kept at both ends of the buffer so
 *   pushes at either end of the list are amortized O(1) (a node's buffer
 *   grows by doubling and is bounded by the node size limit);
 * - plain: one element kept as its JS string (elements too large for a
 *   packed node, or at least `ListValue.packedThreshold` bytes, as Redis's
 *   plain nodes).
 *
 * Node size limits follow list-max-listpack-size (the list's `fill`, taken
 * when the list is created, as Redis does): a negative fill -1..-5 bounds a
 * node's bytes to 4/8/16/32/64 KB, a positive fill bounds its element count
 * (with an 8 KB safety limit on bytes).
 *
 * Costs: push and pop at either end O(1) amortized; access by index walks
 * nodes from the nearer end then entries inside one node (O(n/node size +
 * node size)), never copying the list; a range is written out without
 * intermediate strings (BulkSink.bulkBytes gets the bytes in place).
 * Memory: 2 bytes of overhead per small element plus one Buffer per few
 * KB, close to Redis's listpacks.
 *
 * Invariants: no node is empty; `length` is the sum of node counts; a plain
 * node has count 1 and an empty buffer; elements are latin1 strings (one
 * char per byte).
 *
 * This module does no I/O: commands pass a BulkSink (the reply writer fits)
 * to receive elements.
 */
import type { RedisObject, ValueDigester } from './object';
import { jemallocSize } from './mem-estimate';

type Latin1Buffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length?: number): number;
};

/** Where ranges of elements are written (ReplyWriter implements it). */
export interface BulkSink {
  bulk(s: string): void;
  bulkBytes(buf: Buffer, start: number, end: number): void;
}

const EMPTY = Buffer.alloc(0) as Latin1Buffer;
/** Redis's SIZE_SAFETY_LIMIT: count-limited nodes never exceed this many bytes. */
const SAFETY_LIMIT = 8192;
/** First allocation of a new packed node. */
const MIN_NODE_CAP = 64;

class Node {
  prev: Node | null = null;
  next: Node | null = null;
  buf: Latin1Buffer;
  start: number;
  end: number;
  count: number;
  /** the element of a plain node, null for a packed node */
  plain: string | null;
  /**
   * Size of the node as Redis would have it (quicklistNode.sz): bytes of
   * the listpack holding these elements, or the element's length for a
   * node Redis would make plain. Drives node filling exactly as Redis's
   * _quicklistNodeAllowInsert() and MEMORY USAGE / DEBUG OBJECT figures.
   */
  lp: number;

  constructor(buf: Latin1Buffer, start: number, end: number, count: number, plain: string | null, lp: number) {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.count = count;
    this.plain = plain;
    this.lp = lp;
  }
}

/** Bytes an element of length n takes in a packed node. */
function entrySize(n: number): number {
  return n < 0x80 ? n + 2 : n < 0x4000 ? n + 4 : n + 10;
}

/*
 * Decoding scratch: the decode functions set these instead of returning
 * tuples, so the hot loops allocate nothing.
 */
let dStart = 0; // first data byte
let dLen = 0; // data length
let eStart = 0; // entry start (header)
let eEnd = 0; // entry end (after trailer)

/** Decode the entry starting at p. */
function decodeAt(b: Buffer, p: number): void {
  const h = b[p];
  eStart = p;
  if (h < 0x80) {
    dLen = h;
    dStart = p + 1;
    eEnd = dStart + h + 1;
  } else if (h < 0xc0) {
    dLen = ((h & 0x3f) << 8) | b[p + 1];
    dStart = p + 2;
    eEnd = dStart + dLen + 2;
  } else {
    dLen = b.readUInt32LE(p + 1);
    dStart = p + 5;
    eEnd = dStart + dLen + 5;
  }
}

/** Decode the entry ending at q (exclusive). */
function decodeBefore(b: Buffer, q: number): void {
  const t = b[q - 1];
  eEnd = q;
  if (t < 0x80) {
    dLen = t;
    dStart = q - 1 - t;
    eStart = dStart - 1;
  } else if (t < 0xc0) {
    dLen = ((t & 0x3f) << 8) | b[q - 2];
    dStart = q - 2 - dLen;
    eStart = dStart - 2;
  } else {
    dLen = b.readUInt32LE(q - 5);
    dStart = q - 5 - dLen;
    eStart = dStart - 5;
  }
}

/** Encode s at p; returns the end of the entry. */
function encodeAt(b: Latin1Buffer, p: number, s: string): number {
  const n = s.length;
  if (n < 0x80) {
    b[p++] = n;
    if (n < 48) {
      for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    } else {
      b.latin1Write(s, p, n);
    }
    p += n;
    b[p++] = n;
  } else if (n < 0x4000) {
    const hi = 0x80 | (n >>> 8);
    const lo = n & 0xff;
    b[p++] = hi;
    b[p++] = lo;
    b.latin1Write(s, p, n);
    p += n;
    b[p++] = lo;
    b[p++] = hi;
  } else {
    b[p] = 0xc0;
    b.writeUInt32LE(n, p + 1);
    p += 5;
    b.latin1Write(s, p, n);
    p += n;
    b.writeUInt32LE(n, p);
    b[p + 4] = 0xc0;
    p += 5;
  }
  return p;
}

/** Does the data at [dStart, dStart+dLen) of b equal s? */
function dataEquals(b: Buffer, s: string): boolean {
  const n = dLen;
  if (s.length !== n) return false;
  const o = dStart;
  for (let i = 0; i < n; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Empty listpack: 6 bytes of header and the end byte. */
const LP_HEADER = 7;

/** Listpack bytes of an integer entry (encoding + backlen). */
function lpIntBytes(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Listpack bytes of a string entry of n bytes (encoding + data + backlen). */
function lpStrBytes(n: number): number {
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + (enc < 128 ? 1 : enc < 16384 ? 2 : enc < 2097152 ? 3 : enc < 268435456 ? 4 : 5);
}

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/**
 * Listpack bytes Redis uses for element s: strings that are the canonical
 * form of a 64-bit integer are stored as integers (lpStringToInt64).
 */
function lpEntryBytes(s: string): number {
  const n = s.length;
  if (n === 0 || n > 20) return lpStrBytes(n);
  let i = 0;
  const neg = s.charCodeAt(0) === 45;
  if (neg) {
    if (n === 1) return lpStrBytes(n);
    i = 1;
  }
  const c0 = s.charCodeAt(i);
  if (c0 === 48) return n === 1 ? 2 : lpStrBytes(n);
  if (c0 < 49 || c0 > 57) return lpStrBytes(n);
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return lpStrBytes(n);
  }
  const digits = n - i;
  if (digits > 19) return lpStrBytes(n);
  if (digits === 19 && s.slice(i) > (neg ? INT64_MIN_DIGITS : INT64_MAX_DIGITS)) return lpStrBytes(n);
  return lpIntBytes(Number(s));
}

/** lpEntryBytes of the element the decode scratch describes in b. */
function lpEntryBytesAt(b: Buffer): number {
  const n = dLen;
  if (n === 0 || n > 20) return lpStrBytes(n);
  const o = dStart;
  const c = b[o];
  if (c !== 45 && (c < 48 || c > 57)) return lpStrBytes(n);
  if (n >= 19) return lpEntryBytes((b as Latin1Buffer).latin1Slice(o, o + n)); // near the 64-bit bounds
  // canonical integer check on the bytes (what lpEntryBytes does on a string), below 10^18: exact as a double
  const neg = c === 45;
  let i = neg ? 1 : 0;
  if (i === n) return lpStrBytes(n);
  const c0 = b[o + i];
  if (c0 === 48) return n === 1 ? 2 : lpStrBytes(n);
  let v = 0;
  for (; i < n; i++) {
    const d = b[o + i] - 48;
    if (d < 0 || d > 9) return lpStrBytes(n);
    v = v * 10 + d;
  }
  return lpIntBytes(neg ? -v : v);
}

/** printf("%.2f"): round half to even on exact ties, as glibc does. */
function fixed2(x: number): string {
  const scaled = x * 100;
  const fl = Math.floor(scaled);
  if (scaled - fl === 0.5) return ((fl % 2 === 0 ? fl : fl + 1) / 100).toFixed(2);
  return x.toFixed(2);
}

export class ListValue implements RedisObject {
  readonly kind = 'list' as const;
  /**
   * Elements at least this long go to a plain node of their own (DEBUG
   * QUICKLIST-PACKED-THRESHOLD; Redis's default is 1 GB). Process-wide.
   */
  static packedThreshold = 1 << 30;

  length = 0;
  head: Node | null = null;
  tail: Node | null = null;
  nodeCount = 0;
  /** list-max-listpack-size when the list was created (clamped as Redis: -5..32767) */
  readonly fill: number;
  /** list-compress-depth when the list was created (stored; nodes are not compressed) */
  readonly compressDepth: number;

  constructor(fill = -2, compressDepth = 0) {
    this.fill = fill < -5 ? -5 : fill > 32767 ? 32767 : fill;
    this.compressDepth = compressDepth < 0 ? 0 : compressDepth > 65535 ? 65535 : compressDepth;
  }

  static from(items: Iterable<string>, fill = -2, compressDepth = 0): ListValue {
    const l = new ListValue(fill, compressDepth);
    for (const s of items) l.pushTail(s);
    return l;
  }

  encoding(): string {
    return 'quicklist';
  }

  /* ---------------------------------------------------------- node sizing */

  /** Largest number of bytes a packed node may hold. */
  private get maxNodeBytes(): number {
    return this.fill < 0 ? 4096 << (-this.fill - 1) : SAFETY_LIMIT;
  }

  /**
   * Most bytes our own encoding may take in one node. Redis counts its
   * listpack bytes, where integers are smaller than in our encoding, so a
   * node may hold up to about twice the limit here.
   */
  private get hardCap(): number {
    return this.maxNodeBytes * 3;
  }

  /**
   * Does an element of n bytes go to a plain node of its own? Either Redis
   * would make it plain (packed threshold) or it would sit alone in a
   * packed node anyway (no other element can join a node that large).
   */
  private isPlainSize(n: number): boolean {
    return n >= ListValue.packedThreshold || entrySize(n) > this.maxNodeBytes;
  }

  /** Node size Redis would record for a node holding only s. */
  private static aloneLp(s: string): number {
    return s.length >= ListValue.packedThreshold ? s.length : LP_HEADER + lpEntryBytes(s);
  }

  /**
   * May a packed node take one more element of n bytes (es in our
   * encoding)? Redis's rule: the node's listpack size plus the element's
   * length plus 8 must stay within the size limit (negative fill), or
   * within 8 KB with fewer than `fill` elements (positive fill).
   */
  private allows(node: Node, n: number, es: number): boolean {
    if (node.plain !== null) return false;
    const newSz = node.lp + n + 8;
    if (this.fill < 0) {
      if (newSz > 4096 << (-this.fill - 1)) return false;
    } else if (newSz > SAFETY_LIMIT || node.count >= this.fill) return false;
    return node.end - node.start + es <= this.hardCap;
  }

  /** Is a packed node over its limits (after an insertion in the middle or a replacement)? */
  private oversized(node: Node): boolean {
    if (node.plain !== null || node.count < 2) return false;
    if (node.end - node.start > this.hardCap) return true;
    if (this.fill < 0) return node.lp > 4096 << (-this.fill - 1);
    return node.count > this.fill || node.lp > SAFETY_LIMIT;
  }

  /**
   * Make room for `need` bytes at one end of a packed node (atTail: after
   * `end`, else before `start`), growing or recentering its buffer.
   */
  private reserve(node: Node, need: number, atTail: boolean): void {
    const b = node.buf;
    const cap = b.length;
    if (atTail ? node.end + need <= cap : node.start >= need) return;
    const used = node.end - node.start;
    const free = cap - used - need;
    let nb: Latin1Buffer;
    if (free >= cap >> 2 && free >= 0) {
      nb = b; // enough room overall: recenter
    } else {
      let ncap = cap * 2;
      if (ncap < MIN_NODE_CAP) ncap = MIN_NODE_CAP;
      const limit = this.hardCap;
      if (ncap > limit) ncap = limit;
      if (ncap < used + need) ncap = used + need;
      nb = Buffer.allocUnsafe(ncap) as Latin1Buffer;
    }
    const spare = nb.length - used - need;
    // a node only ever pushed on one side keeps all its room on that side
    let ns: number;
    if (atTail) ns = node.start === 0 ? 0 : spare >> 1;
    else ns = node.end === cap ? need + spare : need + (spare >> 1);
    if (nb === b) b.copyWithin(ns, node.start, node.end);
    else b.copy(nb, ns, node.start, node.end);
    node.buf = nb;
    node.start = ns;
    node.end = ns + used;
  }

  private newPackedNode(s: string, atTail: boolean): Node {
    const es = entrySize(s.length);
    let cap = es < MIN_NODE_CAP ? MIN_NODE_CAP : es;
    if (this.nodeCount > 0) {
      // the list already filled a node: this one will most likely fill up too,
      // so allocate it whole instead of growing it by doublings
      const full = this.fill < 0 ? this.maxNodeBytes : Math.min(SAFETY_LIMIT, es * this.fill);
      if (full > cap) cap = full;
    }
    const b = Buffer.allocUnsafe(cap) as Latin1Buffer;
    const st = atTail ? 0 : cap - es;
    encodeAt(b, st, s);
    return new Node(b, st, st + es, 1, null, LP_HEADER + lpEntryBytes(s));
  }

  private static newPlainNode(s: string): Node {
    return new Node(EMPTY, 0, 0, 1, s, ListValue.aloneLp(s));
  }

  private newNodeFor(s: string, atTail: boolean): Node {
    if (this.isPlainSize(s.length)) return ListValue.newPlainNode(s);
    return this.newPackedNode(s, atTail);
  }

  private linkAfter(ref: Node | null, node: Node): void {
    // ref null: link at head
    if (ref === null) {
      node.prev = null;
      node.next = this.head;
      if (this.head !== null) this.head.prev = node;
      else this.tail = node;
      this.head = node;
    } else {
      node.prev = ref;
      node.next = ref.next;
      if (ref.next !== null) ref.next.prev = node;
      else this.tail = node;
      ref.next = node;
    }
    this.nodeCount++;
  }

  private unlink(node: Node): void {
    if (node.prev !== null) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next !== null) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    this.nodeCount--;
  }

  /* ------------------------------------------------------------ push/pop */

  pushTail(s: string): void {
    const t = this.tail;
    const es = entrySize(s.length);
    if (t !== null && this.allows(t, s.length, es) && !this.isPlainSize(s.length)) {
      this.reserve(t, es, true);
      t.end = encodeAt(t.buf, t.end, s);
      t.count++;
      t.lp += lpEntryBytes(s);
    } else {
      this.linkAfter(t, this.newNodeFor(s, true));
    }
    this.length++;
  }

  pushHead(s: string): void {
    const h = this.head;
    const es = entrySize(s.length);
    if (h !== null && this.allows(h, s.length, es) && !this.isPlainSize(s.length)) {
      this.reserve(h, es, false);
      h.start -= es;
      encodeAt(h.buf, h.start, s);
      h.count++;
      h.lp += lpEntryBytes(s);
    } else {
      this.linkAfter(null, this.newNodeFor(s, false));
    }
    this.length++;
  }

  /** Push at the head (LPUSH) or the tail (RPUSH). */
  push(s: string, atHead: boolean): void {
    if (atHead) this.pushHead(s);
    else this.pushTail(s);
  }

  popHead(): string | undefined {
    const h = this.head;
    if (h === null) return undefined;
    let v: string;
    if (h.plain !== null) {
      v = h.plain;
      h.count = 0;
    } else {
      decodeAt(h.buf, h.start);
      v = h.buf.latin1Slice(dStart, dStart + dLen);
      h.start = eEnd;
      h.count--;
      h.lp -= lpEntryBytes(v);
    }
    if (h.count === 0) this.unlink(h);
    this.length--;
    return v;
  }

  popTail(): string | undefined {
    const t = this.tail;
    if (t === null) return undefined;
    let v: string;
    if (t.plain !== null) {
      v = t.plain;
      t.count = 0;
    } else {
      decodeBefore(t.buf, t.end);
      v = t.buf.latin1Slice(dStart, dStart + dLen);
      t.end = eStart;
      t.count--;
      t.lp -= lpEntryBytes(v);
    }
    if (t.count === 0) this.unlink(t);
    this.length--;
    return v;
  }

  pop(atHead: boolean): string | undefined {
    return atHead ? this.popHead() : this.popTail();
  }

  /** Remove n elements from the head (no values produced). */
  removeHead(n: number): void {
    if (n >= this.length) {
      this.clear();
      return;
    }
    this.length -= n;
    while (n > 0) {
      const h = this.head as Node;
      if (n >= h.count) {
        n -= h.count;
        this.unlink(h);
        continue;
      }
      let p = h.start;
      for (let i = 0; i < n; i++) {
        decodeAt(h.buf, p);
        h.lp -= lpEntryBytesAt(h.buf);
        p = eEnd;
      }
      h.start = p;
      h.count -= n;
      n = 0;
    }
  }

  /** Remove n elements from the tail. */
  removeTail(n: number): void {
    if (n >= this.length) {
      this.clear();
      return;
    }
    this.length -= n;
    while (n > 0) {
      const t = this.tail as Node;
      if (n >= t.count) {
        n -= t.count;
        this.unlink(t);
        continue;
      }
      let q = t.end;
      for (let i = 0; i < n; i++) {
        decodeBefore(t.buf, q);
        t.lp -= lpEntryBytesAt(t.buf);
        q = eStart;
      }
      t.end = q;
      t.count -= n;
      n = 0;
    }
  }

  clear(): void {
    this.head = this.tail = null;
    this.length = 0;
    this.nodeCount = 0;
  }

  /* --------------------------------------------------------------- access */

  /*
   * locate(): find element i (0 <= i < length) and return its node; for a
   * packed node it also leaves the decode scratch (eStart/eEnd/dStart/dLen)
   * describing the element's entry.
   */
  private locate(i: number): Node {
    let node: Node;
    let k: number; // index inside the node
    if (i < this.length >>> 1) {
      node = this.head as Node;
      while (i >= node.count) {
        i -= node.count;
        node = node.next as Node;
      }
      k = i;
    } else {
      let j = this.length - 1 - i; // index from the tail
      node = this.tail as Node;
      while (j >= node.count) {
        j -= node.count;
        node = node.prev as Node;
      }
      k = node.count - 1 - j;
    }
    if (node.plain === null) {
      const b = node.buf;
      if (k <= node.count >>> 1) {
        let p = node.start;
        decodeAt(b, p);
        for (let x = 0; x < k; x++) {
          p = eEnd;
          decodeAt(b, p);
        }
      } else {
        let q = node.end;
        decodeBefore(b, q);
        for (let x = node.count - 1; x > k; x--) {
          q = eStart;
          decodeBefore(b, q);
        }
      }
    }
    return node;
  }

  /** Normalize a Redis index (negative from the tail); -1 when out of range. */
  private norm(index: number): number {
    const i = index < 0 ? this.length + index : index;
    return i < 0 || i >= this.length ? -1 : i;
  }

  /** Element at index (negative counts from the tail), undefined when out of range. */
  index(index: number): string | undefined {
    const i = this.norm(index);
    if (i < 0) return undefined;
    const node = this.locate(i);
    return node.plain !== null ? node.plain : node.buf.latin1Slice(dStart, dStart + dLen);
  }

  /** Write element at index to sink; false when out of range. */
  writeIndex(sink: BulkSink, index: number): boolean {
    const i = this.norm(index);
    if (i < 0) return false;
    const node = this.locate(i);
    if (node.plain !== null) sink.bulk(node.plain);
    else sink.bulkBytes(node.buf, dStart, dStart + dLen);
    return true;
  }

  /** Write the elements from start to end (0 <= start <= end < length), in reverse order when asked. */
  writeRange(sink: BulkSink, start: number, end: number, reverse: boolean): void {
    let n = end - start + 1;
    if (n <= 0) return;
    if (!reverse) {
      let node: Node | null = this.locate(start);
      let p = node.plain === null ? eStart : 0;
      while (n > 0 && node !== null) {
        if (node.plain !== null) {
          sink.bulk(node.plain);
          n--;
        } else {
          const b = node.buf;
          const e = node.end;
          while (n > 0 && p < e) {
            decodeAt(b, p);
            sink.bulkBytes(b, dStart, dStart + dLen);
            p = eEnd;
            n--;
          }
        }
        node = node.next;
        if (node !== null) p = node.start;
      }
    } else {
      let node: Node | null = this.locate(end);
      let q = node.plain === null ? eEnd : 0;
      while (n > 0 && node !== null) {
        if (node.plain !== null) {
          sink.bulk(node.plain);
          n--;
        } else {
          const b = node.buf;
          const s = node.start;
          while (n > 0 && q > s) {
            decodeBefore(b, q);
            sink.bulkBytes(b, dStart, dStart + dLen);
            q = eStart;
            n--;
          }
        }
        node = node.prev;
        if (node !== null) q = node.end;
      }
    }
  }

  /** Call fn with every element, head to tail. */
  forEach(fn: (s: string) => void): void {
    for (let node = this.head; node !== null; node = node.next) {
      if (node.plain !== null) {
        fn(node.plain);
        continue;
      }
      const b = node.buf;
      let p = node.start;
      while (p < node.end) {
        decodeAt(b, p);
        p = eEnd;
        fn(b.latin1Slice(dStart, dStart + dLen));
      }
    }
  }

  /**
   * Visit the nodes head to tail (RDB serialisation writes one blob per
   * node): a plain node's element, or the elements of a packed node.
   */
  forEachNode(fn: (plain: string | null, items: string[]) => void): void {
    for (let node = this.head; node !== null; node = node.next) {
      if (node.plain !== null) {
        fn(node.plain, []);
        continue;
      }
      const items: string[] = [];
      const b = node.buf;
      for (let p = node.start; p < node.end;) {
        decodeAt(b, p);
        p = eEnd;
        items.push(b.latin1Slice(dStart, dStart + dLen));
      }
      fn(null, items);
    }
  }

  toArray(): string[] {
    const out: string[] = [];
    this.forEach((s) => out.push(s));
    return out;
  }

  /* ------------------------------------------------------ middle changes */

  /**
   * Split a packed node at byte offset `at` (an entry boundary strictly
   * inside it): the entries from `at` on move to a new node after it.
   * `k` is the number of entries before `at`.
   */
  private splitAt(node: Node, at: number, k: number): Node {
    const bytes = node.end - at;
    const nb = Buffer.allocUnsafe(Math.max(bytes, MIN_NODE_CAP)) as Latin1Buffer;
    node.buf.copy(nb, 0, at, node.end);
    let lp = LP_HEADER;
    for (let p = 0; p < bytes; p = eEnd) {
      decodeAt(nb, p);
      lp += lpEntryBytesAt(nb);
    }
    const right = new Node(nb, 0, bytes, node.count - k, null, lp);
    node.lp -= lp - LP_HEADER;
    node.end = at;
    node.count = k;
    this.linkAfter(node, right);
    return right;
  }

  /** Split an oversized node in two halves (by entries). */
  private rebalance(node: Node): void {
    while (this.oversized(node)) {
      const half = node.count >>> 1;
      let p = node.start;
      for (let i = 0; i < half; i++) {
        decodeAt(node.buf, p);
        p = eEnd;
      }
      const right = this.splitAt(node, p, half);
      if (this.oversized(right)) this.rebalance(right);
    }
  }

  /** Replace the bytes [from, to) of a packed node with the encoding of s. */
  private spliceBytes(node: Node, from: number, to: number, s: string): void {
    const es = entrySize(s.length);
    const delta = es - (to - from);
    if (delta === 0) {
      encodeAt(node.buf, from, s);
      return;
    }
    const b = node.buf;
    if (delta < 0) {
      // shrink: close the gap after the new entry
      encodeAt(b, from, s);
      b.copyWithin(from + es, to, node.end);
      node.end += delta;
      return;
    }
    // grow: shift the side with fewer bytes to move, if it has room
    const front = node.start >= delta;
    const back = node.end + delta <= b.length;
    if (front && (!back || from - node.start <= node.end - to)) {
      b.copyWithin(node.start - delta, node.start, from);
      node.start -= delta;
      encodeAt(b, from - delta, s);
    } else if (back) {
      b.copyWithin(to + delta, to, node.end);
      node.end += delta;
      encodeAt(b, from, s);
    } else {
      const used = node.end - node.start + delta;
      const nb = Buffer.allocUnsafe(Math.max(used + (used >> 2), MIN_NODE_CAP)) as Latin1Buffer;
      const off = from - node.start;
      b.copy(nb, 0, node.start, from);
      encodeAt(nb, off, s);
      b.copy(nb, off + es, to, node.end);
      node.buf = nb;
      node.start = 0;
      node.end = used;
    }
  }

  /**
   * Insert s next to element of `node` (decode scratch describes the entry
   * for a packed node), after it or before it.
   */
  private insertNear(node: Node, after: boolean, s: string): void {
    this.length++;
    const plainNew = this.isPlainSize(s.length);
    if (node.plain !== null) {
      // next to a plain node: join a neighbour or start a node
      const nb = after ? node.next : node.prev;
      const es = entrySize(s.length);
      if (!plainNew && nb !== null && this.allows(nb, s.length, es)) {
        if (after) {
          this.reserve(nb, es, false);
          nb.start -= es;
          encodeAt(nb.buf, nb.start, s);
        } else {
          this.reserve(nb, es, true);
          nb.end = encodeAt(nb.buf, nb.end, s);
        }
        nb.count++;
        nb.lp += lpEntryBytes(s);
      } else {
        this.linkAfter(after ? node : node.prev, this.newNodeFor(s, after));
      }
      return;
    }
    const at = after ? eEnd : eStart;
    // entries before `at`
    let k = 0;
    for (let p = node.start; p < at; p = eEnd) {
      decodeAt(node.buf, p);
      k++;
    }
    if (plainNew) {
      const plain = ListValue.newPlainNode(s);
      if (at === node.start) this.linkAfter(node.prev, plain);
      else if (at === node.end) this.linkAfter(node, plain);
      else {
        this.splitAt(node, at, k);
        this.linkAfter(node, plain);
      }
      return;
    }
    this.spliceBytes(node, at, at, s);
    node.count++;
    node.lp += lpEntryBytes(s);
    this.rebalance(node);
  }

  /** LSET: replace element at index; false when out of range. */
  set(index: number, s: string): boolean {
    const i = this.norm(index);
    if (i < 0) return false;
    const node = this.locate(i);
    const plainNew = this.isPlainSize(s.length);
    if (node.plain !== null) {
      if (plainNew) {
        node.plain = s;
        node.lp = ListValue.aloneLp(s);
      } else {
        const nn = this.newPackedNode(s, true);
        node.plain = null;
        node.buf = nn.buf;
        node.start = nn.start;
        node.end = nn.end;
        node.lp = nn.lp;
      }
      return true;
    }
    const oldLp = lpEntryBytesAt(node.buf);
    if (plainNew) {
      // take the element out of its node and put a plain node in its place
      const from = eStart;
      const to = eEnd;
      if (node.count === 1) {
        node.buf = EMPTY;
        node.start = node.end = 0;
        node.plain = s;
        node.lp = ListValue.aloneLp(s);
        return true;
      }
      let k = 0;
      for (let p = node.start; p < from; p = eEnd) {
        decodeAt(node.buf, p);
        k++;
      }
      const plain = ListValue.newPlainNode(s);
      node.lp -= oldLp;
      if (from === node.start) {
        node.start = to;
        node.count--;
        this.linkAfter(node.prev, plain);
      } else if (to === node.end) {
        node.end = from;
        node.count--;
        this.linkAfter(node, plain);
      } else {
        this.splitAt(node, to, k + 1);
        node.end = from;
        node.count = k;
        this.linkAfter(node, plain);
      }
      return true;
    }
    this.spliceBytes(node, eStart, eEnd, s);
    node.lp += lpEntryBytes(s) - oldLp;
    this.rebalance(node);
    return true;
  }

  /** LINSERT: insert s before/after the first element equal to pivot; false when there is none. */
  insert(pivot: string, s: string, after: boolean): boolean {
    for (let node = this.head; node !== null; node = node.next) {
      if (node.plain !== null) {
        if (node.plain === pivot) {
          this.insertNear(node, after, s);
          return true;
        }
        continue;
      }
      const b = node.buf;
      for (let p = node.start; p < node.end; p = eEnd) {
        decodeAt(b, p);
        if (dataEquals(b, pivot)) {
          this.insertNear(node, after, s);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * LREM: remove elements equal to s; count > 0 scans from the head and
   * removes at most count, count < 0 from the tail, 0 removes all. Returns
   * how many were removed.
   */
  remove(s: string, count: number): number {
    let quota = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    if (count >= 0) {
      let node = this.head;
      while (node !== null && quota > 0) {
        const next: Node | null = node.next;
        if (node.plain !== null) {
          if (node.plain === s) {
            this.unlink(node);
            removed++;
            quota--;
          }
          node = next;
          continue;
        }
        const b = node.buf;
        const end = node.end;
        let w = node.start; // write position
        let r = node.start; // start of the kept run not yet moved
        let p = node.start;
        let gone = 0;
        while (p < end && quota > 0) {
          decodeAt(b, p);
          const e = eEnd;
          if (dataEquals(b, s)) {
            if (w !== r) b.copyWithin(w, r, p);
            w += p - r;
            r = e;
            gone++;
            quota--;
          }
          p = e;
        }
        if (gone > 0) {
          if (w !== r) b.copyWithin(w, r, end);
          w += end - r;
          node.end = w;
          node.count -= gone;
          node.lp -= gone * lpEntryBytes(s);
          removed += gone;
          if (node.count === 0) this.unlink(node);
        }
        node = next;
      }
    } else {
      let node = this.tail;
      while (node !== null && quota > 0) {
        const prev: Node | null = node.prev;
        if (node.plain !== null) {
          if (node.plain === s) {
            this.unlink(node);
            removed++;
            quota--;
          }
          node = prev;
          continue;
        }
        const b = node.buf;
        const start = node.start;
        let w = node.end; // write position (moving down)
        let r = node.end; // end of the kept run not yet moved
        let q = node.end;
        let gone = 0;
        while (q > start && quota > 0) {
          decodeBefore(b, q);
          const e = eStart;
          if (dataEquals(b, s)) {
            if (w !== r) b.copyWithin(w - (r - q), q, r);
            w -= r - q;
            r = e;
            gone++;
            quota--;
          }
          q = e;
        }
        if (gone > 0) {
          if (w !== r) b.copyWithin(w - (r - start), start, r);
          w -= r - start;
          node.start = w;
          node.count -= gone;
          node.lp -= gone * lpEntryBytes(s);
          removed += gone;
          if (node.count === 0) this.unlink(node);
        }
        node = prev;
      }
    }
    this.length -= removed;
    return removed;
  }

  /**
   * LPOS: indexes of elements equal to s. Scans from the tail when
   * fromTail; the first `rank - 1` matches are skipped; at most `count`
   * indexes are returned (0: all); at most `maxlen` elements are compared
   * (0: all).
   */
  positions(s: string, fromTail: boolean, rank: number, count: number, maxlen: number): number[] {
    const out: number[] = [];
    const len = this.length;
    let index = 0;
    let matches = 0;
    if (!fromTail) {
      for (let node = this.head; node !== null; node = node.next) {
        if (node.plain !== null) {
          if (maxlen !== 0 && index >= maxlen) return out;
          if (node.plain === s && ++matches >= rank) {
            out.push(index);
            if (count !== 0 && out.length >= count) return out;
          }
          index++;
          continue;
        }
        const b = node.buf;
        for (let p = node.start; p < node.end; p = eEnd) {
          if (maxlen !== 0 && index >= maxlen) return out;
          decodeAt(b, p);
          if (dataEquals(b, s) && ++matches >= rank) {
            out.push(index);
            if (count !== 0 && out.length >= count) return out;
          }
          index++;
        }
      }
    } else {
      for (let node = this.tail; node !== null; node = node.prev) {
        if (node.plain !== null) {
          if (maxlen !== 0 && index >= maxlen) return out;
          if (node.plain === s && ++matches >= rank) {
            out.push(len - index - 1);
            if (count !== 0 && out.length >= count) return out;
          }
          index++;
          continue;
        }
        const b = node.buf;
        for (let q = node.end; q > node.start; q = eStart) {
          if (maxlen !== 0 && index >= maxlen) return out;
          decodeBefore(b, q);
          if (dataEquals(b, s) && ++matches >= rank) {
            out.push(len - index - 1);
            if (count !== 0 && out.length >= count) return out;
          }
          index++;
        }
      }
    }
    return out;
  }

  /* ------------------------------------------------- RedisObject support */

  /** Deep copy (COPY): same elements, same options. */
  dup(): ListValue {
    const l = new ListValue(this.fill, this.compressDepth);
    for (let node = this.head; node !== null; node = node.next) {
      let copy: Node;
      if (node.plain !== null) copy = new Node(EMPTY, 0, 0, 1, node.plain, node.lp);
      else {
        const used = node.end - node.start;
        const nb = Buffer.allocUnsafe(Math.max(used, MIN_NODE_CAP)) as Latin1Buffer;
        node.buf.copy(nb, 0, node.start, node.end);
        copy = new Node(nb, 0, used, node.count, null, node.lp);
      }
      l.linkAfter(l.tail, copy);
    }
    l.length = this.length;
    return l;
  }

  /** DEBUG DIGEST: every element mixed in order. */
  digestInto(d: ValueDigester): void {
    for (let node = this.head; node !== null; node = node.next) {
      if (node.plain !== null) {
        d.mix(node.plain);
        continue;
      }
      const b = node.buf;
      for (let p = node.start; p < node.end; ) {
        decodeAt(b, p);
        const next = eEnd;
        d.mix(b.subarray(dStart, dStart + dLen));
        p = next;
      }
    }
  }

  /** MEMORY USAGE: Redis's estimate (object + quicklist + sampled nodes scaled to all). */
  memoryUsage(samples: number): number {
    let size = 16 + 40;
    let ele = 0;
    let n = 0;
    const max = samples > 0 ? samples : Infinity;
    for (let node = this.head; node !== null && n < max; node = node.next) {
      ele += 40 + jemallocSize(node.lp);
      n++;
    }
    if (n > 0) size += (ele / n) * this.nodeCount;
    return Math.floor(size);
  }

  /** DEBUG OBJECT's quicklist details. */
  quicklistInfo(): string {
    let sz = 0;
    for (let node = this.head; node !== null; node = node.next) sz += node.lp;
    const avg = this.nodeCount > 0 ? this.length / this.nodeCount : 0;
    return ` ql_nodes:${this.nodeCount} ql_avg_node:${fixed2(avg)} ql_listpack_max:${this.fill} ql_compressed:${this.compressDepth !== 0 ? 1 : 0} ql_uncompressed_size:${sz}`;
  }

  /** RDB serialized length (quicklist 2 format, without LZF compression). */
  serializedLength(): number {
    let n = rdbLenBytes(this.nodeCount);
    for (let node = this.head; node !== null; node = node.next) {
      const sz = node.lp;
      n += 1 + rdbLenBytes(sz) + sz;
    }
    return n;
  }

  /** Internal consistency check (tests). Throws on a broken invariant. */
  check(): void {
    let total = 0;
    let nodes = 0;
    let prev: Node | null = null;
    for (let node = this.head; node !== null; node = node.next) {
      if (node.prev !== prev) throw new Error('bad prev link');
      if (node.count <= 0) throw new Error('empty node');
      if (node.plain === null) {
        let k = 0;
        let p = node.start;
        while (p < node.end) {
          decodeAt(node.buf, p);
          p = eEnd;
          k++;
        }
        if (p !== node.end || k !== node.count) throw new Error(`node count ${node.count} != ${k}`);
        let lp = LP_HEADER;
        for (p = node.start; p < node.end; p = eEnd) {
          decodeAt(node.buf, p);
          lp += lpEntryBytesAt(node.buf);
        }
        if (lp !== node.lp) throw new Error(`node lp ${node.lp} != ${lp}`);
      } else if (node.count !== 1) throw new Error('plain node count');
      else if (node.lp !== ListValue.aloneLp(node.plain)) throw new Error('plain node lp');
      total += node.count;
      nodes++;
      prev = node;
    }
    if (prev !== this.tail) throw new Error('bad tail');
    if (total !== this.length) throw new Error(`length ${this.length} != ${total}`);
    if (nodes !== this.nodeCount) throw new Error('node count');
  }
}

function rdbLenBytes(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}
