/*
 * Keyspace commands run in-process against a Server (no socket), to check
 * what is not visible from a client without other command families: TTLs
 * carried by RENAME/MOVE/COPY, lazy expiry in DEL/EXISTS/KEYS/SCAN/
 * RANDOMKEY, keyspace notifications, modified-key signals (WATCH) and the
 * dirty counter.
 */
import { test, beforeEach, after } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Server } from '../../src/server/server';
import { composeServer } from '../../src/compose';
import { Client } from '../../src/server/client';
import { loadConfig } from '../../src/config/config';
import { executeCommand } from '../../src/server/dispatch';
import { ByteString } from '../../src/keyspace/values';
import { NOTIFY_ALL, NOTIFY_KEY_MISS } from '../../src/keyspace/notify-flags';

let server: Server;
let c: Client;
let events: string[];
let modified: string[];

const servers: Server[] = [];

function fresh(args: string[] = []): void {
  server = composeServer(loadConfig(args));
  servers.push(server);
  c = new Client(server, null, 1, server.keyspace.dbs[0], 'test:0', 'test:0', -1);
  events = [];
  modified = [];
  server.keyspace.notifyFlags = NOTIFY_ALL | NOTIFY_KEY_MISS;
  server.keyspace.onNotify((_t, event, key, dbid) => events.push(`${event}:${key}@${dbid}`));
  server.keyspace.onModified((db, key) => modified.push(`${key}@${db.id}`));
}

function r(...argv: string[]): string {
  executeCommand(server, c, argv);
  return c.reply.take().toString('latin1');
}

/** Give a key a TTL directly (EXPIRE lives in another family). */
function expireAt(key: string, whenMs: number, dbid = c.db.id): void {
  server.keyspace.dbs[dbid].setExpire(key, whenMs);
}

function clearLogs(): void {
  events.length = 0;
  modified.length = 0;
}

beforeEach(() => fresh());
after(async () => {
  for (const s of servers) await s.close();
});

test('DEL: counts deleted keys, notifies del, signals and dirties per key; expired keys do not count', () => {
  r('SET', 'a', '1');
  r('SET', 'b', '1');
  r('SET', 'gone', '1');
  expireAt('gone', Date.now() - 10);
  const dirty = server.keyspace.dirty;
  clearLogs();
  assert.equal(r('DEL', 'a', 'b', 'a', 'gone', 'none'), ':2\r\n');
  assert.deepEqual(events, ['del:a@0', 'del:b@0', 'expired:gone@0']);
  assert.ok(modified.includes('a@0') && modified.includes('b@0') && modified.includes('gone@0'));
  assert.equal(server.keyspace.dirty, dirty + 2);
  assert.equal(server.keyspace.stats.expiredKeys, 1);
  assert.equal(r('UNLINK', 'x'), ':0\r\n');
});

test('EXISTS counts duplicates and misses expired keys; TYPE and TOUCH too', () => {
  r('SET', 'a', '1');
  r('SET', 'old', '1');
  expireAt('old', Date.now() - 1);
  clearLogs();
  assert.equal(r('EXISTS', 'a', 'a', 'old', 'nx'), ':2\r\n');
  assert.deepEqual(events, ['expired:old@0', 'keymiss:old@0', 'keymiss:nx@0']);
  assert.equal(r('TYPE', 'a'), '+string\r\n');
  assert.equal(r('TYPE', 'old'), '+none\r\n');
  assert.equal(r('TOUCH', 'a', 'old', 'a'), ':2\r\n');
});

test('KEYS filters out logically expired keys without deleting them; SCAN deletes them', () => {
  r('SET', 'k1', 'v');
  r('SET', 'k2', 'v');
  expireAt('k2', Date.now() - 1);
  clearLogs();
  assert.equal(r('KEYS', '*'), '*1\r\n$2\r\nk1\r\n');
  assert.equal(r('DBSIZE'), ':2\r\n', 'KEYS leaves the expired key in place');
  assert.equal(events.length, 0);
  assert.equal(r('SCAN', '0', 'COUNT', '100'), '*2\r\n$1\r\n0\r\n*1\r\n$2\r\nk1\r\n');
  assert.deepEqual(events, ['expired:k2@0']);
  assert.equal(r('DBSIZE'), ':1\r\n');
});

