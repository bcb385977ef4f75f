/*
 * The command table's metadata against Redis 7.0.15's:
 * - every handler has metadata, every spec entry a handler, every entry a summary;
 * - COMMAND INFO of every implemented command (and subcommand) equals what
 *   Redis replies, taken from shared/fixtures/redis-7.0.15/commands.json.
 * The reply is produced by the real COMMAND INFO handler on an in-process
 * server (no socket) and decoded from its RESP2 bytes.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { buildTable, loadSpecs, LatencyHistogram } from '../../src/command-model/table';
import { moduleHandlers, composeServer, STANDARD_MODULES } from '../../src/compose';
import { Server } from '../../src/server/server';
import { Config } from '../../src/config/config';
import { Client } from '../../src/server/client';
import { SHARED } from '../helpers/server';

type Resp = string | number | null | Resp[];

/** Decode RESP2 replies (what the tests need: simple, error, int, bulk, array). */
export function decodeResp(buf: string): Resp[] {
  let i = 0;
  const line = (): string => {
    const e = buf.indexOf('\r\n', i);
    const s = buf.slice(i, e);
    i = e + 2;
    return s;
  };
  const one = (): Resp => {
    const t = buf[i++];
    const l = line();
    switch (t) {
      case '+': return l;
      case '-': return `ERR:${l}`;
      case ':': return Number(l);
      case '$': {
        const n = Number(l);
        if (n < 0) return null;
        const s = buf.slice(i, i + n);
        i += n + 2;
        return s;
      }
      case '*': {
        const n = Number(l);
        if (n < 0) return null;
        const out: Resp[] = [];
        for (let k = 0; k < n; k++) out.push(one());
        return out;
      }
      default: throw new Error(`unexpected RESP type ${t}`);
    }
  };
  const all: Resp[] = [];
  while (i < buf.length) all.push(one());
  return all;
}

interface FixtureCommand {
  name: string;
  arity: number;
  flags: string[];
  first_key: number;
  last_key: number;
  step: number;
  acl_categories: string[];
  tips: string[];
  key_specs: unknown[];
  subcommands: FixtureCommand[];
}

function fixture(): Map<string, FixtureCommand> {
  const file = path.join(SHARED, 'fixtures', 'redis-7.0.15', 'commands.json');
  const cmds = (JSON.parse(fs.readFileSync(file, 'utf8')) as { commands: FixtureCommand[] }).commands;
  const m = new Map<string, FixtureCommand>();
  for (const c of cmds) {
    m.set(c.name, c);
    for (const s of c.subcommands) m.set(s.name, s);
  }
  return m;
}

/** The COMMAND INFO entry Redis gives, without subcommands (compared one by one). */
function expectedInfo(f: FixtureCommand): Resp[] {
  return [f.name, f.arity, f.flags, f.first_key, f.last_key, f.step, f.acl_categories, f.tips, f.key_specs as Resp[]];
}

function newServer(): Server {
  return composeServer(new Config());
}

function run(server: Server, argv: string[]): Resp {
  const c = new Client(server, null, 1, server.keyspace.dbs[0], '127.0.0.1:1', '127.0.0.1:2', -1);
  const cmd = server.commands.lookup(argv[0]);
  assert.ok(cmd, `command ${argv[0]}`);
  const target = cmd.subcommands !== null && argv.length >= 2 ? cmd.subcommands.get(argv[1].toLowerCase()) : cmd;
  assert.ok(target?.handler, `handler for ${argv.join(' ')}`);
  target.handler(c, argv);
  const out = c.reply.take().toString('latin1');
  const r = decodeResp(out);
  assert.equal(r.length, 1, 'one reply');
  return r[0];
}

test('every handler has metadata and every spec entry has a handler and a summary', () => {
  const specs = loadSpecs();
  const { problems } = buildTable(specs, moduleHandlers(STANDARD_MODULES));
  assert.deepEqual(problems.handlerWithoutSpec, [], 'handlers without spec entry');
  assert.deepEqual(problems.specWithoutHandler, [], 'spec entries without handler');
  const empty: string[] = [];
  for (const s of specs) {
    if (!s.summary || !s.summary.trim()) empty.push(s.name);
    for (const sub of s.subcommands) if (!sub.summary || !sub.summary.trim()) empty.push(sub.name);
  }
  assert.deepEqual(empty, [], 'entries with an empty summary');
});

