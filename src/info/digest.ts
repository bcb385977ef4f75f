/*
 * DEBUG DIGEST / DIGEST-VALUE: Redis's SHA1-based signature of values and of
 * the whole dataset, computed the same way so that the hex strings equal
 * those of a Redis holding the same data.
 *
 * Two ways to fold data into a 20-byte digest:
 * - xor(d, data):  d ^= SHA1(data)              (order does not matter)
 * - mix(d, data):  d = SHA1(d ^ SHA1(data))     (order matters)
 * A value's digest starts with mix(type number, 4 bytes big-endian), then
 * its content: a string is mixed; list elements are mixed in order; set
 * members are xored; sorted-set and hash entries are each digested on
 * their own (member then "%.17g" score, or field then value, mixed from
 * zero) and xored in; a stream mixes "ms.seq" then each field and value.
 * A key with a TTL xors in "!!expire!!". The dataset digest mixes each
 * non-empty db's number, then xors in mix(key) followed by the value's
 * digest for every key; an empty dataset is 40 zeros.
 *
 * Types other than strings live in their own modules: they take part by
 * implementing `digestInto(d: ValueDigester)`. ValueDigester (what a type
 * is handed) is defined in types/object.ts, so that the types need nothing
 * from this module, and re-exported here.
 */
import { createHash } from 'crypto';
import type { Database } from '../keyspace/database';
import type { RedisValue } from '../keyspace/values';
import type { DigestData, ValueDigester } from '../types/object';
import { formatG17 } from '../util/numbers';

export type { DigestData, ValueDigester };

function toBuf(data: DigestData): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
}

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest();
}

export function xorDigest(digest: Buffer, data: DigestData): void {
  const h = sha1(toBuf(data));
  for (let i = 0; i < 20; i++) digest[i] ^= h[i];
}

export function mixDigest(digest: Buffer, data: DigestData): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

export interface DigestibleValue {
  digestInto(d: ValueDigester): void;
}

function isDigestible(v: unknown): v is DigestibleValue {
  return typeof (v as { digestInto?: unknown }).digestInto === 'function';
}

const TYPE_CODES: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

function digester(digest: Buffer): ValueDigester {
  return {
    mix: (data) => mixDigest(digest, data),
    xor: (data) => xorDigest(digest, data),
    xorParts: (...parts) => {
      const e = Buffer.alloc(20);
      for (const p of parts) mixDigest(e, p);
      xorDigest(digest, e);
    },
    score: (d) => formatG17(d),
  };
}

/** Fold a value (and whether its key has a TTL) into `digest` (Redis's xorObjectDigest). */
export function xorObjectDigest(digest: Buffer, value: RedisValue, hasExpire: boolean): void {
  const kind = typeof value === 'string' ? 'string' : value.kind;
  const aux = Buffer.alloc(4);
  aux.writeUInt32BE(TYPE_CODES[kind] ?? 5);
  mixDigest(digest, aux);
  if (typeof value === 'string') mixDigest(digest, value);
  else if (value.kind === 'string') mixDigest(digest, (value as unknown as { toString(): string }).toString());
  else if (isDigestible(value)) value.digestInto(digester(digest));
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

/** DEBUG DIGEST-VALUE of one key: 40 hex chars, zeros when the key does not exist. */
export function keyDigest(db: Database, key: string): string {
  const d = Buffer.alloc(20);
  const v = db.dict.get(key);
  if (v !== undefined) xorObjectDigest(d, v, db.expires.has(key));
  return d.toString('hex');
}

/** DEBUG DIGEST: the signature of every database's content. */
export function datasetDigest(dbs: readonly Database[]): string {
  const final = Buffer.alloc(20);
  const aux = Buffer.alloc(4);
  const d = Buffer.alloc(20);
  for (const db of dbs) {
    if (db.size === 0) continue;
    aux.writeUInt32BE(db.id);
    mixDigest(final, aux);
    db.dict.forEach((key, value) => {
      d.fill(0);
      mixDigest(d, key);
      xorObjectDigest(d, value, db.expires.size > 0 && db.expires.has(key));
      xorDigest(final, d);
    });
  }
  return final.toString('hex');
}
