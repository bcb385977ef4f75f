/*
 * DEBUG, as Redis's debug.c: the test and diagnosis subcommands.
 *
 * DEBUG is refused by the dispatcher unless enable-debug-command allows it
 * (the spec carries Redis's hidden "protected" flag). Its subcommands and
 * their replies follow Redis 7.0.15; those tied to the C implementation
 * (allocator, sds, listpack dumps) answer what Redis answers for the cases
 * Nodis can be in. RELOAD, LOADAOF and CONFIG-REWRITE-FORCE-ALL run through
 * the hooks modules install on their server's host (server/module-host.ts):
 * persistence installs RELOAD's save/flush/load, the AOF LOADAOF, the
 * configuration CONFIG-REWRITE-FORCE-ALL; without a hook RELOAD and LOADAOF
 * keep the dataset as it is, as they do on a Redis without persistence.
 */
import type { Client } from '../server/client';
import { stringMatch } from '../util/glob';
import type { HandlerMap } from '../command-model/table';
import { replyHelp, intArg, subcommandSyntaxError } from '../command-model/args';
import { datasetDigest, keyDigest } from '../info/digest';
import { encodingOf, type RedisValue, stringOf, isStringValue } from '../keyspace/values';
import { parseInteger } from '../util/numbers';
import { Dict, hashString } from '../types/dict';
import { jemallocSize } from '../types/mem-estimate';
import { fixed } from '../info/format';

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
      const reload = server.host.debug.reload;
      if (reload !== undefined) {
        const err = reload(opts);
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
      const loadAof = server.host.debug.loadAof;
      if (loadAof !== undefined) {
        const err = loadAof();
        if (err !== null) return c.error(err);
      }
      server.keyspace.dirty = 0;
      server.log.warning('Append Only File loaded by DEBUG LOADAOF');
      c.reply.ok();
      return;
    }
    case 'config-rewrite-force-all': {
      if (argc !== 2) break;
      const rewrite = server.host.debug.configRewriteForceAll;
      const err = rewrite !== undefined ? rewrite() : 'ERR CONFIG-REWRITE-FORCE-ALL failed: Operation not supported';
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

export const handlers: HandlerMap = {
  debug,
};