test('COMMAND INFO of every implemented command equals Redis 7.0.15', () => {
  const server = newServer();
  const fx = fixture();
  const mismatches: string[] = [];
  for (const cmd of server.commands.all()) {
    const f = fx.get(cmd.fullName);
    if (f === undefined) {
      mismatches.push(`${cmd.fullName}: not a Redis 7.0.15 command`);
      continue;
    }
    const reply = run(server, ['command', 'info', cmd.fullName]) as Resp[];
    const entry = reply[0] as Resp[];
    assert.equal(entry.length, 10, cmd.fullName);
    try {
      assert.deepEqual(entry.slice(0, 9), expectedInfo(f));
    } catch (e) {
      mismatches.push(`${cmd.fullName}: ${(e as Error).message.slice(0, 400)}`);
    }
    // subcommands: ours are a subset of Redis's, each equal to Redis's entry
    const subs = entry[9] as Resp[];
    if (cmd.subcommands === null) {
      if (subs.length !== 0) mismatches.push(`${cmd.fullName}: unexpected subcommands`);
    } else {
      assert.equal(subs.length, cmd.subcommands.size);
      for (const s of subs as Resp[][]) {
        const fs2 = fx.get(s[0] as string);
        if (fs2 === undefined) mismatches.push(`${String(s[0])}: not a Redis subcommand`);
        else if (JSON.stringify(s.slice(0, 9)) !== JSON.stringify(expectedInfo(fs2))) mismatches.push(`${String(s[0])} (as a subcommand of ${cmd.fullName}) differs`);
      }
    }
  }
  assert.deepEqual(mismatches, []);
});

test('COMMAND INFO of unknown names and invalid subcommands is a null', () => {
  const server = newServer();
  assert.deepEqual(run(server, ['command', 'info', 'get|key', 'command|info|x', 'nosuchcommand']), [null, null, null]);
});

test('COMMAND COUNT and COMMAND LIST agree with the table', () => {
  const server = newServer();
  assert.equal(run(server, ['command', 'count']), server.commands.commands.size);
  const list = run(server, ['command', 'list']) as string[];
  assert.equal(list.length, [...server.commands.all()].length);
  assert.ok(list.includes('command|info'));
  assert.deepEqual(run(server, ['command', 'list', 'filterby', 'pattern', 'memory|u*']), ['memory|usage']);
  assert.deepEqual(run(server, ['command', 'list', 'filterby', 'aclcat', 'no_such_category']), []);
  assert.deepEqual(run(server, ['command', 'list', 'filterby', 'module', 'x']), []);
  assert.equal(run(server, ['command', 'list', 'filterby', 'bad', 'x']), 'ERR:ERR syntax error');
});

test('replaced_by, where present, is a text (the fixture only flags that one exists)', () => {
  for (const spec of loadSpecs()) {
    for (const s of [spec, ...spec.subcommands]) {
      if (s.replaced_by !== undefined) {
        assert.equal(typeof s.replaced_by, 'string', `${s.name}: replaced_by must be a string`);
        assert.notEqual(s.replaced_by, '', `${s.name}: replaced_by is empty`);
      }
    }
  }
});

test('LatencyHistogram: durations below 1024 ns count in the floor bucket, others in theirs', () => {
  const h = new LatencyHistogram();
  assert.equal(h.active, false);
  h.record(0);
  h.record(300.4);
  h.record(1024);
  assert.equal(h.total, 3);
  // every sample sits in the 1024 ns bucket: the 100th percentile is that bucket's top, in µs
  assert.equal(h.percentile(100), LatencyHistogram.highestOf(LatencyHistogram.indexOf(1024)) / 1000);
  h.record(5_000_000);
  h.record(2e12);
  assert.equal(h.total, 5);
  assert.equal(h.percentile(80), LatencyHistogram.highestOf(LatencyHistogram.indexOf(5_000_000)) / 1000);
  assert.equal(h.percentile(100), LatencyHistogram.highestOf(LatencyHistogram.indexOf(LatencyHistogram.MAX_NS)) / 1000);
});

test('lookup: any spelling finds the command, and rename-command is seen at once through the lookup cache', () => {
  const { table } = buildTable(loadSpecs(), moduleHandlers(STANDARD_MODULES));
  const set = table.lookup('set');
  assert.ok(set !== undefined);
  assert.equal(set.fullName, 'set');
  for (const name of ['SET', 'Set', 'sEt', 'set']) assert.equal(table.lookup(name), set);
  assert.equal(table.lookup('hset')?.fullName, 'hset');
  assert.equal(table.lookup('HGET')?.fullName, 'hget');
  assert.equal(table.lookup(''), undefined);
  assert.equal(table.lookup('nosuchcommand'), undefined);
  // every command, looked up twice (the second time from the cache), is itself
  for (const cmd of table.commands.values()) {
    assert.equal(table.lookup(cmd.name.toUpperCase()), cmd);
    assert.equal(table.lookup(cmd.name.toUpperCase()), cmd);
  }
  assert.equal(table.rename('set', 'store'), true);
  assert.equal(table.lookup('set'), undefined);
  assert.equal(table.lookup('SET'), undefined);
  assert.equal(table.lookup('STORE'), set);
  assert.equal(table.rename('store', ''), true);
  assert.equal(table.lookup('store'), undefined);
});
