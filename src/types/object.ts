/*
 * The contract between a value type (list, set, zset, hash, stream, and the
 * mutable string ByteString) and the rest of the server, defined here so
 * that the types depend on nothing outside src/types/ and src/util/
 * (issue #12): the keyspace re-exports RedisObject and ValueKind
 * (keyspace/values.ts), DEBUG DIGEST re-exports ValueDigester
 * (info/digest.ts) and hands one to each value's digestInto().
 *
 * Type-only: nothing here exists at run time.
 */

export type ValueKind = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface RedisObject {
  readonly kind: ValueKind;
  /** OBJECT ENCODING name */
  encoding(): string;
  /**
   * A deep, independent copy (COPY). Each type implements it; a type
   * without it cannot be copied yet.
   */
  dup?(): RedisObject;
}

/** Bytes fed to a digest: a latin1 string (one char per byte) or a Buffer. */
export type DigestData = string | Buffer;

/** What a value's own digest routine (digestInto) gets. */
export interface ValueDigester {
  /** order-dependent: list elements, stream entries */
  mix(data: DigestData): void;
  /** order-independent: set members */
  xor(data: DigestData): void;
  /** one element made of parts (hash field+value, zset member+score): digested alone, then xored in */
  xorParts(...parts: DigestData[]): void;
  /** a zset score as Redis writes it for the digest ("%.17g") */
  score(d: number): string;
}
