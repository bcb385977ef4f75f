/*
 * Key extraction (src/command-model/keys.ts) over Redis 7.0.15's complete command
 * table (every command of the fixture, with placeholder handlers), so that
 * commands other families have not implemented yet are covered too. The
 * expected answers are what Redis's COMMAND GETKEYS / GETKEYSANDFLAGS give.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { buildTable, type CommandSpec, type CommandTable, type HandlerMap, type Command } from '../../src/command-model/table';
import { KeysResult, getKeysFromCommand, getKeysFromCommandWithSpecs, doesCommandHaveKeys, keyFlagNames, legacyKeyRange } from '../../src/command-model/keys';
import { SHARED } from '../helpers/server';

function fullTable(): CommandTable {
  const file = path.join(SHARED, 'fixtures', 'redis-7.0.15', 'commands.json');
  const specs = (JSON.parse(fs.readFileSync(file, 'utf8')) as { commands: CommandSpec[] }).commands;
  const handlers: HandlerMap = {};
  const noop = () => undefined;
  for (const s of specs) {
    handlers[s.name] = noop;
    for (const sub of s.subcommands) handlers[sub.name] = noop;
  }
  return buildTable(specs, handlers).table;
}

const table = fullTable();

function lookup(argv: string[]): Command | undefined {
  const base = table.commands.get(argv[0].toLowerCase());
  if (base === undefined || argv.length === 1 || base.subcommands === null) return base;
  return base.subcommands.get(argv[1].toLowerCase());
}

function keysAndFlags(...argv: string[]): [string, string[]][] {
  const cmd = lookup(argv);
  assert.ok(cmd, argv[0]);
  const r = new KeysResult();
  const n = getKeysFromCommandWithSpecs(cmd, argv, 0, r);
  const out: [string, string[]][] = [];
  for (let i = 0; i < n; i++) out.push([argv[r.pos[i]], keyFlagNames(r.flags[i])]);
  return out;
}

function keys(...argv: string[]): string[] {
  return keysAndFlags(...argv).map(([k]) => k);
}

test('GETKEYSANDFLAGS cases of the Redis suite', () => {
  assert.deepEqual(keysAndFlags('set', 'k1', 'v1'), [['k1', ['OW', 'update']]]);
  assert.deepEqual(keysAndFlags('set', 'k1', 'v1', 'get'), [['k1', ['RW', 'access', 'update']]]);
  assert.deepEqual(keysAndFlags('mset', 'k1', 'v1', 'k2', 'v2'), [['k1', ['OW', 'update']], ['k2', ['OW', 'update']]]);
  assert.deepEqual(keysAndFlags('LMOVE', 'k1', 'k2', 'left', 'right'), [['k1', ['RW', 'access', 'delete']], ['k2', ['RW', 'insert']]]);
  assert.deepEqual(keysAndFlags('sort', 'k1', 'store', 'k2'), [['k1', ['RO', 'access']], ['k2', ['OW', 'update']]]);
});

test('GETKEYS cases of the Redis suite', () => {
  assert.deepEqual(keys('get', 'key'), ['key']);
  assert.deepEqual(keys('memory', 'usage', 'key'), ['key']);
  assert.deepEqual(keys('xgroup', 'create', 'key', 'groupname', '$'), ['key']);
  assert.deepEqual(keys('eval', 'return 1', '1', 'key'), ['key']);
  assert.deepEqual(keys('eval', 'return 1', '0'), []);
  assert.deepEqual(keys('lcs', 'key1', 'key2'), ['key1', 'key2']);
  const many = Array.from({ length: 260 }, (_, i) => `key${i + 1}`);
  assert.deepEqual(keys('ZUNIONSTORE', 'target', '260', ...many), ['target', ...many]);
});

test('keyword searches, keynum, ranges with steps and limits', () => {
  assert.deepEqual(keys('xread', 'count', '2', 'streams', 's1', 's2', '0', '0'), ['s1', 's2']);
  assert.deepEqual(keys('xreadgroup', 'group', 'g', 'c', 'streams', 's1', '>'), ['s1']);
  assert.deepEqual(keys('georadius', 'src', '0', '0', '1', 'km', 'store', 'dst'), ['src', 'dst']);
  assert.deepEqual(keys('migrate', 'h', '1', '', '0', '10', 'keys', 'a', 'b'), ['a', 'b']);
  assert.deepEqual(keys('migrate', 'h', '1', 'k', '0', '10'), ['k']);
  assert.deepEqual(keys('zinterstore', 'd', '2', 'a', 'b', 'weights', '1', '2'), ['d', 'a', 'b']);
  assert.deepEqual(keys('blmpop', '0', '2', 'a', 'b', 'left'), ['a', 'b']);
  assert.deepEqual(keys('del', 'a', 'b', 'c'), ['a', 'b', 'c']);
  assert.deepEqual(keys('mset', 'a', '1', 'b', '2'), ['a', 'b']);
  assert.deepEqual(keys('blpop', 'a', 'b', '0'), ['a', 'b']);
  assert.deepEqual(keys('bitfield', 'k', 'get', 'u8', '0'), ['k']);
  assert.deepEqual(keysAndFlags('bitfield', 'k', 'get', 'u8', '0'), [['k', ['RO', 'access']]]);
  assert.deepEqual(keysAndFlags('bitfield', 'k', 'set', 'u8', '0', '1'), [['k', ['RW', 'access', 'update']]]);
  assert.deepEqual(keys('object', 'encoding', 'k'), ['k']);
});

test('which commands have keys', () => {
  assert.equal(doesCommandHaveKeys(lookup(['ping']) as Command), false);
  assert.equal(doesCommandHaveKeys(lookup(['get']) as Command), true);
  assert.equal(doesCommandHaveKeys(lookup(['eval']) as Command), true);
  assert.equal(doesCommandHaveKeys(lookup(['config']) as Command), false);
});

test('the legacy (first, last, step) triple derived from the key specs equals Redis\'s for every command', () => {
  const bad: string[] = [];
  for (const cmd of table.all()) {
    const got = legacyKeyRange(cmd);
    const want = [cmd.spec.first_key, cmd.spec.last_key, cmd.spec.step];
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${cmd.fullName}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  }
  assert.deepEqual(bad, []);
});

test('legacy key positions (getKeysFromCommand)', () => {
  const legacy = (...argv: string[]): string[] => {
    const r = new KeysResult();
    const n = getKeysFromCommand(lookup(argv) as Command, argv, r);
    return r.pos.slice(0, n).map((p) => argv[p]);
  };
  assert.deepEqual(legacy('mset', 'a', '1', 'b', '2'), ['a', 'b']);
  assert.deepEqual(legacy('get', 'k'), ['k']);
  assert.deepEqual(legacy('smove', 'a', 'b', 'm'), ['a', 'b']);
  assert.deepEqual(legacy('zunionstore', 'd', '2', 'a', 'b'), ['a', 'b', 'd']);
  assert.deepEqual(legacy('ping'), []);
});
