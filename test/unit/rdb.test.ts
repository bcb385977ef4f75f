/*
 * RDB codec (src/persistence/): the files and DUMP payloads Redis 7.0.15
 * wrote (../shared/fixtures) load with the right values and encodings, the
 * writer gives back Redis's exact bytes, LZF round-trips, and malformed
 * input of any kind gives an RdbError (never another exception or a hang).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { SHARED } from '../helpers/server';
import {
  loadRdb, readStreamRaw, rdbTypeDecoders, decodeDumpPayload, verifyDumpPayload, RdbError, RdbInput,
  RDB_TYPE_STREAM_LISTPACKS_2, type LoadLimits, type LoadedKey, type RawStream,
} from '../../src/persistence/rdb-reader';
import { dumpPayload, writeRdb } from '../../src/persistence/rdb-writer';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf';
import { encodingOf, type RedisValue, type RedisObject } from '../../src/keyspace/values';
import { Keyspace } from '../../src/keyspace/keyspace';
import type { HashValue } from '../../src/types/hash';
import type { SetValue } from '../../src/types/set';
import type { ZSet } from '../../src/types/zset';
import type { ListValue } from '../../src/types/list';
import { formatDouble } from '../../src/util/numbers';

const FIX = path.join(SHARED, 'fixtures', 'redis-7.0.15');
const ASSETS = path.join(SHARED, 'fixtures', 'redis-7.0.15-test-assets');

/** Redis 7.0's default thresholds. */
const LIMITS: LoadLimits = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  listMaxListpackSize: -2,
  listCompressDepth: 0,
};

interface FixtureKey {
  type: string;
  encoding: string;
  pexpireat: number;
  value: unknown;
}

/** A value in the fixture's JSON form. */
function plain(v: RedisValue): unknown {
  if (typeof v === 'string') return v;
  switch (v.kind) {
    case 'list':
      return (v as unknown as ListValue).toArray();
    case 'hash': {
      const o: Record<string, string> = {};
      (v as unknown as HashValue).forEach((f, x) => {
        o[f] = x;
      });
      return o;
    }
    case 'set':
      return (v as unknown as SetValue).members().sort();
    case 'zset': {
      const out: [string, string][] = [];
      (v as unknown as ZSet).forEach((m, s) => out.push([m, formatDouble(s)]));
      return out;
    }
    default:
      return null;
  }
}

