/*
 * Introspection commands: INFO, COMMAND (and its subcommands), TIME,
 * LASTSAVE, MEMORY, LOLWUT (DEBUG is in debug.ts).
 *
 * COMMAND replies are built from the same metadata the dispatcher uses
 * (src/command-model/spec), in Redis 7.0's layout: flags and ACL categories as
 * sets of status replies, key specs and docs as maps (flattened in RESP2).
 * Flags Redis keeps hidden (protected, may_replicate, sentinel ones) are
 * never shown. Only commands Nodis implements exist for COMMAND, so a
 * client's view matches what the server will accept.
 */
import type { ModuleHost } from '../server/module-host';
import { fullGc } from '../util/gc';
import type { Client } from '../server/client';
import { stringMatch } from '../util/glob';
import type { Server } from '../server/server';
import {
  type Command, type HandlerMap, type ArgSpec,
  CMD_WRITE, CMD_READONLY, CMD_DENYOOM, CMD_MODULE, CMD_ADMIN, CMD_PUBSUB, CMD_NOSCRIPT,
  CMD_BLOCKING, CMD_LOADING, CMD_STALE, CMD_SKIP_MONITOR, CMD_SKIP_SLOWLOG, CMD_ASKING,
  CMD_FAST, CMD_NO_AUTH, CMD_NO_MANDATORY_KEYS, CMD_NO_ASYNC_LOADING, CMD_NO_MULTI,
  CMD_MOVABLE_KEYS, CMD_ALLOW_BUSY,
} from '../command-model/table';
import {
  KeysResult, keySpecsOf, keyFlagNames, getKeysFromCommandWithSpecs, doesCommandHaveKeys,
  BS_INDEX, BS_KEYWORD, FK_RANGE, FK_KEYNUM,
} from '../command-model/keys';
import { replyHelp, intArg, ERR_SYNTAX } from '../command-model/args';
import { infoString } from '../info/info';
import { memoryReport, recordStartupMemory, samplePeakMemory } from '../server/memory';
import { valueMemoryUsage } from '../keyspace/value-memory';
import { REDIS_VERSION } from '../server/server';

// ---------------------------------------------------------------------------
// INFO

function info(c: Client, argv: string[]): void {
  c.reply.verbatim(infoString(c.server, argv.slice(1)));
}

// ---------------------------------------------------------------------------
// COMMAND

/** Command flags COMMAND shows, in Redis's order. */
const VISIBLE_FLAGS: [number, string][] = [
  [CMD_WRITE, 'write'], [CMD_READONLY, 'readonly'], [CMD_DENYOOM, 'denyoom'], [CMD_MODULE, 'module'],
  [CMD_ADMIN, 'admin'], [CMD_PUBSUB, 'pubsub'], [CMD_NOSCRIPT, 'noscript'], [CMD_BLOCKING, 'blocking'],
  [CMD_LOADING, 'loading'], [CMD_STALE, 'stale'], [CMD_SKIP_MONITOR, 'skip_monitor'],
  [CMD_SKIP_SLOWLOG, 'skip_slowlog'], [CMD_ASKING, 'asking'], [CMD_FAST, 'fast'], [CMD_NO_AUTH, 'no_auth'],
  [CMD_NO_MANDATORY_KEYS, 'no_mandatory_keys'], [CMD_NO_ASYNC_LOADING, 'no_async_loading'],
  [CMD_NO_MULTI, 'no_multi'], [CMD_MOVABLE_KEYS, 'movablekeys'], [CMD_ALLOW_BUSY, 'allow_busy'],
];

/** Redis's ACL categories, in the order it reports them. */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
];

function statusSet(c: Client, items: readonly string[]): void {
  c.reply.setHeader(items.length);
  for (const s of items) c.reply.simple(s);
}

function visibleFlags(cmd: Command): string[] {
  const out: string[] = [];
  for (const [bit, name] of VISIBLE_FLAGS) if (cmd.has(bit)) out.push(name);
  return out;
}

function categoriesOf(cmd: Command): string[] {
  const have = new Set(cmd.spec.acl_categories.map((x) => x.replace(/^@/, '').toLowerCase()));
  return ACL_CATEGORIES.filter((x) => have.has(x)).map((x) => '@' + x);
}

