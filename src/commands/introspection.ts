/*
 * Introspection commands: INFO, COMMAND (and its subcommands), DEBUG, TIME,
 * LASTSAVE, MEMORY, LOLWUT.
 *
 * COMMAND replies are built from the same metadata the dispatcher uses
 * (src/commands/spec), in Redis 7.0's layout: flags and ACL categories as
 * sets of status replies, key specs and docs as maps (flattened in RESP2).
 * Flags Redis keeps hidden (protected, may_replicate, sentinel ones) are
 * never shown. Only commands Nodis implements exist for COMMAND, so a
 * client's view matches what the server will accept.
 *
 * DEBUG is refused by the dispatcher unless enable-debug-command allows it
 * (the spec carries Redis's hidden "protected" flag). Its subcommands and
 * their replies follow Redis 7.0.15; those tied to the C implementation
 * (allocator, sds, listpack dumps) answer what Redis answers for the cases
 * Nodis can be in. RELOAD and LOADAOF run through debugHooks: persistence
 * (src/commands/persistence.ts) installs RELOAD's save/flush/load; without a
 * hook they keep the dataset as it is.
 */
import { fullGc } from '../server/gc';
import type { Client } from '../server/client';
import { stringMatch } from '../util/glob';
import type { Server } from '../server/server';
import {
  type Command, type HandlerMap, type ArgSpec,
  CMD_WRITE, CMD_READONLY, CMD_DENYOOM, CMD_MODULE, CMD_ADMIN, CMD_PUBSUB, CMD_NOSCRIPT,
  CMD_BLOCKING, CMD_LOADING, CMD_STALE, CMD_SKIP_MONITOR, CMD_SKIP_SLOWLOG, CMD_ASKING,
  CMD_FAST, CMD_NO_AUTH, CMD_NO_MANDATORY_KEYS, CMD_NO_ASYNC_LOADING, CMD_NO_MULTI,
  CMD_MOVABLE_KEYS, CMD_ALLOW_BUSY,
} from './table';
import {
  KeysResult, keySpecsOf, keyFlagNames, getKeysFromCommandWithSpecs, doesCommandHaveKeys,
  BS_INDEX, BS_KEYWORD, FK_RANGE, FK_KEYNUM,
} from './keys';
import { replyHelp, intArg, ERR_SYNTAX, subcommandSyntaxError } from './args';
import { infoString } from '../info/info';
import { memoryReport, recordStartupMemory, samplePeakMemory, valueMemoryUsage, jemallocSize } from '../info/memory';
import { datasetDigest, keyDigest } from '../info/digest';
import { REDIS_VERSION } from '../server/server';
import { encodingOf, type RedisValue, stringOf, isStringValue } from '../keyspace/values';
import { parseInteger } from '../util/numbers';
import { Dict, hashString } from '../types/dict';
import { fixed } from '../info/format';

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
// DEBUG

/**
 * What other subsystems plug into DEBUG: persistence takes over RELOAD and
 * LOADAOF, the configuration CONFIG-REWRITE-FORCE-ALL. Each returns null on
 * success or the error message to reply (with its code, "ERR ...").
 */
export interface DebugHooks {
  reload?: (server: Server, opts: { save: boolean; flush: boolean; merge: boolean }) => string | null;
  loadAof?: (server: Server) => string | null;
  configRewriteForceAll?: (server: Server) => string | null;
}
export const debugHooks: DebugHooks = {};

const DEBUG_HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Enables or disables checksum checks for RDB files and RESTORE\'s payload.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/** C's atoi: leading blanks, an optional sign, digits; anything else stops (0 if none). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]) | 0;
}

/** C's strtod on a prefix, 0 when nothing parses. */
function strtodPrefix(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i.exec(s);
  if (m === null) return 0;
  const t = m[1].toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity');
  const v = Number(t);
  return Number.isNaN(v) ? 0 : v;
}