function sortedObject(o: unknown): unknown {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
  return Object.fromEntries(Object.entries(o as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
}

class StreamStub implements RedisObject {
  readonly kind = 'stream' as const;
  constructor(readonly raw: RawStream) {}
  encoding(): string {
    return 'stream';
  }
}

function withStreamStub<T>(fn: () => T): T {
  const dec = (r: RdbInput, type: number) => new StreamStub(readStreamRaw(r, type));
  for (const t of [15, 19, 21]) rdbTypeDecoders.set(t, dec);
  try {
    return fn();
  } finally {
    for (const t of [15, 19, 21]) rdbTypeDecoders.delete(t);
  }
}

function loadAll(buf: Buffer): { keys: LoadedKey[]; functions: string[]; aux: Map<string, string> } {
  const keys: LoadedKey[] = [];
  const functions: string[] = [];
  const aux = new Map<string, string>();
  loadRdb(buf, {
    limits: LIMITS,
    databases: 16,
    checkCrc: true,
    onKey: (k) => keys.push(k),
    onFunction: (code) => functions.push(code),
    onAux: (k, v) => aux.set(k, v),
  });
  return { keys, functions, aux };
}

for (const file of ['all-types.rdb', 'all-types-uncompressed.rdb']) {
  test(`${file} loads with the values and encodings of all-types.json`, () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'all-types.json'), 'utf8')) as {
      databases: Record<string, Record<string, FixtureKey>>;
      functions: unknown[][];
    };
    const { keys, functions, aux } = withStreamStub(() => loadAll(fs.readFileSync(path.join(FIX, file))));
    assert.equal(aux.get('redis-ver'), '7.0.15');
    let count = 0;
    for (const [dbid, dbKeys] of Object.entries(expected.databases)) {
      for (const [key, want] of Object.entries(dbKeys)) {
        const got = keys.find((k) => k.db === Number(dbid) && k.key === key);
        assert.ok(got, `key ${key} in db ${dbid}`);
        count++;
        assert.equal(got.expireAt, want.pexpireat, key);
        // strings modified in place (SETBIT, PFADD) are "raw" on the server that wrote them; loading re-encodes them
        const enc = encodingOf(got.value);
        if (!(want.encoding === 'raw' && enc === 'embstr')) assert.equal(enc, want.encoding, key);
        if (want.type === 'stream') {
          const raw = (got.value as StreamStub).raw;
          const v = want.value as { entries: unknown[]; groups: unknown[][] };
          assert.equal(raw.length, v.entries.length);
          assert.equal(raw.groups.length, 1);
          assert.equal(raw.groups[0].name, 'grp');
          assert.equal(raw.groups[0].pel.length, 1);
          assert.equal(raw.groups[0].consumers[0].name, 'alice');
          continue;
        }
        const kind = typeof got.value === 'string' ? 'string' : got.value.kind;
        assert.equal(kind, want.type, key);
        if (key.startsWith('hll:')) {
          // bytes 8..15 of a HyperLogLog cache its cardinality, which PFCOUNT may have refreshed since the save
          assert.equal((got.value as string).slice(16), (want.value as string).slice(16), key);
          continue;
        }
        assert.deepEqual(sortedObject(plain(got.value)), sortedObject(want.value), key);
      }
    }
    assert.equal(keys.length, count);
    assert.deepEqual(functions, [expected.functions[0][7]]);
  });
}

test('a file with streams is refused while no stream decoder is registered', () => {
  assert.throws(() => loadAll(fs.readFileSync(path.join(FIX, 'all-types.rdb'))), RdbError);
});

test('every DUMP payload of Redis is accepted, and DUMP gives the same bytes back', () => {
  const payloads = JSON.parse(fs.readFileSync(path.join(FIX, 'dump-payloads.json'), 'utf8')) as Record<string, string>;
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'all-types.json'), 'utf8')).databases['0'] as Record<string, FixtureKey>;
  // hash tables: Redis writes them in its own dict order
  const unordered = new Set(['hash:big', 'set:bigints', 'set:strs']);
  for (const [key, b64] of Object.entries(payloads)) {
    const p = Buffer.from(b64, 'base64');
    assert.ok(verifyDumpPayload(p, false), key);
    if (key === 'stream') {
      assert.throws(() => decodeDumpPayload(p, LIMITS), RdbError);
      continue;
    }
    const v = decodeDumpPayload(p, LIMITS);
    assert.deepEqual(sortedObject(plain(v)), sortedObject(expected[key].value), key);
    const enc = encodingOf(v);
    if (!(expected[key].encoding === 'raw' && enc === 'embstr')) assert.equal(enc, expected[key].encoding, key);
    // the fixture's payloads were made with rdbcompression no
    const again = dumpPayload(v, false);
    if (unordered.has(key)) assert.deepEqual(sortedObject(plain(decodeDumpPayload(again, LIMITS))), sortedObject(plain(v)), key);
    else assert.equal(again.toString('hex'), p.toString('hex'), key);
  }
});

test('payload footer: wrong version or checksum is detected', () => {
  const p = dumpPayload('hello', true);
  assert.ok(verifyDumpPayload(p, false));
  const bad = Buffer.from(p);
  bad[bad.length - 1] ^= 1;
  assert.equal(verifyDumpPayload(bad, false), false);
  assert.equal(verifyDumpPayload(bad, true), true);
  const future = Buffer.from(p);
  future[future.length - 10] = 11;
  assert.equal(verifyDumpPayload(future, true), false);
  assert.equal(verifyDumpPayload(Buffer.from('short'), false), false);
});

