/*
 * Reply writer: encodes RESP2 or RESP3 replies into one growable buffer per
 * client, so that every reply produced while handling one read of the socket
 * goes out in a single write (reply batching).
 *
 * Invariants:
 * - `len` bytes of `buf` are pending output; take() hands them to the caller
 *   and leaves the writer empty (the buffer is reused when it was copied out).
 * - Strings are latin1: one char is one byte.
 * - The protocol version only changes how typed replies (null, map, set,
 *   double, boolean, push, verbatim, big number) are encoded; commands call
 *   the typed method and never branch on the version themselves.
 * - Between flushes the buffer is `size` bytes (Redis's reply buffer, which
 *   CLIENT LIST shows as rbs): it grows for a bigger batch and is replaced
 *   by a `size` one once that batch is out. `peak` is the biggest batch
 *   since the client cron last reset it; the cron resizes `size` from it as
 *   Redis's clientsCronResizeOutputBuffer does (resizeBuffer).
 */
import { formatDouble } from '../util/numbers';

type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number, length?: number): number };

/** Redis's PROTO_REPLY_MIN_BYTES and PROTO_REPLY_CHUNK_BYTES: the reply buffer's size range (a new client's is the maximum). */
export const REPLY_BUF_MIN = 1024;
export const REPLY_BUF_MAX = 16 * 1024;
/** Above this a flushed buffer is handed to the socket instead of being copied. */
const COPY_LIMIT = 16 * 1024;

/** Preencoded headers for small lengths ("*3\r\n", "$5\r\n", ":7\r\n"). */
const SMALL = 512;
function table(prefix: string): Buffer[] {
  const t: Buffer[] = [];
  for (let i = 0; i < SMALL; i++) t.push(Buffer.from(`${prefix}${i}\r\n`, 'latin1'));
  return t;
}
const ARRAY_HDR = table('*');
const BULK_HDR = table('$');
const INT_HDR = table(':');
const MAP_HDR = table('%');
const SET_HDR = table('~');
const PUSH_HDR = table('>');

export type ProtocolVersion = 2 | 3;

export class ReplyWriter {
  buf: Buffer;
  len = 0;
  /** the buffer's size between flushes (Redis's buf_usable_size) */
  size = REPLY_BUF_MAX;
  /** the biggest batch since the last peak reset (Redis's buf_peak, which starts at the size) */
  peak = REPLY_BUF_MAX;
  /** when the peak was last reset (ms; 0: never, so the first cron visit resets it) */
  peakResetAt = 0;
  resp: ProtocolVersion = 2;
  /** Called with each error message written (error statistics). */
  onError: ((msg: string) => void) | null = null;

  constructor() {
    this.buf = Buffer.allocUnsafe(REPLY_BUF_MAX);
  }

  /** Take the pending output as a buffer the caller owns; the writer is left empty. */
  take(): Buffer {
    const n = this.len;
    this.len = 0;
    if (n > this.peak) this.peak = n;
    if (n <= COPY_LIMIT) {
      const out = Buffer.allocUnsafe(n);
      this.buf.copy(out, 0, 0, n);
      return out;
    }
    const out = this.buf.subarray(0, n);
    this.buf = Buffer.allocUnsafe(this.size);
    return out;
  }

  /**
   * The pending output as a view of the writer's own buffer, to be written
   * without a copy; the caller then calls sent() before anything else is
   * written here.
   */
  pending(): Buffer {
    if (this.len > this.peak) this.peak = this.len;
    return this.buf.subarray(0, this.len);
  }

  /**
   * The view pending() gave was written. `kept` says the consumer still
   * refers to those bytes (a socket that could not send them all at once
   * queues the view): then the writer moves on to a fresh buffer, otherwise
   * it reuses its own (unless it grew big).
   */
  sent(kept: boolean): void {
    this.len = 0;
    if (kept || this.buf.length !== this.size) this.buf = Buffer.allocUnsafe(this.size);
  }

