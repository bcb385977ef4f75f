/*
 * ByteString: a mutable string value, a growable byte buffer for strings
 * modified in place (APPEND, SETRANGE, SETBIT), which Redis reports as
 * "raw"; StringValue: a string value in either form (an immutable latin1 JS
 * string, or a ByteString). Re-exported by keyspace/values.ts.
 *
 * Invariants: the content is buf[0, len); buf.length (the capacity) >= len
 * and >= 16; growth follows sdsMakeRoomFor (double below 1 MB, then add
 * 1 MB), and new space up to the requested length is zero-filled.
 */
import type { RedisObject } from './object';

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** A mutable string value ("raw" encoding). */
export class ByteString implements RedisObject {
  readonly kind = 'string' as const;
  buf: Buffer;
  len: number;

  constructor(initial: string | Buffer, capacity = 0) {
    if (typeof initial === 'string') {
      this.len = initial.length;
      this.buf = Buffer.allocUnsafe(Math.max(capacity, this.len, 16));
      this.buf.write(initial, 0, 'latin1');
    } else {
      this.len = initial.length;
      this.buf = Buffer.allocUnsafe(Math.max(capacity, this.len, 16));
      initial.copy(this.buf);
    }
  }

  encoding(): string {
    return 'raw';
  }

  dup(): ByteString {
    return new ByteString(this.buf.subarray(0, this.len));
  }

  /** Make room for at least n bytes, zero-filling new space up to n. */
  ensureLength(n: number): void {
    if (n > this.buf.length) {
      let cap = this.buf.length * 2;
      if (cap < n) cap = n;
      // like sdsMakeRoomFor: double below 1 MB, then add 1 MB
      if (n >= 1024 * 1024) cap = n + 1024 * 1024;
      const nb = Buffer.allocUnsafe(cap);
      this.buf.copy(nb, 0, 0, this.len);
      this.buf = nb;
    }
    if (n > this.len) {
      this.buf.fill(0, this.len, n);
      this.len = n;
    }
  }

  append(s: string): void {
    const start = this.len;
    this.ensureLength(start + s.length);
    this.buf.write(s, start, 'latin1');
  }

  toString(): string {
    return (this.buf as Latin1Buffer).latin1Slice(0, this.len);
  }
}

export type StringValue = string | ByteString;