test('older encodings from Redis test assets: zipmap, ziplist, intset, quicklist', () => {
  const load = (f: string) => loadAll(fs.readFileSync(path.join(ASSETS, f))).keys;
  const byKey = (keys: LoadedKey[]) => new Map(keys.map((k) => [k.key, k.value]));
  const zm = byKey(load('hash-zipmap.rdb'));
  assert.deepEqual(plain(zm.get('hash') as RedisValue), { f1: 'v1', f2: 'v2' });
  assert.equal(encodingOf(zm.get('hash') as RedisValue), 'listpack');
  const zl = byKey(load('hash-ziplist.rdb'));
  assert.deepEqual(plain(zl.get('hash') as RedisValue), { f1: 'v1', f2: 'v2' });
  const zz = byKey(load('zset-ziplist.rdb'));
  assert.deepEqual(plain(zz.get('zset') as RedisValue), [['one', '1'], ['two', '2']]);
  const ql = byKey(load('list-quicklist.rdb'));
  assert.deepEqual(plain(ql.get('list') as RedisValue), ['7']);
  assert.equal(ql.get('x'), '7');
  const enc = byKey(load('encodings.rdb'));
  assert.deepEqual(plain(enc.get('set_zipped_3') as RedisValue), ['1000000000', '2000000000', '3000000000', '4000000000', '5000000000', '6000000000']);
  assert.equal(encodingOf(enc.get('set_zipped_3') as RedisValue), 'intset');
  assert.deepEqual(plain(enc.get('list_zipped') as RedisValue), ['1', '2', '3', 'a', 'b', 'c', '100000', '6000000000']);
  assert.deepEqual(plain(enc.get('zset_zipped') as RedisValue), [['a', '1'], ['b', '2'], ['c', '3']]);
  assert.equal(enc.get('number'), '10');
  assert.equal(enc.size, 13);
});

test('empty collections are skipped and a corrupt ziplist is an error', () => {
  const skipped: string[] = [];
  loadRdb(fs.readFileSync(path.join(ASSETS, 'corrupt_empty_keys.rdb')), {
    limits: LIMITS, databases: 16, checkCrc: true, onKey: () => assert.fail('no key expected'), onEmptyKey: (k) => skipped.push(k),
  });
  assert.equal(skipped.length, 9);
  assert.throws(() => loadAll(fs.readFileSync(path.join(ASSETS, 'corrupt_ziplist.rdb'))), RdbError);
});