test('SCAN applies MATCH before the expiry check, and TYPE through a read lookup', () => {
  r('SET', 'a1', 'v');
  r('SET', 'b1', 'v');
  expireAt('b1', Date.now() - 1);
  const hits = server.keyspace.stats.keyspaceHits;
  clearLogs();
  assert.equal(r('SCAN', '0', 'MATCH', 'a*', 'COUNT', '100'), '*2\r\n$1\r\n0\r\n*1\r\n$2\r\na1\r\n');
  assert.equal(events.length, 0, 'b1 did not match: it was not looked at');
  assert.equal(r('SCAN', '0', 'TYPE', 'string', 'COUNT', '100'), '*2\r\n$1\r\n0\r\n*1\r\n$2\r\na1\r\n');
  assert.ok(events.includes('expired:b1@0'));
  assert.ok(server.keyspace.stats.keyspaceHits > hits, 'TYPE filtering counts as a read');
});

test('RANDOMKEY skips and deletes expired keys, and returns null once all are gone', () => {
  for (let i = 0; i < 50; i++) {
    r('SET', `v${i}`, 'x');
    expireAt(`v${i}`, Date.now() - 1);
  }
  r('SET', 'live', 'x');
  assert.equal(r('RANDOMKEY'), '$4\r\nlive\r\n');
  r('DEL', 'live');
  for (let i = 0; i < 50; i++) {
    r('SET', `v${i}`, 'x');
    expireAt(`v${i}`, Date.now() - 1);
  }
  assert.equal(r('RANDOMKEY'), '$-1\r\n');
  assert.equal(r('DBSIZE'), ':0\r\n');
});

test('RANDOMKEY does not loop forever on a replica whose keys are all expired', () => {
  server.keyspace.isReplica = true;
  for (let i = 0; i < 20; i++) {
    r('SET', `v${i}`, 'x');
    expireAt(`v${i}`, Date.now() - 1);
  }
  const reply = r('RANDOMKEY');
  assert.match(reply, /^\$\d+\r\nv\d+\r\n$/);
  assert.equal(r('DBSIZE'), ':20\r\n', 'a replica waits for its primary to delete');
});

test('RENAME moves the TTL, does not inherit the target TTL, notifies rename_from/rename_to', () => {
  r('SET', 'src', 'v');
  const when = Date.now() + 100000;
  expireAt('src', when);
  clearLogs();
  assert.equal(r('RENAME', 'src', 'dst'), '+OK\r\n');
  assert.equal(c.db.getExpire('dst'), when);
  assert.equal(c.db.getExpire('src'), -1);
  assert.deepEqual(events, ['rename_from:src@0', 'rename_to:dst@0']);
  assert.ok(modified.includes('src@0') && modified.includes('dst@0'));
  r('SET', 'plain', 'p');
  assert.equal(r('RENAME', 'plain', 'dst'), '+OK\r\n');
  assert.equal(c.db.getExpire('dst'), -1);
  assert.equal(r('GET', 'dst'), '$1\r\np\r\n');
});

test('RENAME of an expired source is "no such key"; an expired target counts as absent for RENAMENX', () => {
  r('SET', 'a', '1');
  expireAt('a', Date.now() - 1);
  assert.equal(r('RENAME', 'a', 'b'), '-ERR no such key\r\n');
  r('SET', 'a', '1');
  r('SET', 'b', '2');
  expireAt('b', Date.now() - 1);
  assert.equal(r('RENAMENX', 'a', 'b'), ':1\r\n');
  assert.equal(r('GET', 'b'), '$1\r\n1\r\n');
});

test('RENAME keeps the access clock of the value', () => {
  r('SET', 'a', '1');
  const db = c.db;
  db.dict.setClockAt(db.dict.find('a'), 77);
  // the write lookup of RENAME touches the source first, as in Redis
  r('RENAME', 'a', 'b');
  const clock = db.dict.clockAt(db.dict.find('b'));
  assert.ok(clock !== 77 && clock > 0);
});