/** Block the whole process, as Redis's nanosleep does. */
export function blockingSleep(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const NO_SUCH_KEY = 'ERR no such key';
const OBJ_SHARED_REFCOUNT = 2147483647;

/** Redis's memtoull: a number with an optional b/k/kb/m/mb/g/gb unit. */
function memToBytes(s: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (m === null) return null;
  const mul: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * mul[(m[2] ?? '').toLowerCase()];
}

/** Length of an RDB length prefix. */
function rdbLenBytes(n: number): number {
  if (n < 64) return 1;
  if (n < 16384) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** serializedlength for DEBUG OBJECT: the RDB size of a string (without compression). */
function serializedLength(v: RedisValue): number {
  if (!isStringValue(v)) {
    const s = (v as unknown as { serializedLength?: () => number }).serializedLength;
    return typeof s === 'function' ? s.call(v) : 0;
  }
  const str = stringOf(v);
  if (str.length <= 11) {
    const n = parseInteger(str);
    if (n !== null && String(n) === str) {
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
  }
  return rdbLenBytes(str.length) + str.length;
}

/** A stable fake address for "Value at:" (V8 objects have none we can show). */
function fakeAddress(key: string): string {
  let h = 0x9e3779b1;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return '0x7f' + ((h & 0xffffff0) >>> 0).toString(16).padStart(10, '0');
}

function debugObject(c: Client, key: string): void {
  const dict = c.db.dict;
  const id = dict.find(key);
  if (id < 0) {
    c.error(NO_SUCH_KEY);
    return;
  }
  const v = dict.valueAt(id);
  const enc = encodingOf(v);
  let refcount = 1;
  if (enc === 'int') {
    const n = Number(v);
    const policy = c.server.config.maxmemoryPolicy;
    const evictsByClock = c.server.config.maxmemory > 0 && /lru|lfu/.test(policy);
    if (n >= 0 && n < 10000 && !evictsByClock) refcount = OBJ_SHARED_REFCOUNT;
  }
  const clock = dict.clockAt(id);
  const ks = c.server.keyspace;
  const idle = ks.clockMode === 'lfu' ? 0 : Math.floor(ks.idleTimeMs(clock) / 1000);
  let extra = '';
  const ql = (v as unknown as { quicklistInfo?: () => string }).quicklistInfo;
  if (typeof v !== 'string' && typeof ql === 'function') extra = ql.call(v);
  c.reply.simple(`Value at:${fakeAddress(key)} refcount:${refcount} encoding:${enc} serializedlength:${serializedLength(v)} lru:${clock} lru_seconds_idle:${idle}${extra}`);
}

function debugProtocol(c: Client, type: string): void {
  const r = c.reply;
  switch (type.toLowerCase()) {
    case 'string': r.bulk('Hello World'); break;
    case 'integer': r.int(12345); break;
    case 'double': r.double(3.141); break;
    case 'bignum': r.bigNumber('1234567999999999999999999999999999999'); break;
    case 'null': r.nullBulk(); break;
    case 'array':
      r.arrayHeader(3);
      for (let j = 0; j < 3; j++) r.int(j);
      break;
    case 'set':
      r.setHeader(3);
      for (let j = 0; j < 3; j++) r.int(j);
      break;
    case 'map':
      r.mapHeader(3);
      for (let j = 0; j < 3; j++) {
        r.int(j);
        r.bool(j === 1);
      }
      break;
    case 'attrib':
      if (r.resp >= 3) {
        r.attributeHeader(1);
        r.bulk('key-popularity');
        r.arrayHeader(2);
        r.bulk('key:123');
        r.int(90);
      }
      r.bulk('Some real reply following the attribute');
      break;
    case 'push':
      if (r.resp < 3) {
        c.error('ERR RESP2 is not supported by this command');
        return;
      }
      r.pushHeader(2);
      r.bulk('server-cpu-usage');
      r.int(42);
      r.bulk('Some real reply following the push reply');
      break;
    case 'true': r.bool(true); break;
    case 'false': r.bool(false); break;
    case 'verbatim': r.verbatim('This is a verbatim\nstring', 'txt'); break;
    default:
      c.error('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}

/** DICT_STATS_VECTLEN: chain lengths above this are counted in the last slot (and not printed). */
const STATS_VECTLEN = 50;

/** Hash table statistics in the format of Redis's dictGetStats (chains recomputed from the keys' hashes). */
function htStats(dict: Dict<unknown>): string {
  const head = 'Hash table 0 stats (main hash table):\n';
  if (dict.size === 0) return `${head}No stats available for empty dictionaries\n`;
  const size = dict.bucketCount;
  const chains = new Map<number, number>();
  dict.forEach((key) => {
    const b = hashString(key) & (size - 1);
    chains.set(b, (chains.get(b) ?? 0) + 1);
  });
  const clvector = new Array<number>(STATS_VECTLEN).fill(0);
  clvector[0] = size - chains.size;
  let maxchain = 0;
  let tot = 0;
  for (const len of chains.values()) {
    clvector[Math.min(len, STATS_VECTLEN - 1)]++;
    if (len > maxchain) maxchain = len;
    tot += len;
  }
  const slots = chains.size;
  let out = `${head} table size: ${size}\n number of elements: ${dict.size}\n different slots: ${slots}\n max chain length: ${maxchain}\n` +
    ` avg chain length (counted): ${fixed(Math.fround(tot / slots), 2)}\n avg chain length (computed): ${fixed(Math.fround(dict.size / slots), 2)}\n Chain length distribution:\n`;
  for (let i = 0; i < STATS_VECTLEN - 1; i++) {
    if (clvector[i] === 0) continue;
    out += `   ${i}: ${clvector[i]} (${fixed(Math.fround(Math.fround(clvector[i] / size) * 100), 2)}%)\n`;
  }
  return out;
}

function debugPopulate(c: Client, argv: string[]): void {
  const count = parseInteger(argv[2]);
  if (count === null || count < 0) {
    c.error(count === null ? 'ERR value is not an integer or out of range' : 'ERR value is out of range, must be positive');
    return;
  }
  let valsize = 0;
  if (argv.length === 5) {
    const v = parseInteger(argv[4]);
    if (v === null || v < 0) {
      c.error(v === null ? 'ERR value is not an integer or out of range' : 'ERR value is out of range, must be positive');
      return;
    }
    valsize = v;
  }
  const prefix = argv.length >= 4 ? argv[3] : 'key';
  const db = c.db;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (db.lookupWrite(key) !== undefined) continue;
    let val = `value:${j}`;
    if (valsize !== 0) val = val.length >= valsize ? val.slice(0, valsize) : val + '\0'.repeat(valsize - val.length);
    db.add(key, val);
  }
  c.reply.ok();
}

function crash(c: Client, msg: string): void {
  c.server.log.warning(msg);
  process.abort();
}

function debug(c: Client, argv: string[]): void {
  const server = c.server;
  const sub = argv[1].toLowerCase();
  const argc = argv.length;
  switch (sub) {
    case 'help':
      if (argc === 2) return replyHelp(c, 'DEBUG', DEBUG_HELP);
      break;
    case 'segfault':
      server.log.warning('DEBUG SEGFAULT: crashing on request');
      process.kill(process.pid, 'SIGSEGV');
      return;
    case 'panic':
      return crash(c, `Guru Meditation: DEBUG PANIC called at Unix time ${Math.floor(c.server.clock.now() / 1000)} #server.c:0`);
    case 'assert':
      return crash(c, '=== ASSERTION FAILED ===\n==> debug.c:0 \'1 == 2\' is not true');
    case 'oom':
      return crash(c, 'Out Of Memory allocating 9223372036854775807 bytes!');
    case 'restart':
    case 'crash-and-recover':
      if (argc >= 3 && intArg(c, argv[2]) === null) return;
      c.error('ERR failed to restart the server. Check server logs.');
      return;
    case 'log':
      if (argc !== 3) break;
      server.log.warning(`DEBUG LOG: ${argv[2]}`);
      c.reply.ok();
      return;
    case 'leak':
      if (argc !== 3) break;
      c.reply.ok();
      return;
    case 'reload': {
      const opts = { save: true, flush: true, merge: false };
      for (let j = 2; j < argc; j++) {
        const o = argv[j].toLowerCase();
        if (o === 'nosave') opts.save = false;
        else if (o === 'noflush') opts.flush = false;
        else if (o === 'merge') opts.merge = true;
        else {
          c.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
          return;
        }
      }
      if (debugHooks.reload) {
        const err = debugHooks.reload(server, opts);
        if (err !== null) return c.error(err);
      } else if (opts.save) {
        // Without persistence the round trip leaves the data as it is; the
        // save still counts as one (dirty reset, LASTSAVE updated) as in Redis.
        server.keyspace.dirty = 0;
        server.lastSave = Math.floor(server.clock.now() / 1000);
      }
      server.log.warning('DB reloaded by DEBUG RELOAD');
      c.reply.ok();
      return;
    }
    case 'loadaof': {
      if (debugHooks.loadAof) {
        const err = debugHooks.loadAof(server);
        if (err !== null) return c.error(err);
      }
      server.keyspace.dirty = 0;
      server.log.warning('Append Only File loaded by DEBUG LOADAOF');
      c.reply.ok();
      return;
    }
    case 'config-rewrite-force-all': {
      if (argc !== 2) break;
      const err = debugHooks.configRewriteForceAll
        ? debugHooks.configRewriteForceAll(server)
        : 'ERR CONFIG-REWRITE-FORCE-ALL failed: Operation not supported';
      if (err !== null) return c.error(err);
      c.reply.ok();
      return;
    }
    case 'drop-cluster-packet-filter':
      if (argc !== 3) break;
      if (intArg(c, argv[2]) === null) return;
      c.reply.ok();
      return;
    case 'object':
      if (argc !== 3) break;
      return debugObject(c, argv[2]);
    case 'sdslen': {
      if (argc !== 3) break;
      const v = c.db.dict.get(argv[2]);
      if (v === undefined) return c.error(NO_SUCH_KEY);
      if (!isStringValue(v) || encodingOf(v) === 'int') return c.error('ERR Not an sds encoded string.');
      const key = argv[2];
      const val = stringOf(v);
      const hdr = (n: number) => (n < 32 ? 1 : n < 256 ? 3 : n < 65536 ? 5 : 9);
      const valCap = typeof v === 'string' ? val.length : (v as unknown as { buf: Buffer }).buf.length;
      // an embedded string lives in its object's allocation (16 bytes of header)
      const valZmalloc = encodingOf(v) === 'embstr' ? jemallocSize(16 + 3 + val.length + 1) - 16 : jemallocSize(valCap + hdr(valCap) + 1);
      c.reply.simple(`key_sds_len:${key.length}, key_sds_avail:0, key_zmalloc: ${jemallocSize(key.length + hdr(key.length) + 1)}, val_sds_len:${val.length}, val_sds_avail:${valCap - val.length}, val_zmalloc: ${valZmalloc}`);
      return;
    }
    case 'listpack':
    case 'quicklist': {
      if (!(argc === 3 || (sub === 'quicklist' && argc === 4))) break;
      const v = c.db.lookupRead(argv[2], false);
      if (v === undefined) return c.error(NO_SUCH_KEY);
      if (encodingOf(v) !== sub) return c.error(`ERR Not a ${sub} encoded object.`);
      c.reply.simple(sub === 'listpack' ? 'Listpack structure printed on stdout' : 'Quicklist structure printed on stdout');
      return;
    }
    case 'populate':
      if (argc < 3 || argc > 5) break;
      return debugPopulate(c, argv);
    case 'digest':
      if (argc !== 2) break;
      c.reply.simple(datasetDigest(server.keyspace.dbs));
      return;
    case 'digest-value':
      c.reply.arrayHeader(argc - 2);
      for (let j = 2; j < argc; j++) c.reply.simple(keyDigest(c.db, argv[j]));
      return;
    case 'protocol':
      if (argc !== 3) break;
      return debugProtocol(c, argv[2]);
    case 'sleep': {
      if (argc !== 3) break;
      const usec = Math.trunc(strtodPrefix(argv[2]) * 1e6);
      blockingSleep(usec / 1000);
      c.reply.ok();
      return;
    }
    case 'set-active-expire':
      if (argc !== 3) break;
      server.activeExpireEnabled = atoi(argv[2]) !== 0;
      c.reply.ok();
      return;
    case 'quicklist-packed-threshold': {
      if (argc !== 3) break;
      const sz = memToBytes(argv[2]);
      if (sz === null || sz > 2 ** 32 - 2 ** 20) {
        c.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
        return;
      }
      server.debugKnobs.quicklistPackedThreshold = sz === 0 ? 1 << 30 : sz;
      c.reply.ok();
      return;
    }
    case 'set-skip-checksum-validation':
      if (argc !== 3) break;
      server.debugKnobs.skipChecksumValidation = atoi(argv[2]) !== 0;
      c.reply.ok();
      return;
    case 'aof-flush-sleep':
      if (argc !== 3) break;
      server.debugKnobs.aofFlushSleep = atoi(argv[2]);
      c.reply.ok();
      return;
    case 'replicate':
      if (argc < 3) break;
      c.reply.ok();
      return;
    case 'error':
      if (argc !== 3) break;
      // a raw error reply: Redis does not count it in the error statistics
      c.reply.raw(`-${argv[2].replace(/[\r\n]/g, ' ')}\r\n`);
      return;
    case 'structsize':
      if (argc !== 2) break;
      c.reply.bulk('bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ');
      return;
    case 'htstats': {
      if (argc !== 3) break;
      const dbid = intArg(c, argv[2]);
      if (dbid === null) return;
      if (dbid < 0 || dbid >= server.keyspace.dbs.length) return c.error('ERR Out of range database');
      const db = server.keyspace.dbs[dbid];
      c.reply.verbatim(`[Dictionary HT]\n${htStats(db.dict as Dict<unknown>)}[Expires HT]\n${htStats(db.expires as Dict<unknown>)}`);
      return;
    }
    case 'htstats-key': {
      if (argc !== 3) break;
      const v = c.db.lookupRead(argv[2], false);
      if (v === undefined) return c.error(NO_SUCH_KEY);
      const enc = encodingOf(v);
      if (enc !== 'hashtable' && enc !== 'skiplist') {
        return c.error('ERR The value stored at the specified key is not represented using an hash table');
      }
      const table = (v as unknown as { dict?: unknown }).dict;
      c.reply.verbatim(table instanceof Dict ? htStats(table as Dict<unknown>) : 'Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n');
      return;
    }
    case 'change-repl-id':
      if (argc !== 2) break;
      server.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
      server.replId = randomHex40();
      server.replId2 = '0000000000000000000000000000000000000000';
      server.secondReplOffset = -1;
      c.reply.ok();
      return;
    case 'stringmatch-test':
      if (argc !== 2) break;
      stringmatchFuzz();
      c.reply.simple('Apparently Redis did not crash: test passed');
      return;
    case 'set-disable-deny-scripts':
      if (argc !== 3) break;
      server.debugKnobs.disableDenyScripts = atoi(argv[2]) !== 0;
      c.reply.ok();
      return;
    case 'client-eviction':
      if (argc !== 2) break;
      c.error('ERR maxmemory-clients is disabled.');
      return;
    case 'pause-cron':
      if (argc !== 3) break;
      server.debugKnobs.pauseCron = atoi(argv[2]) !== 0;
      c.reply.ok();
      return;
    case 'replybuffer': {
      if (argc !== 4) break;
      const what = argv[2].toLowerCase();
      if (what === 'peak-reset-time') {
        const v = argv[3].toLowerCase();
        if (v === 'never') server.debugKnobs.replyBufferPeakResetTime = -1;
        else if (v === 'reset') server.debugKnobs.replyBufferPeakResetTime = 5000;
        else {
          const n = intArg(c, argv[3]);
          if (n === null) return;
          server.debugKnobs.replyBufferPeakResetTime = n;
        }
      } else if (what === 'resizing') {
        server.debugKnobs.replyBufferResizing = atoi(argv[3]) !== 0;
      } else {
        subcommandSyntaxError(c, argv);
        return;
      }
      c.reply.ok();
      return;
    }
    case 'clusterlink':
      if (argc !== 5 || argv[2].toLowerCase() !== 'kill') break;
      c.error('ERR Debug option only available for cluster mode enabled setup!');
      return;
    default:
      break;
  }
  subcommandSyntaxError(c, argv);
}

function randomHex40(): string {
  let s = '';
  while (s.length < 40) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, 40);
}

/** Random patterns and strings through the matcher: it must terminate without throwing. */
function stringmatchFuzz(): void {
  const chars = '*?[]^-\\abc';
  for (let i = 0; i < 2000; i++) {
    let p = '';
    let s = '';
    const pl = Math.floor(Math.random() * 16);
    const sl = Math.floor(Math.random() * 16);
    for (let j = 0; j < pl; j++) p += chars[Math.floor(Math.random() * chars.length)];
    for (let j = 0; j < sl; j++) s += chars[Math.floor(Math.random() * chars.length)];
    stringMatch(p, s, i % 2 === 0);
  }
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

export function setup(server: Server): void {
  recordStartupMemory(server);
  server.cronTasks.push(() => samplePeakMemory(server));
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
  debug,
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
