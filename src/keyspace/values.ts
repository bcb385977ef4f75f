/*
 * The values a key can hold.
 *
 * - A string value is either a JS latin1 string (immutable: what SET, GET and
 *   INCR use; encoding int/embstr/raw follows from its content and length as
 *   in Redis's tryObjectEncoding) or a ByteString: a growable byte buffer for
 *   strings modified in place (APPEND, SETRANGE, SETBIT), which Redis reports
 *   as "raw".
 * - Every other type is an object implementing RedisObject, with its own
 *   module under src/types/. RedisObject and ValueKind are defined in
 *   types/object.ts (the types import nothing from the keyspace) and
 *   re-exported here.
 */

import type { RedisObject, ValueKind } from '../types/object';

export type { RedisObject, ValueKind };

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
export type RedisValue = string | RedisObject;

export function kindOf(v: RedisValue): ValueKind {
  return typeof v === 'string' ? 'string' : v.kind;
}

export function isStringValue(v: RedisValue): v is StringValue {
  return typeof v === 'string' || v.kind === 'string';
}

/** The bytes of a string value as a latin1 JS string. */
export function stringOf(v: StringValue): string {
  return typeof v === 'string' ? v : v.toString();
}

/** Length in bytes of a string value. */
export function stringLength(v: StringValue): number {
  return typeof v === 'string' ? v.length : v.len;
}

/** OBJECT ENCODING of a value, with Redis's rules for strings. */
export function encodingOf(v: RedisValue): string {
  if (typeof v !== 'string') return v.encoding();
  if (v.length <= 20 && isIntegerString(v)) return 'int';
  return v.length <= 44 ? 'embstr' : 'raw';
}

function isIntegerString(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const c0 = s.charCodeAt(i);
  if (c0 === 48) return n === 1;
  if (c0 < 49 || c0 > 57) return false;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n < 19) return true;
  const b = BigInt(s);
  return b <= 9223372036854775807n && b >= -9223372036854775808n;
}

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
