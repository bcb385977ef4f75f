/*
 * The values a key can hold.
 *
 * - A string value is either a JS latin1 string (immutable: what SET, GET and
 *   INCR use; encoding int/embstr/raw follows from its content and length as
 *   in Redis's tryObjectEncoding) or a ByteString: a growable byte buffer for
 *   strings modified in place (APPEND, SETRANGE, SETBIT), which Redis reports
 *   as "raw" (types/bytestring.ts).
 * - Every other type is an object implementing RedisObject, with its own
 *   module under src/types/.
 * RedisObject, ValueKind, ByteString and StringValue are defined in
 * src/types/ (the types import nothing from the keyspace) and re-exported
 * here, with the keyspace's helpers over values.
 */

import type { RedisObject, ValueKind } from '../types/object';
import type { StringValue } from '../types/bytestring';

export type { RedisObject, ValueKind, StringValue };
export { ByteString } from '../types/bytestring';

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