function replyKeySpecs(c: Client, cmd: Command): void {
  const specs = keySpecsOf(cmd);
  const r = c.reply;
  r.setHeader(specs.length);
  for (const s of specs) {
    r.mapHeader(s.notes !== null ? 4 : 3);
    if (s.notes !== null) {
      r.bulk('notes');
      r.bulk(s.notes);
    }
    r.bulk('flags');
    statusSet(c, keyFlagNames(s.flags));
    r.bulk('begin_search');
    r.mapHeader(2);
    r.bulk('type');
    if (s.bsType === BS_INDEX) {
      r.bulk('index');
      r.bulk('spec');
      r.mapHeader(1);
      r.bulk('index');
      r.int(s.index);
    } else if (s.bsType === BS_KEYWORD) {
      r.bulk('keyword');
      r.bulk('spec');
      r.mapHeader(2);
      r.bulk('keyword');
      r.bulk(s.keyword);
      r.bulk('startfrom');
      r.int(s.startfrom);
    } else {
      r.bulk('unknown');
      r.bulk('spec');
      r.mapHeader(0);
    }
    r.bulk('find_keys');
    r.mapHeader(2);
    r.bulk('type');
    if (s.fkType === FK_RANGE) {
      r.bulk('range');
      r.bulk('spec');
      r.mapHeader(3);
      r.bulk('lastkey');
      r.int(s.lastkey);
      r.bulk('keystep');
      r.int(s.keystep);
      r.bulk('limit');
      r.int(s.limit);
    } else if (s.fkType === FK_KEYNUM) {
      r.bulk('keynum');
      r.bulk('spec');
      r.mapHeader(3);
      r.bulk('keynumidx');
      r.int(s.keynumidx);
      r.bulk('firstkey');
      r.int(s.firstkey);
      r.bulk('keystep');
      r.int(s.keystep);
    } else {
      r.bulk('unknown');
      r.bulk('spec');
      r.mapHeader(0);
    }
  }
}

/** One command as COMMAND / COMMAND INFO describe it (a null for unknown names). */
function replyCommandInfo(c: Client, cmd: Command | undefined): void {
  const r = c.reply;
  if (cmd === undefined) {
    r.nullBulk();
    return;
  }
  const sp = cmd.spec;
  r.arrayHeader(10);
  r.bulk(cmd.fullName);
  r.int(cmd.arity);
  statusSet(c, visibleFlags(cmd));
  r.int(sp.first_key);
  r.int(sp.last_key);
  r.int(sp.step);
  statusSet(c, categoriesOf(cmd));
  r.setHeader(sp.tips.length);
  for (const t of sp.tips) r.bulk(t);
  replyKeySpecs(c, cmd);
  if (cmd.subcommands === null) {
    r.setHeader(0);
  } else {
    r.arrayHeader(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) replyCommandInfo(c, sub);
  }
}

function replyArgs(c: Client, args: readonly ArgSpec[]): void {
  const r = c.reply;
  r.arrayHeader(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    let n = 2;
    if (a.key_spec_index !== undefined && a.key_spec_index !== -1) n++;
    if (a.token) n++;
    if (a.summary) n++;
    if (a.since) n++;
    if (a.deprecated_since) n++;
    if (a.flags && a.flags.length > 0) n++;
    if (nested) n++;
    r.mapHeader(n);
    r.bulk('name');
    r.bulk(a.name);
    r.bulk('type');
    r.bulk(a.type);
    if (a.key_spec_index !== undefined && a.key_spec_index !== -1) {
      r.bulk('key_spec_index');
      r.int(a.key_spec_index);
    }
    if (a.token) {
      r.bulk('token');
      r.bulk(a.token);
    }
    if (a.summary) {
      r.bulk('summary');
      r.bulk(a.summary);
    }
    if (a.since) {
      r.bulk('since');
      r.bulk(a.since);
    }
    if (a.deprecated_since) {
      r.bulk('deprecated_since');
      r.bulk(a.deprecated_since);
    }
    if (a.flags && a.flags.length > 0) {
      r.bulk('flags');
      const order = ['optional', 'multiple', 'multiple_token'];
      statusSet(c, order.filter((f) => (a.flags as string[]).includes(f)));
    }
    if (nested) {
      r.bulk('arguments');
      replyArgs(c, a.arguments ?? []);
    }
  }
}