test('header: version 1..10 accepted, 11 refused, bad signature refused', () => {
  const eof = (ver: string) => Buffer.concat([Buffer.from(`REDIS${ver}`), Buffer.from([0xff]), Buffer.alloc(8)]);
  assert.equal(loadRdb(eof('0010'), { limits: LIMITS, databases: 16, checkCrc: true, onKey: () => {} }).version, 10);
  assert.equal(loadRdb(Buffer.concat([Buffer.from('REDIS0001'), Buffer.from([0xff])]), { limits: LIMITS, databases: 16, checkCrc: true, onKey: () => {} }).version, 1);
  assert.throws(() => loadRdb(eof('0011'), { limits: LIMITS, databases: 16, checkCrc: true, onKey: () => {} }), /Can't handle RDB format version/);
  assert.throws(() => loadRdb(Buffer.from('RODIS0010\xff'), { limits: LIMITS, databases: 16, checkCrc: true, onKey: () => {} }), /Wrong signature/);
});

test('writer round trip: a keyspace saved and loaded back is identical, with expiries', () => {
  const ks = new Keyspace(16);
  const db = ks.dbs[0];
  db.add('s', 'x'.repeat(100));
  db.add('n', '-123456');
  db.add('e', '');
  db.setExpire('s', 4102444800000);
  ks.dbs[5].add('k5', 'v5');
  const buf = writeRdb(ks, 0, { compress: true, functions: ['#!lua name=x\nreturn 1'] });
  const { keys, functions } = loadAll(buf);
  assert.deepEqual(keys.map((k) => [k.db, k.key, k.value, k.expireAt]).sort(), [
    [0, 'e', '', -1], [0, 'n', '-123456', -1], [0, 's', 'x'.repeat(100), 4102444800000], [5, 'k5', 'v5', -1],
  ].sort());
  assert.deepEqual(functions, ['#!lua name=x\nreturn 1']);
  // a checksum of 0 (rdbchecksum no) is not checked
  const nocrc = writeRdb(ks, 0, { checksum: false });
  assert.equal(loadRdb(nocrc, { limits: LIMITS, databases: 16, checkCrc: true, onKey: () => {} }).crcDisabled, true);
  const bad = Buffer.from(buf);
  bad[bad.length - 2] ^= 0x40;
  assert.throws(() => loadAll(bad), /RDB CRC error/);
});

test('LZF: round trips and refuses malformed input', () => {
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < 300; i++) {
    const n = 1 + (rnd() % 3000);
    const alphabet = 1 + (rnd() % 6);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = 97 + (rnd() % alphabet);
    const c = lzfCompress(b, n + 64);
    assert.ok(c !== null);
    assert.deepEqual(lzfDecompress(c, n), b);
    // wrong announced length, truncation
    assert.equal(lzfDecompress(c, n + 1), null);
    assert.equal(lzfDecompress(c.subarray(0, c.length - 1), n), null);
  }
  assert.equal(lzfCompress(Buffer.from('abcdefghijklmnopqrstuvwxyz'), 21), null);
  assert.equal(lzfDecompress(Buffer.from([0x20, 0x00]), 10), null); // back reference before the start
});

test('fuzz: mutated files and payloads only ever give RdbError', () => {
  const inputs = [
    fs.readFileSync(path.join(FIX, 'all-types.rdb')),
    fs.readFileSync(path.join(FIX, 'all-types-uncompressed.rdb')),
    fs.readFileSync(path.join(ASSETS, 'encodings.rdb')),
    ...Object.values(JSON.parse(fs.readFileSync(path.join(FIX, 'dump-payloads.json'), 'utf8')) as Record<string, string>).map((b) => Buffer.from(b, 'base64')),
  ];
  let seed = 777;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  const started = Date.now();
  let runs = 0;
  withStreamStub(() => {
    for (let round = 0; round < 3000; round++) {
      const src = inputs[rnd() % inputs.length];
      const b = Buffer.from(src);
      const edits = 1 + (rnd() % 4);
      for (let e = 0; e < edits; e++) b[rnd() % b.length] = rnd() & 0xff;
      const cut = rnd() % 4 === 0 ? b.subarray(0, rnd() % b.length) : b;
      const isFile = cut.length >= 5 && cut.toString('latin1', 0, 5) === 'REDIS';
      try {
        if (isFile) loadRdb(cut, { limits: LIMITS, databases: 16, checkCrc: false, onKey: () => {}, onFunction: () => {} });
        else if (cut.length >= 10) decodeDumpPayload(cut, LIMITS);
      } catch (err) {
        if (!(err instanceof RdbError)) throw new Error(`round ${round}: ${(err as Error).stack}`);
      }
      runs++;
    }
  });
  assert.equal(runs, 3000);
  assert.ok(Date.now() - started < 60000);
});

test('registered decoders take over unknown type bytes', () => {
  const payload = dumpPayload('x', false);
  payload[0] = RDB_TYPE_STREAM_LISTPACKS_2;
  assert.throws(() => decodeDumpPayload(payload, LIMITS), /Stream values are not supported yet/);
  rdbTypeDecoders.set(RDB_TYPE_STREAM_LISTPACKS_2, (r) => r.string());
  try {
    assert.equal(decodeDumpPayload(payload, LIMITS), 'x');
  } finally {
    rdbTypeDecoders.delete(RDB_TYPE_STREAM_LISTPACKS_2);
  }
});
