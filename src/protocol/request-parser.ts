/*
 * Request parser: turns the bytes a client sends into command argument
 * vectors, exactly as Redis's processMultibulkBuffer/processInlineBuffer do.
 *
 * - A request starting with '*' is a RESP multibulk; anything else is an
 *   inline command split with Redis's quoting rules (splitArgs).
 * - Arguments are latin1 JS strings: one char per byte, binary safe.
 * - The parser is incremental: feed() may be called with any split of the
 *   stream and yields each complete command once. Partial state (the current
 *   multibulk's collected arguments and the pending bulk length) survives
 *   across calls, and only the unconsumed tail of the input is kept.
 * - Protocol errors carry Redis's exact message. After one the parser is
 *   dead: the connection is to be closed once the error has been written.
 *
 * The parser imports nothing from the server: limits and the "is this client
 * authenticated" question are passed in.
 */
import { splitArgs } from './split-args';

/** Longest inline request, or multibulk/bulk count line, Redis accepts (PROTO_INLINE_MAX_SIZE). */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** true while the client still has to AUTH: small limits then apply */
  authRequired: boolean;
}

export class ProtocolError extends Error {
  /** the reply to send, without the leading '-' */
  readonly reply: string;
  constructor(reply: string) {
    super(reply);
    this.reply = reply;
  }
}

const CR = 13;
const EMPTY_BUF = Buffer.alloc(0);
const LF = 10;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * The bytes [p, p + len) as a latin1 string. Short arguments (keys, small
 * values, up to 24 bytes) are built with String.fromCharCode: up to four
 * times cheaper than the native latin1Slice call, which longer ones use
 * (around 28 bytes the two cost the same).
 */
function latin1(b: Latin1Buffer, p: number, len: number): string {
  const f = String.fromCharCode;
  switch (len) {
    case 0: return '';
    case 1: return f(b[p]);
    case 2: return f(b[p], b[p + 1]);
    case 3: return f(b[p], b[p + 1], b[p + 2]);
    case 4: return f(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    case 9: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
    case 10: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
    case 11: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10]);
    case 12: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]);
    case 13: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12]);
    case 14: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13]);
    case 15: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14]);
    case 16: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15]);
    case 17: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16]);
    case 18: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17]);
    case 19: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18]);
    case 20: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19]);
    case 21: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20]);
    case 22: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21]);
    case 23: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21], b[p + 22]);
    case 24: return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21], b[p + 22], b[p + 23]);
    default: return b.latin1Slice(p, p + len);
  }
}

export class RequestParser {
  /** the received bytes: a view of exactly the valid part of `store` */
  private buf: Buffer = EMPTY_BUF;
  /** backing memory of `buf`, possibly with spare room after it */
  private store: Buffer = EMPTY_BUF;
  private pos = 0;
  /** arguments still expected for the current multibulk (0 = none in progress) */
  private multibulkLen = 0;
  /** length of the bulk being read, -1 before its header */
  private bulkLen = -1;
  private argv: string[] = [];
  /** set when a request was a multibulk (Redis tracks this per request) */
  lastWasInline = false;
  /** `buf` is a view of memory the caller will reuse (see settle()) */
  private borrowed = false;

  /** Bytes received but not yet consumed as part of a complete request. */
  get pendingBytes(): number {
    return this.buf.length - this.pos;
  }

