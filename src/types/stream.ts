/*
 * StreamValue: the stream type (Redis 7.0 semantics), pure data structure.
 *
 * IDs. A stream ID is two unsigned 64-bit numbers, ms and seq. Everywhere
 * outside the node buffers an ID is a 16-char latin1 string holding the 8
 * big-endian bytes of ms then the 8 of seq (an "ID key"): JS string order
 * (<, ===) is then exactly the numeric order of IDs, keys can be Map keys,
 * and no BigInt is needed except to format or parse numbers >= 2^53.
 *
 * Entries live in nodes (StreamNode), like Redis's listpacks under its
 * radix tree: each node owns one Buffer holding up to
 * stream-node-max-entries entries (and roughly stream-node-max-bytes).
 * Layout of an entry inside node.buf:
 *   1 byte    flags: 1 = deleted, 2 = same fields as the node's first
 *             entry, bits 2-3 = how the ID is stored (below)
 *   ID        tag 0: 16 bytes (the ID key's bytes); tag 1: nothing, the
 *             previous entry's ms with seq + 1; tag 2: a varint d (< 2^28),
 *             ms = previous ms + d and seq = 0. A node's first entry always
 *             uses tag 0, so IDs are decoded by scanning from a node's start
 *             (every seek does), keeping the running ID in an IdState.
 *   hdr       number of field/value pairs
 *   elements  field, value, field, value... (only the values with flag 2)
 * where hdr and every element's length header are one byte below 255, or
 * 255 followed by a 4-byte big-endian length. The first entry of a node
 * always stores its field names (the "master fields"), so entries with the
 * same field names store only their values (Redis's SAMEFIELDS trick).
 * Entries are never removed from a node's buffer: XDEL and exact trimming
 * only set the deleted flag; a node whose entries are all deleted is
 * dropped. The node key (masterId) is the ID of its first entry, deleted
 * or not; `nodes` is sorted by it, so a seek is a binary search over nodes
 * then a scan of at most one node.
 *
 * Invariants: IDs strictly increase along nodes and inside a node; length
 * is the number of live entries; lastId >= every ID ever added; firstId is
 * the first live entry's ID (0-0 when empty); maxDeletedId is the largest
 * ID ever deleted by XDEL (or set by XSETID).
 *
 * Consumer groups keep, per group, the last delivered ID, the logical read
 * counter (entries-read, -1 when unknown), a PEL (sorted by ID) of NACKs
 * and the consumers, each with its own PEL sharing the same NACK objects.
 */
import type { RedisObject, ValueDigester } from './object';
import { jemallocSize } from './mem-estimate';

type Latin1Buffer = Buffer & {
  latin1Write(s: string, offset: number, length?: number): number;
  latin1Slice(start: number, end: number): string;
};

/* ------------------------------------------------------------------ IDs */

export const MIN_ID = '\0'.repeat(16);
export const MAX_ID = '\xff'.repeat(16);
const U32 = 4294967296;

const idScratch = Buffer.alloc(16) as Latin1Buffer;

/** An ID key from the four 32-bit halves. */
export function makeId(msHi: number, msLo: number, seqHi: number, seqLo: number): string {
  const b = idScratch;
  b.writeUInt32BE(msHi >>> 0, 0);
  b.writeUInt32BE(msLo >>> 0, 4);
  b.writeUInt32BE(seqHi >>> 0, 8);
  b.writeUInt32BE(seqLo >>> 0, 12);
  return b.latin1Slice(0, 16);
}

/** An ID key from safe integers (< 2^53). */
export function idFromNumbers(ms: number, seq: number): string {
  return makeId(Math.floor(ms / U32), ms % U32, Math.floor(seq / U32), seq % U32);
}

function u32At(s: string, i: number): number {
  return s.charCodeAt(i) * 16777216 + ((s.charCodeAt(i + 1) << 16) | (s.charCodeAt(i + 2) << 8) | s.charCodeAt(i + 3));
}