test('MOVE carries the TTL and notifies move_from/move_to with each database', () => {
  r('SET', 'k', 'v');
  const when = Date.now() + 50000;
  expireAt('k', when);
  clearLogs();
  const dirty = server.keyspace.dirty;
  assert.equal(r('MOVE', 'k', '3'), ':1\r\n');
  assert.deepEqual(events, ['move_from:k@0', 'move_to:k@3']);
  assert.ok(modified.includes('k@0') && modified.includes('k@3'));
  assert.equal(server.keyspace.dbs[3].getExpire('k'), when);
  assert.equal(server.keyspace.dirty, dirty + 1);
  // an expired key in the target does not block the move
  r('SET', 'k', 'again');
  expireAt('k', Date.now() - 1, 3);
  assert.equal(r('MOVE', 'k', '3'), ':1\r\n');
  assert.equal(server.keyspace.dbs[3].getExpire('k'), -1);
});

test('COPY carries the TTL, notifies copy_to in the target database, REPLACE deletes silently', () => {
  r('SET', 'k', 'v');
  const when = Date.now() + 50000;
  expireAt('k', when);
  r('SELECT', '2');
  r('SET', 'n', 'old');
  r('SELECT', '0');
  clearLogs();
  assert.equal(r('COPY', 'k', 'n', 'DB', '2'), ':0\r\n');
  assert.equal(r('COPY', 'k', 'n', 'DB', '2', 'REPLACE'), ':1\r\n');
  assert.deepEqual(events, ['copy_to:n@2']);
  assert.equal(server.keyspace.dbs[2].getExpire('n'), when);
  assert.equal(c.db.getExpire('k'), when);
  // COPY reads the source with a read lookup: a miss is a keymiss
  clearLogs();
  assert.equal(r('COPY', 'nokey', 'x'), ':0\r\n');
  assert.deepEqual(events, ['keymiss:nokey@0']);
});

test('COPY of a modified-in-place string gives an independent value', () => {
  c.db.setKey('raw', new ByteString('hello'));
  assert.equal(r('COPY', 'raw', 'copy'), ':1\r\n');
  const orig = c.db.dict.get('raw') as ByteString;
  orig.append(' world');
  assert.equal(r('GET', 'raw'), '$11\r\nhello world\r\n');
  assert.equal(r('GET', 'copy'), '$5\r\nhello\r\n');
  assert.equal(r('OBJECT', 'ENCODING', 'copy'), '$3\r\nraw\r\n');
});

test('COPY of a type that cannot be copied yet answers an error instead of crashing', () => {
  c.db.setKey('obj', { kind: 'list', encoding: () => 'quicklist' });
  assert.equal(r('COPY', 'obj', 'x'), '-ERR unknown type object\r\n');
  assert.equal(r('TYPE', 'obj'), '+list\r\n');
  assert.equal(r('SCAN', '0', 'TYPE', 'LIST'), '*2\r\n$1\r\n0\r\n*1\r\n$3\r\nobj\r\n');
});

test('SWAPDB and FLUSHDB/FLUSHALL: dirty and signals', () => {
  r('SET', 'a', '1');
  r('SET', 'b', '1');
  r('SELECT', '1');
  r('SET', 'c', '1');
  r('SELECT', '0');
  const flushed: number[] = [];
  server.keyspace.onFlush((id) => flushed.push(id));
  let dirty = server.keyspace.dirty;
  assert.equal(r('SWAPDB', '0', '1'), '+OK\r\n');
  assert.equal(server.keyspace.dirty, dirty + 1);
  assert.deepEqual(flushed, [0, 1]);
  assert.equal(r('DBSIZE'), ':1\r\n');
  assert.equal(r('SWAPDB', '1', '1'), '+OK\r\n');
  // without save points (with them FLUSHALL saves the empty dataset and the counter restarts at 0)
  r('CONFIG', 'SET', 'save', '');
  dirty = server.keyspace.dirty;
  clearLogs();
  assert.equal(r('FLUSHALL'), '+OK\r\n');
  assert.equal(server.keyspace.dirty, dirty + 3);
  assert.deepEqual(modified.sort(), ['a@1', 'b@1', 'c@0']);
  assert.equal(events.length, 0, 'flushing sends no keyspace events');
  r('SET', 'x', '1');
  dirty = server.keyspace.dirty;
  assert.equal(r('FLUSHDB', 'ASYNC'), '+OK\r\n');
  assert.equal(server.keyspace.dirty, dirty + 1);
});

