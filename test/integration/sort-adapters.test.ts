/*
 * SORT driven in-process over stand-in list, set, sorted set and hash
 * values that implement only the adapter methods documented in
 * src/commands/sort.ts (toArray, get, convertToSkiplist). Every expected
 * reply was produced by redis-server 7.0.15 from the same data (lists by
 * RPUSH, sets by SADD in the stand-in's order where order matters, sorted
 * sets by ZADD, hashes by HSET). Also: STORE's stored list, notifications
 * and dirty count, and strtod's rules for numeric scores.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { NOTIFY_ALL, NOTIFY_NEW, NOTIFY_KEYEVENT } from '../../src/keyspace/notify-flags';
import type { RedisObject, ValueKind } from '../../src/keyspace/values';
import { sortScore, type SortableValue } from '../../src/commands/sort';
import { inProcess, recordEffects } from '../helpers/inprocess';

class Seq implements SortableValue {
  readonly kind: ValueKind;
  readonly items: string[];
  converted = false;
  constructor(kind: ValueKind, items: string[]) {
    this.kind = kind;
    this.items = items;
  }
  encoding(): string {
    return this.kind === 'list' ? 'quicklist' : 'hashtable';
  }
  toArray(): string[] {
    return this.items.slice();
  }
  convertToSkiplist(): void {
    this.converted = true;
  }
}

class Hash implements RedisObject {
  readonly kind = 'hash' as const;
  readonly fields: Map<string, string>;
  constructor(pairs: [string, string][]) {
    this.fields = new Map(pairs);
  }
  encoding(): string {
    return 'listpack';
  }
  get(field: string): string | undefined {
    return this.fields.get(field);
  }
}

function zset(pairs: [number, string][]): Seq {
  const sorted = pairs.slice().sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  return new Seq('zset', sorted.map((p) => p[1]));
}

function setup() {
  const { server, c, run } = inProcess();
  const { events } = recordEffects(server, NOTIFY_ALL | NOTIFY_NEW | NOTIFY_KEYEVENT);
  const db = server.keyspace.dbs[0];
  db.setKey('l', new Seq('list', ['3', '1', '2', '10']));
  db.setKey('w_3', '30');
  db.setKey('w_1', '10');
  db.setKey('w_2', '30');
  db.setKey('h_1', new Hash([['f', '5']]));
  db.setKey('h_10', new Hash([['f', '-1']]));
  db.setKey('h_3', new Hash([['f', '2.5']]));
  db.setKey('h_2', 'notahash');
  db.setKey('a_3', 'b');
  db.setKey('a_1', 'a');
  db.setKey('z', zset([[1, 'a'], [5, 'b'], [2, 'c'], [10, 'd'], [3, 'e']]));
  db.setKey('s', new Seq('set', ['b', 'c', 'a', '10', '2']));
  events.length = 0;
  return { server, c, run, db, events };
}

/** RESP2 array of bulk strings (null for nil). */
function arr(...items: (string | null)[]): string {
  return `*${items.length}\r\n` + items.map((s) => (s === null ? '$-1\r\n' : `$${s.length}\r\n${s}\r\n`)).join('');
}
const SCORES = "-ERR One or more scores can't be converted into double\r\n";

test('SORT of a list: numeric, DESC, ALPHA, LIMIT', () => {
  const { run } = setup();
  assert.equal(run('SORT', 'l'), arr('1', '2', '3', '10'));
  assert.equal(run('SORT', 'l', 'DESC'), arr('10', '3', '2', '1'));
  assert.equal(run('SORT', 'l', 'ALPHA'), arr('1', '10', '2', '3'));
  assert.equal(run('SORT', 'l', 'LIMIT', '1', '2'), arr('2', '3'));
  assert.equal(run('SORT', 'l', 'LIMIT', '-5', '2'), arr('1', '2'));
  assert.equal(run('SORT', 'l', 'LIMIT', '10', '10'), '*0\r\n');
  assert.equal(run('SORT', 'l', 'LIMIT', '0', '-1', 'DESC'), arr('10', '3', '2', '1'));
  assert.equal(run('SORT', 'l', 'LIMIT', '2', '0'), '*0\r\n');
  assert.equal(run('SORT_RO', 'l', 'desc', 'asc', 'limit', '0', '3'), arr('1', '2', '3'));
});