/** One command's documentation map (COMMAND DOCS). */
function replyCommandDocs(c: Client, cmd: Command): void {
  const sp = cmd.spec;
  const r = c.reply;
  const docFlags = (sp.doc_flags ?? []).filter((f) => f === 'deprecated' || f === 'syscmd');
  const history = sp.history ?? [];
  let n = 1;
  if (sp.summary) n++;
  if (sp.since) n++;
  if (sp.complexity) n++;
  if (docFlags.length > 0) n++;
  if (sp.deprecated_since) n++;
  if (typeof sp.replaced_by === 'string' && sp.replaced_by !== '') n++;
  if (history.length > 0) n++;
  if (sp.arguments.length > 0) n++;
  if (cmd.subcommands !== null) n++;
  r.mapHeader(n);
  if (sp.summary) {
    r.bulk('summary');
    r.bulk(sp.summary);
  }
  if (sp.since) {
    r.bulk('since');
    r.bulk(sp.since);
  }
  r.bulk('group');
  r.bulk(sp.group);
  if (sp.complexity) {
    r.bulk('complexity');
    r.bulk(sp.complexity);
  }
  if (docFlags.length > 0) {
    r.bulk('doc_flags');
    statusSet(c, docFlags.includes('deprecated') && docFlags.includes('syscmd') ? ['deprecated', 'syscmd'] : docFlags);
  }
  if (sp.deprecated_since) {
    r.bulk('deprecated_since');
    r.bulk(sp.deprecated_since);
  }
  if (typeof sp.replaced_by === 'string' && sp.replaced_by !== '') {
    r.bulk('replaced_by');
    r.bulk(sp.replaced_by);
  }
  if (history.length > 0) {
    r.bulk('history');
    r.setHeader(history.length);
    for (const [since, changes] of history) {
      r.arrayHeader(2);
      r.bulk(since);
      r.bulk(changes);
    }
  }
  if (sp.arguments.length > 0) {
    r.bulk('arguments');
    replyArgs(c, sp.arguments);
  }
  if (cmd.subcommands !== null) {
    r.bulk('subcommands');
    r.mapHeader(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) {
      r.bulk(sub.fullName);
      replyCommandDocs(c, sub);
    }
  }
}

/** "get", "config|get" (any case); more than one '|' or a '|' after a plain command finds nothing. */
export function lookupCommandByFullName(server: Server, name: string): Command | undefined {
  const parts = name.split('|');
  if (parts.length === 1) return server.commands.commands.get(name.toLowerCase());
  if (parts.length !== 2) return undefined;
  const base = server.commands.commands.get(parts[0].toLowerCase());
  if (base === undefined || base.subcommands === null) return undefined;
  return base.subcommands.get(parts[1].toLowerCase());
}

/** The command an argv would run (Redis's lookupCommand): a container resolves to its subcommand. */
export function lookupCommandForArgv(server: Server, argv: readonly string[]): Command | undefined {
  const base = server.commands.commands.get(argv[0].toLowerCase());
  if (base === undefined) return undefined;
  if (argv.length === 1 || base.subcommands === null) return base;
  return base.subcommands.get(argv[1].toLowerCase());
}

function commandAll(c: Client): void {
  const cmds = c.server.commands.commands;
  c.reply.arrayHeader(cmds.size);
  for (const cmd of cmds.values()) replyCommandInfo(c, cmd);
}

function commandCount(c: Client): void {
  c.reply.int(c.server.commands.commands.size);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    commandAll(c);
    return;
  }
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) replyCommandInfo(c, lookupCommandByFullName(c.server, argv[i]));
}

function commandDocs(c: Client, argv: string[]): void {
  const cmds: Command[] = [];
  if (argv.length === 2) cmds.push(...c.server.commands.commands.values());
  else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = lookupCommandByFullName(c.server, argv[i]);
      if (cmd !== undefined) cmds.push(cmd);
    }
  }
  c.reply.mapHeader(cmds.length);
  for (const cmd of cmds) {
    c.reply.bulk(cmd.fullName);
    replyCommandDocs(c, cmd);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (argv[i].toLowerCase() === 'filterby' && more === 2) {
      const type = argv[i + 1].toLowerCase();
      const arg = argv[i + 2];
      if (type === 'module') filter = () => false;
      else if (type === 'aclcat') {
        const cat = arg.toLowerCase();
        const valid = ACL_CATEGORIES.includes(cat);
        filter = (cmd) => valid && cmd.spec.acl_categories.some((x) => x.toLowerCase() === '@' + cat);
      } else if (type === 'pattern') filter = (cmd) => stringMatch(arg, cmd.fullName, true);
      else {
        c.error(ERR_SYNTAX);
        return;
      }
      i += 2;
    } else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.all()) if (filter === null || filter(cmd)) names.push(cmd.fullName);
  c.reply.bulkArray(names);
}