  /**
   * Append data to the input. When nothing is pending the chunk is used as
   * is. Otherwise the unconsumed tail and the chunk go into a buffer with
   * room to spare, grown geometrically (and up to the announced size of a
   * bulk being received, as Redis sizes its query buffer for big
   * arguments), so that receiving a large argument in many reads costs
   * linear, not quadratic, copying.
   */
  append(data: Buffer, borrowed = false): void {
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      this.buf = data;
      this.store = data;
      this.pos = 0;
      this.borrowed = borrowed;
      return;
    }
    // `buf` always starts at the start of `store`
    const end = this.buf.length;
    if (end + data.length <= this.store.length) {
      // room after the pending bytes (only in a buffer allocated here)
      data.copy(this.store, end);
      this.buf = this.store.subarray(0, end + data.length);
      return;
    }
    const need = rest + data.length;
    let cap = Math.max(need, rest * 2);
    if (this.multibulkLen > 0 && this.bulkLen >= 0) {
      // the pending bytes start with the bulk being read
      const bulkEnd = this.bulkLen + 2;
      if (bulkEnd >= need) cap = Math.min(cap, bulkEnd);
    }
    data.copy(this.moveRest(cap), rest);
    this.buf = this.store.subarray(0, need);
  }

  /** Move the unconsumed bytes to the start of a new buffer of `cap` bytes (the new `store`), which it returns. */
  private moveRest(cap: number): Buffer {
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, this.pos);
    this.store = nb;
    this.pos = 0;
    this.borrowed = false;
    return nb;
  }

  /**
   * The caller is about to reuse the memory of a chunk appended as borrowed
   * (a socket's read buffer): keep a copy of what is still unconsumed, and no
   * reference to that memory. Parsed arguments are strings: they never
   * refer to the input.
   */
  settle(): void {
    if (!this.borrowed) return;
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      // (a multibulk may be half parsed: only the bytes are dropped)
      this.buf = EMPTY_BUF;
      this.store = EMPTY_BUF;
      this.pos = 0;
      this.borrowed = false;
      return;
    }
    this.buf = this.moveRest(Math.max(rest * 2, 1024)).subarray(0, rest);
  }

  /**
   * Return the next complete command's argv, null when more input is needed,
   * or an empty array for an empty request (Redis skips those silently).
   * Throws ProtocolError on malformed input.
   */
  next(limits: ParserLimits): string[] | null {
    const buf = this.buf as Latin1Buffer;
    const end = buf.length;
    if (this.multibulkLen === 0) {
      if (this.pos < end && buf[this.pos] === 0x2a && !limits.authRequired) {
        const fast = this.fastMultibulk(buf, end, limits.maxBulkLen);
        if (fast !== null) return fast;
      }
      if (this.pos >= end) return null;
      if (buf[this.pos] !== 0x2a /* '*' */) return this.nextInline(buf, end);
      this.lastWasInline = false;
      const nl = findLineEnd(buf, this.pos, CR);
      if (nl < 0) {
        if (end - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('ERR Protocol error: too big mbulk count string');
        return null;
      }
      if (nl + 1 >= end) return null; // need the \n too
      const ll = parseLongLong(buf, this.pos + 1, nl);
      if (ll === null || ll > 2147483647) throw new ProtocolError('ERR Protocol error: invalid multibulk length');
      if (ll > 10 && limits.authRequired) throw new ProtocolError('ERR Protocol error: unauthenticated multibulk length');
      this.pos = nl + 2;
      if (ll <= 0) return EMPTY;
      this.multibulkLen = ll;
      this.argv = [];
      this.bulkLen = -1;
    }
    while (this.multibulkLen > 0) {
      if (this.bulkLen === -1) {
        const nl = findLineEnd(buf, this.pos, CR);
        if (nl < 0) {
          if (end - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('ERR Protocol error: too big bulk count string');
          return null;
        }
        if (nl + 1 >= end) return null;
        if (buf[this.pos] !== 0x24 /* '$' */) {
          throw new ProtocolError(`ERR Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
        }
        const ll = parseLongLong(buf, this.pos + 1, nl);
        if (ll === null || ll < 0 || ll > limits.maxBulkLen) throw new ProtocolError('ERR Protocol error: invalid bulk length');
        if (ll > 16384 && limits.authRequired) throw new ProtocolError('ERR Protocol error: unauthenticated bulk length');
        this.pos = nl + 2;
        this.bulkLen = ll;
      }
      if (end - this.pos < this.bulkLen + 2) return null;
      this.argv.push(this.argv.length === 0 && this.bulkLen <= NAME_CACHE_MAX_LEN
        ? internName(buf, this.pos, this.pos + this.bulkLen)
        : latin1(buf, this.pos, this.bulkLen));
      this.pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.multibulkLen--;
    }
    const argv = this.argv;
    this.argv = [];
    return argv;
  }

  /**
   * The common case: a whole, well-formed multibulk is in the buffer. Parse
   * it with local state only. Returns null (consuming nothing) when the
   * command is incomplete or anything is unusual: the general path then
   * handles it, including every error.
   */
  private fastMultibulk(buf: Latin1Buffer, end: number, maxBulkLen: number): string[] | null {
    let p = this.pos + 1;
    let count = 0;
    let c = buf[p];
    if (c < 0x31 || c > 0x39) return null;
    while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
      count = count * 10 + (c - 0x30);
      p++;
    }
    if (count > 1024 * 1024 || p + 1 >= end || buf[p] !== CR || buf[p + 1] !== LF) return null;
    p += 2;
    const argv: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      if (p >= end || buf[p] !== 0x24) return null;
      p++;
      let len = 0;
      c = buf[p];
      if (c < 0x30 || c > 0x39) return null;
      // "$0" followed by a digit has a leading zero: the exact path refuses it
      if (c === 0x30 && p + 1 < end && buf[p + 1] >= 0x30 && buf[p + 1] <= 0x39) return null;
      while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
        len = len * 10 + (c - 0x30);
        p++;
      }
      if (len > maxBulkLen || p + 1 >= end || buf[p] !== CR || buf[p + 1] !== LF) return null;
      p += 2;
      if (end - p < len + 2) return null;
      argv[i] = i === 0 && len <= NAME_CACHE_MAX_LEN ? internName(buf, p, p + len) : latin1(buf, p, len);
      p += len + 2;
    }
    this.pos = p;
    this.lastWasInline = false;
    return argv;
  }

  private nextInline(buf: Latin1Buffer, end: number): string[] | null {
    this.lastWasInline = true;
    let nl = findLineEnd(buf, this.pos, LF);
    if (nl < 0) {
      if (end - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('ERR Protocol error: too big inline request');
      return null;
    }
    const next = nl + 1;
    if (nl > this.pos && buf[nl - 1] === CR) nl--;
    const line = buf.latin1Slice(this.pos, nl);
    const argv = splitArgs(line);
    if (argv === null) throw new ProtocolError('ERR Protocol error: unbalanced quotes in request');
    this.pos = next;
    return argv;
  }

  /** Drop everything buffered (used when a client is being closed). */
  reset(): void {
    this.buf = EMPTY_BUF;
    this.store = EMPTY_BUF;
    this.borrowed = false;
    this.pos = 0;
    this.multibulkLen = 0;
    this.bulkLen = -1;
    this.argv = [];
  }
}

const EMPTY: string[] = [];

/*
 * Command names repeat endlessly ("SET", "get"): intern them. The same
 * string object comes back for the same bytes, which saves creating a string
 * per command and lets the command table's lookups compare by identity.
 * A direct-mapped table indexed by the name's FNV-1a hash: an array read
 * costs a fraction of a Map lookup, and a newcomer simply takes over its
 * slot, so memory stays bounded whatever names clients send.
 */
const NAME_CACHE_MAX_LEN = 24;
const NAME_SLOTS = 1024;
const nameSlots: string[] = new Array<string>(NAME_SLOTS).fill('');

function internName(buf: Latin1Buffer, start: number, end: number): string {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const slot = (h >>> 0) & (NAME_SLOTS - 1);
  const hit = nameSlots[slot];
  if (hit.length === end - start && end > start) {
    let same = true;
    for (let i = start, j = 0; i < end; i++, j++) {
      if (hit.charCodeAt(j) !== buf[i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const s = buf.latin1Slice(start, end);
  nameSlots[slot] = s;
  return s;
}

/**
 * Where Redis's strchr(querybuf + pos, ch) finds the end of a line: the
 * first `ch` at or after `from`, or -1 when there is none or a NUL byte
 * comes first (strchr stops at the NUL that terminates a C string). A line
 * with a NUL in it is therefore never complete: the request waits for more
 * input until the size limit turns it into a protocol error, as in Redis.
 * Lines are usually short: a JS loop over the first bytes beats a native call.
 */
function findLineEnd(buf: Buffer, from: number, ch: number): number {
  const end = buf.length;
  const lim = end - from > 64 ? from + 64 : end;
  for (let i = from; i < lim; i++) {
    const c = buf[i];
    if (c === ch) return i;
    if (c === 0) return -1;
  }
  if (lim >= end) return -1;
  const at = buf.indexOf(ch, lim);
  if (at < 0) return -1;
  for (let i = lim; i < at; i++) if (buf[i] === 0) return -1;
  return at;
}

/** Redis's string2ll over buf[start, end): strict decimal, no '+', no leading zeros, fits in int64. */
function parseLongLong(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len === 0 || len > 20) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  if (len === 1 && buf[start] === 0x30) return 0;
  if (buf[i] < 0x31 || buf[i] > 0x39) return null;
  let v = 0;
  for (let j = i; j < end; j++) {
    const c = buf[j];
    if (c < 0x30 || c > 0x39) return null;
    v = v * 10 + (c - 0x30);
  }
  if (end - i >= 16) {
    // past 2^53 the float is inexact: decide the int64 bounds exactly
    const b = BigInt(buf.toString('latin1', i, end));
    if (neg ? b > 9223372036854775808n : b > 9223372036854775807n) return null;
  }
  return neg ? -v : v;
}