test('SORT BY keys and hash fields, GET patterns', () => {
  const { run } = setup();
  assert.equal(run('SORT', 'l', 'BY', 'w_*'), arr('10', '1', '2', '3'));
  assert.equal(run('SORT', 'l', 'BY', 'w_*', 'DESC'), arr('3', '2', '1', '10'));
  assert.equal(run('SORT', 'l', 'BY', 'h_*->f'), arr('10', '2', '3', '1'));
  assert.equal(run('SORT', 'l', 'BY', 'h_*->f', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->f', 'GET', 'nope_*', 'GET', 'const'),
    arr('10', null, '-1', null, null, '2', '30', null, null, null, '3', '30', '2.5', null, null, '1', '10', '5', null, null));
  assert.equal(run('SORT', 'l', 'BY', 'w_*', 'ALPHA'), arr('10', '1', '3', '2'));
  // ALPHA BY: missing keys first
  assert.equal(run('SORT', 'l', 'BY', 'a_*', 'ALPHA'), arr('2', '10', '1', '3'));
  assert.equal(run('SORT', 'l', 'BY', 'a_*', 'ALPHA', 'DESC'), arr('3', '1', '2', '10'));
  // a pattern ending in "->" names a key, not a field
  assert.equal(run('SORT', 'l', 'BY', 'w_*->'), arr('1', '10', '2', '3'));
  assert.equal(run('SET', 'x:a->', '100'), '+OK\r\n');
  assert.equal(run('RENAME', 'l', 'l2'), '+OK\r\n');
  assert.equal(run('SET', 'w_1', 'zz'), '+OK\r\n');
  assert.equal(run('SORT', 'l2', 'BY', 'w_*'), SCORES);
  assert.equal(run('SORT', 'l2', 'BY', 'w_*', 'ALPHA', 'LIMIT', '0', '1'), arr('10'));
});

test('SORT BY nosort keeps the native order of lists and sorted sets', () => {
  const { run, db } = setup();
  assert.equal(run('SORT', 'l', 'BY', 'nosort'), arr('3', '1', '2', '10'));
  assert.equal(run('SORT', 'l', 'BY', 'nosort', 'DESC'), arr('10', '2', '1', '3'));
  assert.equal(run('SORT', 'l', 'BY', 'nosort', 'LIMIT', '1', '2'), arr('1', '2'));
  assert.equal(run('SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'), arr('2', '1'));
  assert.equal(run('SORT', 'l', 'BY', 'nosort', 'LIMIT', '3', '5'), arr('10'));
  // once "nosort" is seen a later BY pattern does not sort
  assert.equal(run('SORT', 'l', 'BY', 'nosort', 'BY', 'w_*'), arr('3', '1', '2', '10'));
  assert.equal(run('SORT', 'z', 'ALPHA', 'DESC'), arr('e', 'd', 'c', 'b', 'a'));
  assert.equal((db.peek('z') as Seq).converted, true);
  assert.equal(run('SORT', 'z', 'BY', 'nosort'), arr('a', 'c', 'e', 'b', 'd'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'DESC'), arr('d', 'b', 'e', 'c', 'a'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'), arr('b', 'e'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'LIMIT', '-10', '100'), arr('a', 'c', 'e', 'b', 'd'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'LIMIT', '5', '10'), '*0\r\n');
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'ASC', 'LIMIT', '0', '1'), arr('a'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '1'), arr('d'));
  // a set has no order: BY nosort without STORE gives its iteration order
  assert.equal(run('SORT', 's', 'BY', 'nosort', 'LIMIT', '1', '2'), arr('c', 'a'));
});

test('SORT of a set; numeric errors', () => {
  const { run, db } = setup();
  assert.equal(run('SORT', 's', 'ALPHA'), arr('10', '2', 'a', 'b', 'c'));
  assert.equal(run('SORT', 's'), SCORES);
  db.setKey('bad', new Seq('list', ['1', '2', 'x']));
  assert.equal(run('SORT', 'bad'), SCORES);
  assert.equal(run('SORT', 'bad', 'ALPHA'), arr('1', '2', 'x'));
  assert.equal(run('SORT', 'bad', 'BY', 'nosort'), arr('1', '2', 'x'));
  assert.equal(run('SORT', 'bad', 'STORE', 'dst'), SCORES);
  assert.equal(db.exists('dst'), false);
  db.setKey('h', new Hash([['f', '1']]));
  assert.equal(run('SORT', 'h'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
});

test('SORT numeric scores follow strtod', () => {
  const { run, db } = setup();
  db.setKey('m', new Seq('list', ['', ' 1', '0x10', 'inf', '-infinity', '+.5', '1e5', '0x1p3', '-0x10']));
  assert.equal(run('SORT', 'm'), arr('-infinity', '-0x10', '', '+.5', ' 1', '0x1p3', '0x10', '1e5', 'inf'));
  assert.equal(run('SORT', 'm', 'DESC'), arr('inf', '1e5', '0x10', '0x1p3', ' 1', '+.5', '', '-0x10', '-infinity'));
  db.setKey('fl', new Seq('list', ['1.1', '5.10', '3.10', '7.44', '2.1', '5.75', '6.12', '0.25', '1.15', '1.10']));
  assert.equal(run('SORT', 'fl'), arr('0.25', '1.1', '1.10', '1.15', '2.1', '3.10', '5.10', '5.75', '6.12', '7.44'));
  for (const bad of ['1 ', ' ', 'nan', '1e400', '1e-310', '1e-400', 'x', '1e', '0x']) {
    db.setKey('b', new Seq('list', [bad, '2']));
    assert.equal(run('SORT', 'b'), SCORES, JSON.stringify(bad));
  }
  assert.equal(sortScore(''), 0);
  assert.equal(sortScore('\t\n 42'), 42);
  assert.equal(sortScore('3\0junk'), 3);
  assert.equal(sortScore('-0x1.8p1'), -3);
  assert.equal(sortScore('INFINITY'), Infinity);
  assert.equal(sortScore('1e-300'), 1e-300);
  assert.equal(sortScore('0e-999'), 0);
  // glibc's strtod flags underflow only when the denormal result is inexact
  assert.equal(sortScore('0x1p-1074'), 5e-324);
  assert.equal(sortScore('0x3p-1074'), 1.5e-323);
  assert.equal(sortScore('0x1p-1075'), null);
  assert.equal(sortScore('4.9e-324'), null);
});

test('SORT ... STORE writes a list, counts changes, notifies, deletes on empty', () => {
  const { run, db, server, events } = setup();
  const d0 = server.keyspace.dirty;
  assert.equal(run('SORT', 's', 'BY', 'nosort', 'STORE', 'dst'), ':5\r\n');
  assert.deepEqual((db.peek('dst') as unknown as SortableValue).toArray(), ['10', '2', 'a', 'b', 'c']);
  assert.equal(run('OBJECT', 'ENCODING', 'dst'), '$9\r\nquicklist\r\n');
  assert.equal(run('TYPE', 'dst'), '+list\r\n');
  assert.deepEqual(events.splice(0), ['new:dst', 'sortstore:dst']);
  assert.equal(server.keyspace.dirty - d0, 5);
  assert.equal(run('SORT', 'l', 'STORE', 'dst', 'GET', '#', 'GET', 'nope_*'), ':8\r\n');
  assert.deepEqual((db.peek('dst') as unknown as SortableValue).toArray(), ['1', '', '2', '', '3', '', '10', '']);
  assert.deepEqual(events.splice(0), ['sortstore:dst']);
  // the stored list is itself sortable
  assert.equal(run('SORT', 'dst', 'ALPHA', 'LIMIT', '0', '3'), arr('', '', '', ));
  assert.equal(run('SORT', 'l', 'LIMIT', '5', '5', 'STORE', 'dst'), ':0\r\n');
  assert.equal(db.exists('dst'), false);
  assert.deepEqual(events.splice(0), ['del:dst']);
  assert.equal(run('SORT', 'l', 'LIMIT', '5', '5', 'STORE', 'dst'), ':0\r\n');
  assert.deepEqual(events.splice(0), []);
  // the destination loses its TTL
  assert.equal(run('SET', 'dst', 'x', 'EX', '100'), '+OK\r\n');
  assert.equal(run('SORT', 'l', 'STORE', 'dst'), ':4\r\n');
  assert.equal(run('TTL', 'dst'), ':-1\r\n');
});

test('SORT GET in RESP3: missing values are nulls', () => {
  const { run, db } = setup();
  run('HELLO', '3');
  assert.equal(run('SORT', 'l', 'GET', 'nope_*', 'GET', '#'),
    '*8\r\n_\r\n$1\r\n1\r\n_\r\n$1\r\n2\r\n_\r\n$1\r\n3\r\n_\r\n$2\r\n10\r\n');
  db.setKey('xl', new Seq('list', ['a']));
  db.setKey('x:a->', '100');
  assert.equal(run('SORT', 'xl', 'BY', 'num', 'GET', 'x:*->'), '*1\r\n$3\r\n100\r\n');
  assert.equal(run('SORT_RO', 'xl', 'BY', 'nosort', 'GET', 'x:*->'), '*1\r\n$3\r\n100\r\n');
});

test('SORT with cluster-enabled refuses BY patterns and GET', () => {
  const { run, server } = setup();
  server.config.clusterEnabled = true;
  assert.equal(run('SORT', 'l', 'BY', 'w_*'), '-ERR BY option of SORT denied in Cluster mode.\r\n');
  assert.equal(run('SORT', 'l', 'GET', '#'), '-ERR GET option of SORT denied in Cluster mode.\r\n');
  assert.equal(run('SORT', 'l', 'BY', 'nosort'), arr('3', '1', '2', '10'));
});