  /**
   * Redis's clientsCronResizeOutputBuffer, run by the client cron: halve
   * (down to just above the peak, at least REPLY_BUF_MIN) a buffer whose
   * peak stayed under half of it, double (up to REPLY_BUF_MAX) one whose
   * peak filled it; every `resetMs` (-1: never) the peak restarts from what
   * is pending. Returns -1 after a shrink, 1 after an expansion, else 0.
   */
  resizeBuffer(now: number, resetMs: number): number {
    const size = this.size;
    const peak = Math.min(this.peak, size);
    let next = 0;
    let change = 0;
    if (size / 2 >= REPLY_BUF_MIN && peak < size / 2) {
      next = Math.max(REPLY_BUF_MIN, peak + 1);
      change = -1;
    } else if (size < REPLY_BUF_MAX && peak === size) {
      next = Math.min(REPLY_BUF_MAX, size * 2);
      change = 1;
    }
    if (resetMs >= 0 && now - this.peakResetAt >= resetMs) {
      this.peak = this.len;
      this.peakResetAt = now;
    }
    if (next !== 0) {
      this.size = next;
      // with output pending, sent() replaces the buffer once it is out
      if (this.len === 0) this.buf = Buffer.allocUnsafe(next);
    }
    return change;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  raw(s: string): void {
    const n = s.length;
    this.ensure(n);
    this.put(s, n);
  }

  /** Copy n latin1 chars of s at len (room already ensured). Short strings are copied in JS: cheaper than a native call. */
  private put(s: string, n: number): void {
    if (n < 48) {
      const b = this.buf;
      let o = this.len;
      for (let i = 0; i < n; i++) b[o++] = s.charCodeAt(i);
      this.len = o;
    } else {
      this.len += (this.buf as Latin1Buffer).latin1Write(s, this.len, n);
    }
  }

  rawBytes(b: Buffer): void {
    const n = b.length;
    this.ensure(n);
    if (n < 32) {
      const d = this.buf;
      let o = this.len;
      for (let i = 0; i < n; i++) d[o++] = b[i];
      this.len = o;
    } else {
      b.copy(this.buf, this.len);
      this.len += n;
    }
  }

  private header(t: Buffer[], prefix: string, n: number): void {
    if (n >= 0 && n < SMALL) this.rawBytes(t[n]);
    else this.raw(`${prefix}${n}\r\n`);
  }

  /** +OK and friends. The text must hold no CR or LF. */
  simple(s: string): void {
    const n = s.length;
    this.ensure(n + 3);
    this.buf[this.len++] = 43; // '+'
    this.put(s, n);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  ok(): void {
    this.rawBytes(OK);
  }

  /**
   * An error reply. `msg` includes its code ("ERR ...", "WRONGTYPE ...");
   * CR and LF in it are replaced by spaces as Redis does.
   */
  error(msg: string): void {
    if (msg.indexOf('\r') >= 0 || msg.indexOf('\n') >= 0) msg = msg.replace(/[\r\n]/g, ' ');
    this.raw(`-${msg}\r\n`);
    if (this.onError !== null) this.onError(msg);
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < SMALL) this.rawBytes(INT_HDR[n]);
    else this.raw(`:${n}\r\n`);
  }

  /** An integer reply from its decimal text (when the caller already has it). */
  intText(s: string): void {
    const n = s.length;
    this.ensure(n + 3);
    this.buf[this.len++] = 58; // ':'
    this.put(s, n);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  bulk(s: string): void {
    const n = s.length;
    this.header(BULK_HDR, '$', n);
    this.ensure(n + 2);
    this.put(s, n);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  bulkBytes(data: Buffer, start = 0, end = data.length): void {
    const n = end - start;
    if (n < 64) {
      // small bulk (list elements, hash fields...): header and bytes copied in JS, one bounds check
      this.ensure(n + 8);
      const b = this.buf;
      let o = this.len;
      b[o++] = 36; // '$'
      if (n >= 10) b[o++] = 48 + ((n / 10) | 0);
      b[o++] = 48 + (n % 10);
      b[o++] = 13;
      b[o++] = 10;
      for (let i = start; i < end; i++) b[o++] = data[i];
      b[o++] = 13;
      b[o++] = 10;
      this.len = o;
      return;
    }
    this.header(BULK_HDR, '$', n);
    this.ensure(n + 2);
    data.copy(this.buf, this.len, start, end);
    this.len += n;
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  /** Integer as a bulk string (used where Redis replies with a number in a bulk). */
  bulkNumber(n: number): void {
    this.bulk(String(n));
  }

  /** The null that stands for a missing bulk string: $-1 in RESP2, _ in RESP3. */
  nullBulk(): void {
    this.rawBytes(this.resp === 2 ? NULL_BULK : NULL3);
  }

  /** The null that stands for a missing array: *-1 in RESP2, _ in RESP3. */
  nullArray(): void {
    this.rawBytes(this.resp === 2 ? NULL_ARRAY : NULL3);
  }

  arrayHeader(n: number): void {
    this.header(ARRAY_HDR, '*', n);
  }

  /** A map of n pairs: %n in RESP3, a flat array of 2n in RESP2. */
  mapHeader(n: number): void {
    if (this.resp === 3) this.header(MAP_HDR, '%', n);
    else this.header(ARRAY_HDR, '*', n * 2);
  }

  setHeader(n: number): void {
    if (this.resp === 3) this.header(SET_HDR, '~', n);
    else this.header(ARRAY_HDR, '*', n);
  }

  /** An out-of-band push (pub/sub messages, invalidations): > in RESP3, * in RESP2. */
  pushHeader(n: number): void {
    if (this.resp === 3) this.header(PUSH_HDR, '>', n);
    else this.header(ARRAY_HDR, '*', n);
  }

  /** An attribute map header (RESP3 only). */
  attributeHeader(n: number): void {
    this.raw(`|${n}\r\n`);
  }

  double(d: number): void {
    if (this.resp === 3) this.raw(`,${formatDouble(d)}\r\n`);
    else this.bulk(formatDouble(d));
  }

  /** A double already formatted as Redis formats it. */
  doubleString(s: string): void {
    if (this.resp === 3) this.raw(`,${s}\r\n`);
    else this.bulk(s);
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.int(b ? 1 : 0);
  }

  /** Verbatim text ("txt" format): =len\r\ntxt:...\r\n in RESP3, a bulk in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      this.raw(`=${s.length + 4}\r\n${format}:`);
      this.raw(s);
      this.raw('\r\n');
    } else {
      this.bulk(s);
    }
  }

  bigNumber(s: string): void {
    if (this.resp === 3) this.raw(`(${s}\r\n`);
    else this.bulk(s);
  }

  /** An array of bulk strings. */
  bulkArray(items: readonly string[]): void {
    this.arrayHeader(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]);
  }

  /** An empty array reply. */
  emptyArray(): void {
    this.rawBytes(ARRAY_HDR[0]);
  }
}

const OK = Buffer.from('+OK\r\n');
const NULL_BULK = Buffer.from('$-1\r\n');
const NULL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');