/** Decimal text of a u64 given as two 32-bit halves. */
function formatU64(hi: number, lo: number): string {
  if (hi < 2097152) return String(hi * U32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** "ms-seq" text of an ID key. */
export function idToString(id: string): string {
  return formatU64(u32At(id, 0), u32At(id, 4)) + '-' + formatU64(u32At(id, 8), u32At(id, 12));
}

/** The ms part of an ID as a number (exact below 2^53). */
export function idMs(id: string): number {
  return u32At(id, 0) * U32 + u32At(id, 4);
}

export function idSeqIsMax(id: string): boolean {
  for (let i = 8; i < 16; i++) if (id.charCodeAt(i) !== 255) return false;
  return true;
}

export function idSameMs(a: string, b: string): boolean {
  for (let i = 0; i < 8; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** The following ID, or null when id is the maximum (streamIncrID failing). */
export function idIncr(id: string): string | null {
  if (id === MAX_ID) return null;
  const b = idScratch;
  b.latin1Write(id, 0, 16);
  for (let i = 15; i >= 0; i--) {
    if (b[i] === 255) b[i] = 0;
    else {
      b[i]++;
      break;
    }
  }
  return b.latin1Slice(0, 16);
}

/** The preceding ID, or null when id is 0-0. */
export function idDecr(id: string): string | null {
  if (id === MIN_ID) return null;
  const b = idScratch;
  b.latin1Write(id, 0, 16);
  for (let i = 15; i >= 0; i--) {
    if (b[i] === 0) b[i] = 255;
    else {
      b[i]--;
      break;
    }
  }
  return b.latin1Slice(0, 16);
}

/** Result of parseU64: the two halves. */
export const u64 = { hi: 0, lo: 0 };

/**
 * Parse an unsigned 64-bit decimal number as Redis's string2ull does
 * (canonical integers, or what strtoull accepts: leading spaces, a '+',
 * leading zeros). Sets u64.hi/lo. False when invalid or out of range.
 */
export function parseU64(s: string, start = 0, end = s.length): boolean {
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) i++;
    else break;
  }
  let neg = false;
  if (i < end && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    neg = s.charCodeAt(i) === 45;
    i++;
  }
  if (i >= end) return false;
  let v = 0;
  const digits = end - i;
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return false;
    if (digits <= 15) v = v * 10 + c;
  }
  if (digits > 15) {
    const b = BigInt(s.slice(i, end));
    if (b > 0xffffffffffffffffn) return false;
    if (neg && b !== 0n) return false;
    u64.hi = Number(b >> 32n);
    u64.lo = Number(b & 0xffffffffn);
    return true;
  }
  if (neg && v !== 0) return false;
  u64.hi = Math.floor(v / U32);
  u64.lo = v % U32;
  return true;
}

/* ---------------------------------------------------------------- nodes */

const F_DELETED = 1;
const F_SAMEFIELDS = 2;

/** Size in bytes of an element header for this length. */
function hdrSize(n: number): number {
  return n < 255 ? 1 : 5;
}

/** Redis listpack bytes for a string element (for node-max-bytes decisions and MEMORY USAGE). */
function lpStrBytes(n: number): number {
  const h = n < 64 ? 1 : n < 4096 ? 2 : 5;
  const t = h + n;
  return t + (t < 128 ? 1 : t < 16384 ? 2 : 3);
}

export class StreamNode {
  buf: Buffer;
  /** bytes used in buf */
  used = 0;
  /** entries stored, live + deleted */
  count = 0;
  live = 0;
  /** ID of the first entry: the node's key */
  masterId: string;
  /** offset of the master fields (the first entry's first element) */
  masterPos = 0;
  masterFields = 0;
  /** estimate of Redis's listpack size for this node */
  lpBytes = 0;
  /** ID of the last entry stored (the base of the next entry's compact ID) */
  readonly last = new IdState();

  constructor(masterId: string, capacity: number) {
    this.masterId = masterId;
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  ensure(extra: number): void {
    const need = this.used + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafeSlow(cap);
    this.buf.copy(nb, 0, 0, this.used);
    this.buf = nb;
  }

  shrink(): void {
    if (this.buf.length - this.used < 64) return;
    const nb = Buffer.allocUnsafeSlow(this.used);
    this.buf.copy(nb, 0, 0, this.used);
    this.buf = nb;
  }
}

/** Read an element header at pos: sets hdrOut.start/len, returns the position after the element. */
const hdrOut = { start: 0, len: 0 };
function readHdr(buf: Buffer, pos: number): number {
  const c = buf[pos];
  if (c < 255) {
    hdrOut.start = pos + 1;
    hdrOut.len = c;
    return pos + 1 + c;
  }
  const len = buf.readUInt32BE(pos + 1);
  hdrOut.start = pos + 5;
  hdrOut.len = len;
  return pos + 5 + len;
}

function writeHdr(buf: Buffer, pos: number, n: number): number {
  if (n < 255) {
    buf[pos] = n;
    return pos + 1;
  }
  buf[pos] = 255;
  buf.writeUInt32BE(n, pos + 1);
  return pos + 5;
}

/** A decoded ID as four 32-bit halves (ms hi/lo, seq hi/lo). */
export class IdState {
  mh = 0;
  ml = 0;
  sh = 0;
  sl = 0;

  setKey(id: string): this {
    this.mh = u32At(id, 0);
    this.ml = u32At(id, 4);
    this.sh = u32At(id, 8);
    this.sl = u32At(id, 12);
    return this;
  }

  copy(o: IdState): void {
    this.mh = o.mh;
    this.ml = o.ml;
    this.sh = o.sh;
    this.sl = o.sl;
  }

  /** <0, 0, >0 compared with another state. */
  cmp(o: IdState): number {
    return this.mh - o.mh || this.ml - o.ml || this.sh - o.sh || this.sl - o.sl;
  }

  key(): string {
    return makeId(this.mh, this.ml, this.sh, this.sl);
  }

  toString(): string {
    return formatU64(this.mh, this.ml) + '-' + formatU64(this.sh, this.sl);
  }
}

const TAG_FULL = 0;
const TAG_NEXT_SEQ = 4;
const TAG_MS_DELTA = 8;
const TAG_MASK = 12;
const MAX_DELTA = 268435456;

/** Decode the ID of the entry whose flags are `flags`, its ID bytes at p, updating st; returns the position after the ID. */
function readId(buf: Buffer, p: number, flags: number, st: IdState): number {
  const tag = flags & TAG_MASK;
  if (tag === TAG_FULL) {
    st.mh = buf.readUInt32BE(p);
    st.ml = buf.readUInt32BE(p + 4);
    st.sh = buf.readUInt32BE(p + 8);
    st.sl = buf.readUInt32BE(p + 12);
    return p + 16;
  }
  if (tag === TAG_NEXT_SEQ) {
    if (st.sl === 0xffffffff) {
      st.sl = 0;
      st.sh++;
    } else st.sl++;
    return p;
  }
  let d = 0;
  let mul = 1;
  let b: number;
  do {
    b = buf[p++];
    d += (b & 127) * mul;
    mul *= 128;
  } while (b & 128);
  const ml = st.ml + d;
  if (ml > 0xffffffff) {
    st.mh++;
    st.ml = ml - U32;
  } else st.ml = ml;
  st.sh = 0;
  st.sl = 0;
  return p;
}

/** Length of the ID bytes of an entry. */
function idBytes(buf: Buffer, p: number, flags: number): number {
  const tag = flags & TAG_MASK;
  if (tag === TAG_FULL) return 16;
  if (tag === TAG_NEXT_SEQ) return 0;
  let n = 1;
  while (buf[p + n - 1] & 128) n++;
  return n;
}

/** Position of the pair count of the entry scanned last by scanEntry. */
let fieldsAt = 0;

/** Decode the entry at pos (updating st when given), return the position of the next one. */
function scanEntry(buf: Buffer, pos: number, st: IdState | null): number {
  const flags = buf[pos];
  let p = st !== null ? readId(buf, pos + 1, flags, st) : pos + 1 + idBytes(buf, pos + 1, flags);
  fieldsAt = p;
  let pairs = buf[p];
  if (pairs < 255) p++;
  else {
    pairs = buf.readUInt32BE(p + 1);
    p += 5;
  }
  const elems = flags & F_SAMEFIELDS ? pairs : pairs * 2;
  for (let i = 0; i < elems; i++) {
    const c = buf[p];
    p += c < 255 ? 1 + c : 5 + buf.readUInt32BE(p + 1);
  }
  return p;
}

const scanSt = new IdState();
const keySt = new IdState();

function readCount(buf: Buffer, p: number): number {
  return buf[p] < 255 ? buf[p] : buf.readUInt32BE(p + 1);
}

/* ------------------------------------------------------------ iterator */

/**
 * Iterates the live entries with start <= ID <= end, forward or backward.
 * After next() returns true: `node`, `pos` (entry), `pairs`; then
 * nextField() walks the pairs, leaving positions of the field and value
 * bytes in node.buf (fieldStart/fieldLen, valueStart/valueLen).
 */
export class StreamIterator {
  private s: StreamValue;
  private start = new IdState();
  private end = new IdState();
  private rev: boolean;
  private ni = -1;
  /** reverse iteration: entry positions, pair-count positions and IDs of the current node */
  private offsets: number[] = [];
  private fields: number[] = [];
  private ids: number[] = [];
  private oi = 0;
  private nextPos = 0;
  private done = false;
  /** the current entry's ID */
  readonly cur = new IdState();
  node: StreamNode | null = null;
  pos = 0;
  pairs = 0;
  private same = false;
  private fp = 0;
  private mp = 0;
  fieldStart = 0;
  fieldLen = 0;
  valueStart = 0;
  valueLen = 0;

  constructor(s: StreamValue, start: string, end: string, rev: boolean) {
    this.s = s;
    this.start.setKey(start);
    this.end.setKey(end);
    this.rev = rev;
    if (start > end || s.nodes.length === 0) {
      this.done = true;
      return;
    }
    if (!rev) {
      this.ni = Math.max(0, s.findNode(start));
      this.nextPos = 0;
    } else {
      this.ni = s.findNode(end);
      if (this.ni < 0) this.done = true;
      else this.loadOffsets();
    }
  }

  private loadOffsets(): void {
    const node = this.s.nodes[this.ni];
    const offs = this.offsets;
    const flds = this.fields;
    const ids = this.ids;
    offs.length = 0;
    flds.length = 0;
    ids.length = 0;
    const st = this.cur;
    for (let p = 0; p < node.used;) {
      offs.push(p);
      p = scanEntry(node.buf, p, st);
      flds.push(fieldsAt);
      ids.push(st.mh, st.ml, st.sh, st.sl);
    }
    this.oi = offs.length - 1;
  }

  next(): boolean {
    if (this.done) return false;
    const nodes = this.s.nodes;
    const cur = this.cur;
    if (!this.rev) {
      for (;;) {
        if (this.ni >= nodes.length) break;
        const node = nodes[this.ni];
        if (this.nextPos >= node.used) {
          this.ni++;
          this.nextPos = 0;
          continue;
        }
        const pos = this.nextPos;
        const buf = node.buf;
        this.nextPos = scanEntry(buf, pos, cur);
        if (cur.cmp(this.end) > 0) break;
        if (buf[pos] & F_DELETED) continue;
        if (cur.cmp(this.start) < 0) continue;
        this.setCurrent(node, pos, fieldsAt);
        return true;
      }
    } else {
      for (;;) {
        if (this.ni < 0) break;
        const node = nodes[this.ni];
        if (this.oi < 0) {
          this.ni--;
          if (this.ni < 0) break;
          this.loadOffsets();
          continue;
        }
        const i = this.oi--;
        const pos = this.offsets[i];
        const ids = this.ids;
        cur.mh = ids[i * 4];
        cur.ml = ids[i * 4 + 1];
        cur.sh = ids[i * 4 + 2];
        cur.sl = ids[i * 4 + 3];
        if (cur.cmp(this.start) < 0) break;
        if (node.buf[pos] & F_DELETED) continue;
        if (cur.cmp(this.end) > 0) continue;
        this.setCurrent(node, pos, this.fields[i]);
        return true;
      }
    }
    this.done = true;
    this.node = null;
    return false;
  }

  private setCurrent(node: StreamNode, pos: number, fields: number): void {
    this.node = node;
    this.pos = pos;
    const buf = node.buf;
    this.same = (buf[pos] & F_SAMEFIELDS) !== 0;
    this.pairs = readCount(buf, fields);
    this.fp = fields + hdrSize(this.pairs);
    this.mp = node.masterPos;
  }

  /** ID key of the current entry. */
  id(): string {
    return this.cur.key();
  }

  idString(): string {
    return this.cur.toString();
  }

  /** Advance to the next field/value pair of the current entry. */
  nextField(): void {
    const buf = this.node!.buf;
    if (this.same) {
      this.mp = readHdr(buf, this.mp);
      const fs = hdrOut.start;
      const fl = hdrOut.len;
      this.mp = readHdr(buf, this.mp); // skip the master entry's value
      hdrOut.start = fs;
      hdrOut.len = fl;
    } else {
      this.fp = readHdr(buf, this.fp);
    }
    this.fieldStart = hdrOut.start;
    this.fieldLen = hdrOut.len;
    this.fp = readHdr(buf, this.fp);
    this.valueStart = hdrOut.start;
    this.valueLen = hdrOut.len;
  }

  /** Field and value of the current pair as strings. */
  field(): string {
    return (this.node!.buf as Latin1Buffer).latin1Slice(this.fieldStart, this.fieldStart + this.fieldLen);
  }

  value(): string {
    return (this.node!.buf as Latin1Buffer).latin1Slice(this.valueStart, this.valueStart + this.valueLen);
  }
}

/* ------------------------------------------------------- consumer groups */

export const INVALID_ENTRIES_READ = -1;

/** A pending (delivered, not acknowledged) entry. */
export class NACK {
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer | null;
  constructor(consumer: Consumer | null, now: number) {
    this.deliveryTime = now;
    this.deliveryCount = 1;
    this.consumer = consumer;
  }
}

/**
 * A map from ID key to value, kept sorted by ID: binary search, appends in
 * O(1). Deletion leaves a tombstone (value undefined) so that it costs no
 * array move and indexes held by a caller stay valid; tombstones are
 * dropped in one pass once they outnumber live entries, only at
 * lowerBound() and add() (never while a caller walks indexes and deletes).
 * Walk live entries with: for (i = m.next(m.lowerBound(id)); i < m.keys.length; i = m.next(i + 1)).
 */
export class IdMap<V> {
  keys: string[] = [];
  vals: (V | undefined)[] = [];
  private dead = 0;

  get size(): number {
    return this.keys.length - this.dead;
  }

  private maybeCompact(): void {
    if (this.dead < 32 || this.dead * 2 < this.keys.length) return;
    const k = this.keys;
    const v = this.vals;
    let w = 0;
    for (let r = 0; r < k.length; r++) {
      if (v[r] === undefined) continue;
      k[w] = k[r];
      v[w] = v[r];
      w++;
    }
    k.length = w;
    v.length = w;
    this.dead = 0;
  }

  private search(id: string): number {
    const k = this.keys;
    let lo = 0;
    let hi = k.length;
    if (hi > 0 && k[hi - 1] < id) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (k[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key >= id (possibly a tombstone: pass it through next()). */
  lowerBound(id: string): number {
    this.maybeCompact();
    return this.search(id);
  }

  /** The first live index >= i (keys.length when none). */
  next(i: number): number {
    const v = this.vals;
    while (i < v.length && v[i] === undefined) i++;
    return i;
  }

  /** Call fn for each live entry, in key order. */
  forEach(fn: (id: string, v: V) => void): void {
    for (let i = this.next(0); i < this.keys.length; i = this.next(i + 1)) fn(this.keys[i], this.vals[i] as V);
  }

  /** Live keys in order. */
  liveKeys(): string[] {
    const out: string[] = [];
    for (let i = this.next(0); i < this.keys.length; i = this.next(i + 1)) out.push(this.keys[i]);
    return out;
  }

  firstKey(): string | undefined {
    const i = this.next(0);
    return i < this.keys.length ? this.keys[i] : undefined;
  }

  lastKey(): string | undefined {
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.vals[i] !== undefined) return this.keys[i];
    return undefined;
  }

  get(id: string): V | undefined {
    const i = this.search(id);
    return i < this.keys.length && this.keys[i] === id ? this.vals[i] : undefined;
  }

  /** Insert if absent; false when the key exists. */
  add(id: string, v: V): boolean {
    const k = this.keys;
    const n = k.length;
    if (n === 0 || k[n - 1] < id) {
      k.push(id);
      this.vals.push(v);
      return true;
    }
    this.maybeCompact();
    const i = this.search(id);
    if (i < k.length && k[i] === id) {
      if (this.vals[i] !== undefined) return false;
      this.vals[i] = v;
      this.dead--;
      return true;
    }
    k.splice(i, 0, id);
    this.vals.splice(i, 0, v);
    return true;
  }

  delete(id: string): boolean {
    const i = this.search(id);
    if (i >= this.keys.length || this.keys[i] !== id || this.vals[i] === undefined) return false;
    if (i === this.keys.length - 1) {
      this.keys.pop();
      this.vals.pop();
    } else {
      this.vals[i] = undefined;
      this.dead++;
    }
    return true;
  }
}

export class Consumer {
  name: string;
  seenTime: number;
  pel = new IdMap<NACK>();
  constructor(name: string, now: number) {
    this.name = name;
    this.seenTime = now;
  }

  /** Make this consumer the owner of a pending entry, taking it out of its previous owner's PEL. */
  takeNack(id: string, nack: NACK): void {
    if (nack.consumer === this) return;
    if (nack.consumer !== null) nack.consumer.pel.delete(id);
    this.pel.add(id, nack);
    nack.consumer = this;
  }
}

export class ConsumerGroup {
  lastId: string;
  entriesRead: number;
  pel = new IdMap<NACK>();
  consumers = new Map<string, Consumer>();
  constructor(lastId: string, entriesRead: number) {
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** Consumers in name order (Redis keeps them in a radix tree). */
  sortedConsumers(): Consumer[] {
    const names = [...this.consumers.keys()].sort();
    return names.map((n) => this.consumers.get(n) as Consumer);
  }

  /** Forget a pending entry (acknowledged, or its stream entry is gone): from the group's PEL and its owner's. */
  dropNack(id: string, nack: NACK): void {
    this.pel.delete(id);
    if (nack.consumer !== null) nack.consumer.pel.delete(id);
  }

  deleteConsumer(c: Consumer): void {
    c.pel.forEach((id) => this.pel.delete(id)); // this.pel, not the one walked
    this.consumers.delete(c.name);
  }
}

/* ------------------------------------------------------- radix estimates */

/**
 * Nodes a Redis radix tree holding these sorted 16-byte keys has when built
 * by insertion: a compressed node per shared run, a node per branching
 * point, a node per key end (XINFO radix-tree-nodes, MEMORY USAGE).
 */
export function raxNodeCount(keys: readonly string[]): number {
  if (keys.length === 0) return 1;
  return countNodes(keys, 0, keys.length, 0);
}

function countNodes(keys: readonly string[], lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth >= 16 ? 1 : 2;
  // common prefix of the first and last key (sorted) beyond depth
  const a = keys[lo];
  const b = keys[hi - 1];
  let d = depth;
  while (d < 16 && a.charCodeAt(d) === b.charCodeAt(d)) d++;
  let nodes = d > depth ? 2 : 1; // compressed run (if any) + the branch node
  let i = lo;
  while (i < hi) {
    const ch = keys[i].charCodeAt(d);
    let j = i + 1;
    while (j < hi && keys[j].charCodeAt(d) === ch) j++;
    nodes += countNodes(keys, i, j, d + 1);
    i = j;
  }
  return nodes;
}

/** streamRadixTreeMemoryUsage: keys * 16 + nodes * (4 + 30 words). */
function raxMemory(keys: readonly string[]): number {
  return keys.length * 16 + raxNodeCount(keys) * (4 + 8 * 30);
}

/* --------------------------------------------------------------- stream */

export interface TrimArgs {
  /** 1 MAXLEN, 2 MINID */
  strategy: number;
  approx: boolean;
  /** 0: no limit */
  limit: number;
  maxlen: number;
  minid: string;
}

export class StreamValue implements RedisObject {
  nodes: StreamNode[] = [];
  length = 0;
  lastId = MIN_ID;
  firstId = MIN_ID;
  maxDeletedId = MIN_ID;
  entriesAdded = 0;
  groups: Map<string, ConsumerGroup> | null = null;

  get kind(): 'stream' {
    return 'stream';
  }

  encoding(): string {
    return 'stream';
  }

  /** Index of the last node whose key is <= id, -1 when id precedes every node. */
  findNode(id: string): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    if (hi >= 0 && nodes[hi].masterId <= id) return hi;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid].masterId <= id) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /**
   * Append an entry (id > lastId, checked by the caller) whose fields and
   * values are argv[from..]. maxEntries/maxBytes: the node limits in effect.
   */
  append(id: string, argv: readonly string[], from: number, maxEntries: number, maxBytes: number): void {
    const pairs = (argv.length - from) >> 1;
    let totelelen = 0;
    let bytes = 0;
    for (let i = from; i < argv.length; i++) {
      const n = argv[i].length;
      totelelen += n;
      bytes += hdrSize(n) + n;
    }
    const nodes = this.nodes;
    let node = nodes.length > 0 ? nodes[nodes.length - 1] : null;
    if (node !== null) {
      const nodeMax = maxBytes === 0 || maxBytes > 1073741823 ? 1073741823 : maxBytes;
      if (node.lpBytes + totelelen >= nodeMax || (maxEntries > 0 && node.count >= maxEntries)) {
        node.shrink();
        node = null;
      }
    }
    let flags = 0;
    if (node === null) {
      node = new StreamNode(id, Math.max(256, 16 + 1 + 5 + bytes));
      nodes.push(node);
      node.masterPos = 1 + 16 + hdrSize(pairs);
      node.masterFields = pairs;
      // listpack header, count, deleted, num-fields, master fields, terminator
      let lp = 7 + 2 + 2 + 2 + 2;
      for (let i = from; i < argv.length; i += 2) lp += lpStrBytes(argv[i].length);
      node.lpBytes = lp;
    } else if (pairs === node.masterFields) {
      const buf = node.buf;
      let mp = node.masterPos;
      let i = from;
      for (; i < argv.length; i += 2) {
        mp = readHdr(buf, mp);
        const f = argv[i];
        if (hdrOut.len !== f.length) break;
        const st = hdrOut.start;
        mp = readHdr(buf, mp); // the master entry's value
        let j = 0;
        for (; j < f.length; j++) if (buf[st + j] !== f.charCodeAt(j)) break;
        if (j < f.length) break;
      }
      if (i >= argv.length) flags = F_SAMEFIELDS;
    }
    if (flags === F_SAMEFIELDS) {
      bytes = 0;
      for (let i = from + 1; i < argv.length; i += 2) bytes += hdrSize(argv[i].length) + argv[i].length;
    }
    // how the ID is stored: relative to the node's previous entry when possible
    const st = keySt.setKey(id);
    const last = node.last;
    let tag = TAG_FULL;
    let delta = 0;
    if (node.count > 0) {
      if (st.mh === last.mh && st.ml === last.ml) {
        if ((st.sh === last.sh && st.sl === last.sl + 1) || (st.sl === 0 && last.sl === 0xffffffff && st.sh === last.sh + 1)) tag = TAG_NEXT_SEQ;
      } else if (st.sh === 0 && st.sl === 0) {
        const d = st.mh === last.mh ? st.ml - last.ml : st.mh === last.mh + 1 ? st.ml + U32 - last.ml : -1;
        if (d > 0 && d < MAX_DELTA) {
          tag = TAG_MS_DELTA;
          delta = d;
        }
      }
    }
    node.ensure(1 + 16 + hdrSize(pairs) + bytes);
    const buf = node.buf as Latin1Buffer;
    let p = node.used;
    buf[p++] = flags | tag;
    if (tag === TAG_FULL) {
      buf.latin1Write(id, p, 16);
      p += 16;
    } else if (tag === TAG_MS_DELTA) {
      while (delta >= 128) {
        buf[p++] = (delta & 127) | 128;
        delta = Math.floor(delta / 128);
      }
      buf[p++] = delta;
    }
    last.copy(st);
    p = writeHdr(buf, p, pairs);
    let lp = 2 + 4 + 2 + 2; // flags, ms delta, seq delta, lp-count
    for (let i = flags === F_SAMEFIELDS ? from + 1 : from; i < argv.length; i += flags === F_SAMEFIELDS ? 2 : 1) {
      const s = argv[i];
      const n = s.length;
      p = writeHdr(buf, p, n);
      if (n > 0) p += buf.latin1Write(s, p, n);
      lp += lpStrBytes(n);
    }
    if (flags !== F_SAMEFIELDS) lp += 2;
    node.used = p;
    node.count++;
    node.live++;
    node.lpBytes += lp;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** True when a live entry with this ID exists. */
  has(id: string): boolean {
    return this.locate(id) >= 0;
  }

  private locNode = -1;
  /** Position of the live entry with this ID (node index in locNode), or -1. */
  private locate(id: string): number {
    const ni = this.findNode(id);
    if (ni < 0) return -1;
    const node = this.nodes[ni];
    const buf = node.buf;
    const target = keySt.setKey(id);
    for (let p = 0; p < node.used;) {
      const next = scanEntry(buf, p, scanSt);
      const c = scanSt.cmp(target);
      if (c > 0) return -1;
      if (c === 0) {
        if (buf[p] & F_DELETED) return -1;
        this.locNode = ni;
        return p;
      }
      p = next;
    }
    return -1;
  }

  /** Delete one entry by ID (XDEL). True when it existed. Does not update firstId/maxDeletedId. */
  delete(id: string): boolean {
    const p = this.locate(id);
    if (p < 0) return false;
    const ni = this.locNode;
    const node = this.nodes[ni];
    node.buf[p] |= F_DELETED;
    node.live--;
    this.length--;
    if (node.live === 0) this.nodes.splice(ni, 1);
    return true;
  }

  /** ID of the first (or last) live entry, MIN_ID when empty. */
  edgeId(first: boolean): string {
    const it = new StreamIterator(this, MIN_ID, MAX_ID, !first);
    return it.next() ? it.id() : MIN_ID;
  }

  /** streamLastValidID: the last live entry's ID (0-0 when empty). */
  lastValidId(): string {
    return this.edgeId(false);
  }

  /** streamTrim: remove entries from the head; returns how many were removed. */
  trim(a: TrimArgs): number {
    let deleted = 0;
    const nodes = this.nodes;
    let removeNodes = 0;
    const minid = keySt.setKey(a.minid);
    while (removeNodes < nodes.length) {
      if (a.strategy === 1 && this.length <= a.maxlen) break;
      const node = nodes[removeNodes];
      const entries = node.live;
      if (a.limit && deleted + entries > a.limit) break;
      let removeNode: boolean;
      if (a.strategy === 1) {
        removeNode = this.length - entries >= a.maxlen;
      } else {
        // the node's last entry ID (deleted or not) < minid
        removeNode = node.last.cmp(minid) < 0;
      }
      if (removeNode) {
        removeNodes++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      const buf = node.buf;
      let fromNode = 0;
      for (let p = 0; p < node.used;) {
        const next = scanEntry(buf, p, scanSt);
        const stop = a.strategy === 1 ? this.length <= a.maxlen : scanSt.cmp(minid) >= 0;
        if (stop) break;
        if ((buf[p] & F_DELETED) === 0) {
          buf[p] |= F_DELETED;
          fromNode++;
          this.length--;
        }
        p = next;
      }
      node.live -= fromNode;
      deleted += fromNode;
      break;
    }
    if (removeNodes > 0) nodes.splice(0, removeNodes);
    if (this.length === 0) this.firstId = MIN_ID;
    else if (deleted > 0) this.firstId = this.edgeId(true);
    return deleted;
  }

  /* ---------------------------------------------------- groups & lag */

  group(name: string): ConsumerGroup | undefined {
    return this.groups === null ? undefined : this.groups.get(name);
  }

  /** Create a group; null when the name exists. */
  createGroup(name: string, lastId: string, entriesRead: number): ConsumerGroup | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const g = new ConsumerGroup(lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** Groups in name order, with their names. */
  sortedGroups(): [string, ConsumerGroup][] {
    if (this.groups === null) return [];
    return [...this.groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** streamRangeHasTombstones: may [start, end] hold a deleted entry? */
  rangeHasTombstones(start: string, end: string): boolean {
    if (this.length === 0 || this.maxDeletedId === MIN_ID) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the logical read counter of an ID, or -1. */
  estimateDistance(id: string): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return INVALID_ENTRIES_READ;
    if (this.maxDeletedId === MIN_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return INVALID_ENTRIES_READ;
  }

  /** A group's lag, or null when it cannot be known. */
  lag(g: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(g.lastId, MAX_ID)) {
      return this.entriesAdded - g.entriesRead;
    }
    const er = this.estimateDistance(g.lastId);
    return er !== INVALID_ENTRIES_READ ? this.entriesAdded - er : null;
  }

  /* ------------------------------------------------------ RedisObject */

  dup(): StreamValue {
    const s = new StreamValue();
    for (const n of this.nodes) {
      const m = new StreamNode(n.masterId, Math.max(n.used, 1));
      n.buf.copy(m.buf, 0, 0, n.used);
      m.used = n.used;
      m.count = n.count;
      m.live = n.live;
      m.masterPos = n.masterPos;
      m.masterFields = n.masterFields;
      m.lpBytes = n.lpBytes;
      m.last.copy(n.last);
      s.nodes.push(m);
    }
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [name, g] of this.groups) {
        const ng = new ConsumerGroup(g.lastId, g.entriesRead);
        const map = new Map<NACK, NACK>();
        g.pel.forEach((id, old) => {
          const nn = new NACK(null, old.deliveryTime);
          nn.deliveryCount = old.deliveryCount;
          map.set(old, nn);
          ng.pel.add(id, nn);
        });
        for (const [cname, c] of g.consumers) {
          const nc = new Consumer(cname, c.seenTime);
          c.pel.forEach((id, old) => {
            const nn = map.get(old) as NACK;
            nn.consumer = nc;
            nc.pel.add(id, nn);
          });
          ng.consumers.set(cname, nc);
        }
        s.groups.set(name, ng);
      }
    }
    return s;
  }

  /** DEBUG DIGEST: "ms.seq" then each field and value, mixed in order. */
  digestInto(d: ValueDigester): void {
    const it = new StreamIterator(this, MIN_ID, MAX_ID, false);
    while (it.next()) {
      d.mix(it.idString().replace('-', '.'));
      for (let i = 0; i < it.pairs; i++) {
        it.nextField();
        d.mix(it.field());
        d.mix(it.value());
      }
    }
  }

  /** MEMORY USAGE as Redis's objectComputeSize counts it (listpacks, radix trees, groups, PELs). */
  memoryUsage(samples: number): number {
    let bytes = 16 + 80; // robj + stream struct
    const keys = this.nodes.map((n) => n.masterId);
    bytes += raxMemory(keys);
    const n = this.nodes.length;
    // the tail node is preallocated (4 KB) until it is full, as Redis's listpacks
    const alloc = (i: number): number => {
      const node = this.nodes[i];
      return jemallocSize(i === n - 1 && node.buf.length > node.used ? Math.max(4096, node.lpBytes) : node.lpBytes);
    };
    let lp = 0;
    let sampled = 0;
    for (let i = 0; i < n && sampled < samples; i++, sampled++) lp += alloc(i);
    if (n <= sampled) bytes += lp;
    else {
      if (sampled) lp = Math.floor(lp / sampled);
      bytes += lp * (n - 1) + alloc(n - 1);
    }
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        bytes += 40 + raxMemory(g.pel.liveKeys()) + 24 * g.pel.size;
        for (const c of g.consumers.values()) bytes += 24 + c.name.length + raxMemory(c.pel.liveKeys());
      }
    }
    return bytes;
  }
}