function getKeysImpl(c: Client, argv: string[], withFlags: boolean): void {
  const target = argv.slice(2);
  const cmd = lookupCommandForArgv(c.server, target);
  if (cmd === undefined) {
    c.error('ERR Invalid command specified');
    return;
  }
  if (!doesCommandHaveKeys(cmd)) {
    c.error('ERR The command has no key arguments');
    return;
  }
  const argc = target.length;
  if ((cmd.arity > 0 && cmd.arity !== argc) || argc < -cmd.arity) {
    c.error('ERR Invalid number of arguments specified for command');
    return;
  }
  const res = new KeysResult();
  const n = getKeysFromCommandWithSpecs(cmd, target, 0, res);
  if (n === 0) {
    if (cmd.has(CMD_NO_MANDATORY_KEYS)) c.reply.emptyArray();
    else c.error('ERR Invalid arguments specified for command');
    return;
  }
  c.reply.arrayHeader(n);
  for (let i = 0; i < n; i++) {
    if (!withFlags) c.reply.bulk(target[res.pos[i]]);
    else {
      c.reply.arrayHeader(2);
      c.reply.bulk(target[res.pos[i]]);
      statusSet(c, keyFlagNames(res.flags[i]));
    }
  }
}

function commandHelp(c: Client): void {
  replyHelp(c, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

// ---------------------------------------------------------------------------
// TIME, LASTSAVE, LOLWUT

function time(c: Client): void {
  const clock = c.server.clock;
  const usecTotal = Math.floor((clock.mono() + clock.offset) * 1000);
  const sec = Math.floor(usecTotal / 1e6);
  c.reply.arrayHeader(2);
  c.reply.bulk(String(sec));
  c.reply.bulk(String(usecTotal - sec * 1e6));
}

function lastsave(c: Client): void {
  c.reply.int(c.server.lastSave);
}

/** A 1-bit canvas for LOLWUT's generative art, printed with braille characters (2x4 dots each). */
class Canvas {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.pixels = new Uint8Array(width * height);
  }

  set(x: number, y: number): void {
    if (x >= 0 && y >= 0 && x < this.width && y < this.height) this.pixels[y * this.width + x] = 1;
  }

  get(x: number, y: number): number {
    return x >= 0 && y >= 0 && x < this.width && y < this.height ? this.pixels[y * this.width + x] : 0;
  }

  /** Bresenham's line. */
  line(x1: number, y1: number, x2: number, y2: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** A square centred on (x, y), `size` wide, rotated by `angle` radians. */
  square(x: number, y: number, size: number, angle: number): void {
    const r = Math.round(size / Math.SQRT2);
    const px: number[] = [];
    const py: number[] = [];
    let k = Math.PI / 4 + angle;
    for (let j = 0; j < 4; j++) {
      px.push(Math.round(Math.sin(k) * r + x));
      py.push(Math.round(Math.cos(k) * r + y));
      k += Math.PI / 2;
    }
    for (let j = 0; j < 4; j++) this.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4]);
  }

  /** Braille rendering: one character per 2x4 block, as UTF-8 bytes in a latin1 string. */
  render(): string {
    let out = '';
    for (let y = 0; y < this.height; y += 4) {
      for (let x = 0; x < this.width; x += 2) {
        const bits = this.get(x, y) | (this.get(x, y + 1) << 1) | (this.get(x, y + 2) << 2) |
          (this.get(x + 1, y) << 3) | (this.get(x + 1, y + 1) << 4) | (this.get(x + 1, y + 2) << 5) |
          (this.get(x, y + 3) << 6) | (this.get(x + 1, y + 3) << 7);
        out += Buffer.from(String.fromCharCode(0x2800 + bits), 'utf8').toString('latin1');
      }
      if (y !== this.height - 1) out += '\n';
    }
    return out;
  }
}

/** Georg Nees's "Schotter": a grid of squares, more disordered row after row (LOLWUT version 5). */
function schotter(cols: number, perRow: number, perCol: number): string {
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = Math.fround((width - padding * 2) / perRow);
  const height = Math.trunc(side * perCol + padding * 2);
  const canvas = new Canvas(width, height);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(x * side + side / 2 + padding);
      let sy = Math.trunc(y * side + side / 2 + padding);
      let angle = 0;
      if (y > 1) {
        const jitter = () => (Math.random() / perCol) * y * (Math.random() < 0.5 ? -1 : 1);
        angle = jitter();
        sx += Math.trunc((jitter() * side) / 3);
        sy += Math.trunc((jitter() * side) / 3);
      }
      canvas.square(sx, sy, side, angle);
    }
  }
  return canvas.render();
}