test('OBJECT lookups count hits and misses but send no keymiss event and do not touch', () => {
  r('SET', 'k', 'v');
  const db = c.db;
  db.dict.setClockAt(db.dict.find('k'), 5);
  const { keyspaceHits, keyspaceMisses } = server.keyspace.stats;
  clearLogs();
  assert.equal(r('OBJECT', 'ENCODING', 'k'), '$6\r\nembstr\r\n');
  assert.equal(r('OBJECT', 'ENCODING', 'missing'), '$-1\r\n');
  assert.equal(events.length, 0);
  assert.equal(server.keyspace.stats.keyspaceHits, keyspaceHits + 1);
  assert.equal(server.keyspace.stats.keyspaceMisses, keyspaceMisses + 1);
  assert.equal(db.dict.clockAt(db.dict.find('k')), 5);
});

test('OBJECT IDLETIME is computed from the access clock', () => {
  r('SET', 'k', 'v');
  const db = c.db;
  const nowSec = Math.floor(Date.now() / 1000) & 0xffffff;
  db.dict.setClockAt(db.dict.find('k'), nowSec - 100);
  const idle = Number(r('OBJECT', 'IDLETIME', 'k').slice(1, -2));
  assert.ok(idle >= 100 && idle <= 102, `idle ${idle}`);
  r('GET', 'k');
  assert.equal(r('OBJECT', 'IDLETIME', 'k'), ':0\r\n');
});

test('OBJECT FREQ and IDLETIME follow maxmemory-policy', () => {
  fresh(['--maxmemory-policy', 'allkeys-lfu']);
  r('SET', 'k', 'v');
  assert.equal(r('OBJECT', 'FREQ', 'k'), ':5\r\n', 'a new key starts at LFU_INIT_VAL');
  for (let i = 0; i < 200; i++) r('GET', 'k');
  const freq = Number(r('OBJECT', 'FREQ', 'k').slice(1, -2));
  assert.ok(freq > 5, `freq ${freq}`);
  assert.match(r('OBJECT', 'IDLETIME', 'k'), /^-ERR An LFU maxmemory policy is selected, idle time not tracked\./);
  fresh(['--maxmemory-policy', 'volatile-lru']);
  r('SET', 'k', 'v');
  assert.match(r('OBJECT', 'FREQ', 'k'), /^-ERR An LFU maxmemory policy is not selected, access frequency not tracked\./);
});

test('OBJECT REFCOUNT: shared integers unless an LRU/LFU policy with a maxmemory limit', () => {
  r('SET', 'n', '9999');
  r('SET', 'm', '10000');
  r('SET', 'neg', '-1');
  c.db.setKey('raw', new ByteString('5'));
  assert.equal(r('OBJECT', 'REFCOUNT', 'n'), ':2147483647\r\n');
  assert.equal(r('OBJECT', 'REFCOUNT', 'm'), ':1\r\n');
  assert.equal(r('OBJECT', 'REFCOUNT', 'neg'), ':1\r\n');
  assert.equal(r('OBJECT', 'REFCOUNT', 'raw'), ':1\r\n');
  fresh(['--maxmemory-policy', 'allkeys-lru', '--maxmemory', '100mb']);
  r('SET', 'n', '5');
  assert.equal(r('OBJECT', 'REFCOUNT', 'n'), ':1\r\n');
  fresh(['--maxmemory-policy', 'allkeys-lru']);
  r('SET', 'n', '5');
  assert.equal(r('OBJECT', 'REFCOUNT', 'n'), ':2147483647\r\n', 'no limit: sharing stays on');
});

test('RESP3: missing keys give the RESP3 null', () => {
  c.reply.resp = 3;
  assert.equal(r('OBJECT', 'ENCODING', 'nokey'), '_\r\n');
  assert.equal(r('RANDOMKEY'), '_\r\n');
});