function lolwut(c: Client, argv: string[]): void {
  let version = REDIS_VERSION;
  let args = argv;
  if (argv.length >= 3 && argv[1].toLowerCase() === 'version') {
    const v = intArg(c, argv[2]);
    if (v === null) return;
    version = `${v >>> 0}.0.0`;
    args = [argv[0], ...argv.slice(3)];
  }
  if ((version[0] === '5' && version[1] === '.' && version[2] !== '9') || version.startsWith('4.9')) {
    const nums = [66, 8, 12];
    for (let i = 1; i < args.length && i <= 3; i++) {
      const n = intArg(c, args[i]);
      if (n === null) return;
      nums[i - 1] = n;
    }
    const clamp = (n: number, hi: number) => Math.min(hi, Math.max(1, n));
    const art = schotter(clamp(nums[0], 1000), clamp(nums[1], 200), clamp(nums[2], 200));
    c.reply.verbatim(`${art}\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`);
    return;
  }
  // the current version's art is the plain version string (as Redis 7.0); version 6's piece is not drawn
  c.reply.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
}

// ---------------------------------------------------------------------------
// MEMORY

function memoryUsage(c: Client, argv: string[]): void {
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = intArg(c, argv[j + 1]);
      if (n === null) return;
      if (n < 0) return c.error(ERR_SYNTAX);
      samples = n === 0 ? Number.MAX_SAFE_INTEGER : n;
      j++;
    } else {
      return c.error(ERR_SYNTAX);
    }
  }
  const v = c.db.dict.get(argv[2]);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.int(valueMemoryUsage(argv[2], v, samples));
}

function memoryStats(c: Client): void {
  const m = memoryReport(c.server);
  const r = c.reply;
  r.mapHeader(27 + m.dbs.length);
  const kv = (k: string, v: number) => {
    r.bulk(k);
    r.int(Math.trunc(v));
  };
  const kd = (k: string, v: number) => {
    r.bulk(k);
    r.double(Math.fround(v));
  };
  kv('peak.allocated', m.peak);
  kv('total.allocated', m.used);
  kv('startup.allocated', m.startup);
  kv('replication.backlog', 0);
  kv('clients.slaves', 0);
  kv('clients.normal', m.clientsNormal);
  kv('cluster.links', 0);
  kv('aof.buffer', 0);
  kv('lua.caches', 0);
  kv('functions.caches', 0);
  for (const db of m.dbs) {
    r.bulk(`db.${db.id}`);
    r.mapHeader(3);
    kv('overhead.hashtable.main', db.overheadMain);
    kv('overhead.hashtable.expires', db.overheadExpires);
    kv('overhead.hashtable.slot-to-keys', 0);
  }
  kv('overhead.total', m.overhead);
  kv('keys.count', m.keys);
  kv('keys.bytes-per-key', m.bytesPerKey);
  kv('dataset.bytes', m.dataset);
  kd('dataset.percentage', m.datasetPerc);
  kd('peak.percentage', m.peakPerc);
  kv('allocator.allocated', m.allocatorAllocated);
  kv('allocator.active', m.allocatorActive);
  kv('allocator.resident', m.allocatorResident);
  kd('allocator-fragmentation.ratio', m.allocatorFragRatio);
  kv('allocator-fragmentation.bytes', m.allocatorFragBytes);
  kd('allocator-rss.ratio', m.allocatorRssRatio);
  kv('allocator-rss.bytes', m.allocatorRssBytes);
  kd('rss-overhead.ratio', m.rssOverheadRatio);
  kv('rss-overhead.bytes', m.rssOverheadBytes);
  kd('fragmentation', m.fragRatio);
  kv('fragmentation.bytes', m.fragBytes);
}

function memoryDoctor(c: Client): void {
  const m = memoryReport(c.server);
  let report: string;
  if (m.used < 1024 * 1024 * 5) {
    report = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.";
  } else {
    report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";
  }
  c.reply.verbatim(report);
}

function memoryMallocStats(c: Client): void {
  c.reply.bulk('Stats not supported for the current allocator');
}

function memoryPurge(c: Client): void {
  fullGc();
  c.reply.ok();
}

function memoryHelp(c: Client): void {
  replyHelp(c, 'MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

// ---------------------------------------------------------------------------

export function install(host: ModuleHost): void {
  const server = host.server;
  recordStartupMemory(server);
  host.addCronTask(() => samplePeakMemory(server));
}

export const handlers: HandlerMap = {
  info,
  command: commandAll,
  'command|count': commandCount,
  'command|docs': commandDocs,
  'command|getkeys': (c, argv) => getKeysImpl(c, argv, false),
  'command|getkeysandflags': (c, argv) => getKeysImpl(c, argv, true),
  'command|help': commandHelp,
  'command|info': commandInfo,
  'command|list': commandList,
  time,
  lastsave,
  lolwut,
  'memory|doctor': memoryDoctor,
  'memory|help': memoryHelp,
  'memory|malloc-stats': memoryMallocStats,
  'memory|purge': memoryPurge,
  'memory|stats': memoryStats,
  'memory|usage': memoryUsage,
};
