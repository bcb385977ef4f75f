/*
 * Functions (Redis 7.0's functions.c / function_lua.c): FUNCTION LOAD,
 * DELETE, FLUSH, LIST, DUMP, RESTORE, STATS, KILL, HELP and FCALL/FCALL_RO.
 *
 * A library is kept as its code (FUNCTION DUMP, FUNCTION LIST WITHCODE and
 * an RDB's function section serialise the code, as Redis does) plus what
 * loading it registered: function names, descriptions and flags. Loading
 * runs the library in the Lua worker in "load mode" (redis.register_function
 * collects the functions, bounded by Redis's 500 ms load timeout); FCALL runs
 * the library's chunk again in the worker and calls the named function with
 * KEYS and ARGV (the worker keeps no Lua state between runs).
 *
 * Names of libraries and functions are case-insensitive (maps keyed by the
 * lower-cased name), as in Redis.
 *
 * Invariants: every function name maps to exactly one library; a library
 * has at least one function; replacing a library is all-or-nothing.
 */
import type { ModuleHost } from '../server/module-host';
import { performance } from 'node:perf_hooks';
import { perServer } from '../server/per-server';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from '../command-model/table';
import { intArg, replyHelp } from '../command-model/args';
import { scriptHost, replyResult, type RunResult, type ScriptHost } from '../scripting/host';
import { MODE_FCALL, MODE_LOAD } from '../scripting/channel';
import { compileCheck, checkScriptFlags, scriptCommandFlags, SCRIPT_FLAG_NAMES, SF_NO_WRITES, SF_ALLOW_OOM } from './scripting';
import { setQueuedFlags } from '../server/transaction';
import { splitArgs } from '../protocol/split-args';
import { feedMonitors } from '../server/dispatch';
import { crc64LE } from '../persistence/crc64';
import { persistenceState } from '../persistence/persistence';
import { stringMatch } from '../util/glob';

interface FunctionInfo {
  name: string;
  description: string | null;
  flags: number;
  lib: Library;
}

interface Library {
  name: string;
  /** the whole code, shebang included (DUMP, LIST WITHCODE) */
  code: string;
  /** the code after the shebang line (its newline kept) */
  body: string;
  functions: Map<string, FunctionInfo>;
  /** chunk key in the Lua worker (changes when the library is replaced) */
  key: string;
}

interface FunctionsState {
  libraries: Map<string, Library>;
  functions: Map<string, FunctionInfo>;
}

let keySeq = 0;

export const functionsState = perServer((): FunctionsState => ({ libraries: new Map(), functions: new Map() }));

/** Bytes the libraries take (INFO used_memory_functions / used_memory_vm_functions), roughly. */
export function functionsMemory(server: Server): number {
  let n = 0;
  for (const lib of functionsState(server).libraries.values()) n += lib.code.length + 200 + lib.functions.size * 100;
  return n;
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

/** Parse a library's metadata line; a string is the error to reply. */
function parseLibrary(code: string): { name: string; body: string } | string {
  if (!code.startsWith('#!')) return 'ERR Missing library metadata';
  const nl = code.indexOf('\n');
  if (nl < 0) return 'ERR Invalid library metadata';
  const parts = splitArgs(code.slice(0, nl));
  if (parts === null || parts.length === 0) return 'ERR Invalid library metadata';
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].toLowerCase().startsWith('name=')) {
      if (name !== null) return 'ERR Invalid metadata value, name argument was given multiple times';
      name = parts[i].slice(5);
    }
    else return `ERR Invalid metadata value given: ${parts[i]}`;
  }
  if (name === null) return 'ERR Library name was not given';
  if (engine.toLowerCase() !== 'lua') return `ERR Engine '${engine}' not found`;
  if (!NAME_RE.test(name)) return 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
  return { name, body: code.slice(nl) };
}

/**
 * Compile and run a library in load mode. Returns the library, or the error
 * to reply (the engines then drop its chunk). Without `replace`, a library
 * of that name must not exist in `st`.
 */
function createLibrary(server: Server, code: string, replace: boolean, st: FunctionsState): Library | string {
  const md = parseLibrary(code);
  if (typeof md === 'string') return md;
  const existing = st.libraries.get(md.name.toLowerCase());
  if (existing !== undefined && !replace) return `ERR Library '${md.name}' already exists`;
  const cerr = compileCheck(server, md.body, '@user_function');
  if (cerr !== null) return `ERR Error compiling function: ${cerr}`;
  const host = scriptHost(server);
  const key = `\0lib:${md.name}:${++keySeq}`;
  const r = host.runSync({
    caller: host.client,
    mode: MODE_LOAD,
    key,
    name: md.name,
    body: md.body,
    nkeys: 0,
    args: [],
    readOnly: true,
    allowOom: true,
    isFunction: true,
    timeoutMs: 500,
  });
  const fail = (msg: string): string => {
    host.forget(key);
    return msg;
  };
  if (r.kind === 'error') {
    return fail(r.msg.startsWith('ERR Error registering functions') ? r.msg : `ERR Error registering functions: ${r.msg}`);
  }
  if (r.kind !== 'loaded') return fail('ERR Error registering functions');
  const fns = JSON.parse(r.json) as { name: string; description: string | null; flags: string[] }[];
  if (fns.length === 0) return fail('ERR No functions registered');
  const lib: Library = { name: md.name, code, body: md.body, functions: new Map(), key };
  for (const f of fns) {
    let flags = 0;
    for (const fl of f.flags) {
      const e = SCRIPT_FLAG_NAMES.find(([n]) => n === fl);
      if (e !== undefined) flags |= e[1];
    }
    lib.functions.set(f.name, { name: f.name, description: f.description, flags, lib });
  }
  return lib;
}

/**
 * Add (or replace) libraries all at once; returns an error when a function
 * name is taken by another library. The engines drop the chunks of what
 * left: the libraries replaced, or on an error the ones that came (their
 * memory is bounded).
 */
function joinLibraries(st: FunctionsState, libs: Library[], host: ScriptHost): string | null {
  for (const lib of libs) {
    for (const fname of lib.functions.keys()) {
      const owner = st.functions.get(fname.toLowerCase());
      if (owner !== undefined && owner.lib.name !== lib.name) {
        for (const l of libs) host.forget(l.key);
        return `ERR Function ${fname} already exists`;
      }
    }
  }
  for (const lib of libs) {
    const old = st.libraries.get(lib.name.toLowerCase());
    if (old !== undefined) {
      removeLibrary(st, old);
      if (old.key !== lib.key) host.forget(old.key);
    }
    st.libraries.set(lib.name.toLowerCase(), lib);
    for (const f of lib.functions.values()) st.functions.set(f.name.toLowerCase(), f);
  }
  return null;
}

/** FUNCTION LOAD's core (also an RDB image's libraries): create the library and add it; the library, or an error. */
function loadLibrary(server: Server, code: string, replace: boolean): Library | string {
  const st = functionsState(server);
  const lib = createLibrary(server, code, replace, st);
  if (typeof lib === 'string') return lib;
  const err = joinLibraries(st, [lib], scriptHost(server));
  return err === null ? lib : err;
}

function removeLibrary(st: FunctionsState, lib: Library): void {
  st.libraries.delete(lib.name.toLowerCase());
  for (const f of lib.functions.keys()) st.functions.delete(f.toLowerCase());
}

function functionLoad(c: Client, argv: string[]): void {
  let replace = false;
  let i = 2;
  while (i < argv.length - 1) {
    const a = argv[i++];
    if (a.toLowerCase() === 'replace') {
      replace = true;
      continue;
    }
    c.error(`ERR Unknown option given: ${a}`);
    return;
  }
  if (i >= argv.length) {
    c.error('ERR Function code is missing');
    return;
  }
  const lib = loadLibrary(c.server, argv[i], replace);
  if (typeof lib === 'string') {
    c.error(lib);
    return;
  }
  c.server.keyspace.dirty++;
  c.reply.bulk(lib.name);
}

function functionDelete(c: Client, argv: string[]): void {
  const st = functionsState(c.server);
  const lib = st.libraries.get(argv[2].toLowerCase());
  if (lib === undefined) {
    c.error('ERR Library not found');
    return;
  }
  removeLibrary(st, lib);
  scriptHost(c.server).forget(lib.key);
  c.server.keyspace.dirty++;
  c.reply.ok();
}

function functionFlush(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.error("ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.");
    return;
  }
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode !== 'sync' && mode !== 'async') {
      c.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      return;
    }
  }
  flushFunctions(c.server);
  c.server.keyspace.dirty++;
  c.reply.ok();
}

export function flushFunctions(server: Server): void {
  const st = functionsState(server);
  const host = scriptHost(server);
  for (const lib of st.libraries.values()) host.forget(lib.key);
  st.libraries.clear();
  st.functions.clear();
}

function functionList(c: Client, argv: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'withcode' && !withCode) {
      withCode = true;
    } else if (a === 'libraryname' && pattern === null) {
      if (i + 1 >= argv.length) {
        c.error('ERR library name argument was not given');
        return;
      }
      pattern = argv[++i];
    } else {
      c.error(`ERR Unknown argument ${argv[i]}`);
      return;
    }
  }
  const st = functionsState(c.server);
  const libs = [...st.libraries.values()].filter((l) => pattern === null || stringMatch(pattern, l.name, false));
  const w = c.reply;
  w.arrayHeader(libs.length);
  for (const lib of libs) {
    w.mapHeader(withCode ? 4 : 3);
    w.bulk('library_name');
    w.bulk(lib.name);
    w.bulk('engine');
    w.bulk('LUA');
    w.bulk('functions');
    w.arrayHeader(lib.functions.size);
    for (const f of lib.functions.values()) {
      w.mapHeader(3);
      w.bulk('name');
      w.bulk(f.name);
      w.bulk('description');
      if (f.description === null) w.nullBulk();
      else w.bulk(f.description);
      w.bulk('flags');
      const names = SCRIPT_FLAG_NAMES.filter(([, bit]) => (f.flags & bit) !== 0).map(([n]) => n);
      w.setHeader(names.length);
      for (const n of names) w.bulk(n);
    }
    if (withCode) {
      w.bulk('library_code');
      w.bulk(lib.code);
    }
  }
}

/* FUNCTION DUMP / RESTORE: Redis's payload (function opcodes, RDB version, CRC-64) */
const RDB_OPCODE_FUNCTION = 246;
const RDB_OPCODE_FUNCTION2 = 245;
const RDB_VERSION = 10;

function rdbLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.allocUnsafe(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

export function dumpFunctions(server: Server): Buffer {
  const parts: Buffer[] = [];
  for (const lib of functionsState(server).libraries.values()) {
    parts.push(Buffer.from([RDB_OPCODE_FUNCTION2]), rdbLength(lib.code.length), Buffer.from(lib.code, 'latin1'));
  }
  parts.push(Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8]));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, crc64LE(body)]);
}

function functionDump(c: Client): void {
  c.reply.bulkBytes(dumpFunctions(c.server));
}

class PayloadReader {
  pos = 0;
  constructor(readonly b: Buffer) {}
  length(): { n: number; enc: number } | null {
    if (this.pos >= this.b.length) return null;
    const t = this.b[this.pos++];
    const kind = t >> 6;
    if (kind === 0) return { n: t & 0x3f, enc: -1 };
    if (kind === 1) {
      if (this.pos >= this.b.length) return null;
      return { n: ((t & 0x3f) << 8) | this.b[this.pos++], enc: -1 };
    }
    if (kind === 2) {
      if (t === 0x80) {
        if (this.pos + 4 > this.b.length) return null;
        const n = this.b.readUInt32BE(this.pos);
        this.pos += 4;
        return { n, enc: -1 };
      }
      if (t === 0x81) {
        if (this.pos + 8 > this.b.length) return null;
        const n = Number(this.b.readBigUInt64BE(this.pos));
        this.pos += 8;
        return { n, enc: -1 };
      }
      return null;
    }
    return { n: 0, enc: t & 0x3f };
  }
  string(): string | null {
    const l = this.length();
    if (l === null) return null;
    if (l.enc < 0) {
      if (this.pos + l.n > this.b.length) return null;
      const s = this.b.toString('latin1', this.pos, this.pos + l.n);
      this.pos += l.n;
      return s;
    }
    const b = this.b;
    if (l.enc === 0) return this.pos < b.length ? String(b.readInt8(this.pos++)) : null;
    if (l.enc === 1) {
      if (this.pos + 2 > b.length) return null;
      const v = b.readInt16LE(this.pos);
      this.pos += 2;
      return String(v);
    }
    if (l.enc === 2) {
      if (this.pos + 4 > b.length) return null;
      const v = b.readInt32LE(this.pos);
      this.pos += 4;
      return String(v);
    }
    if (l.enc === 3) {
      const clen = this.length();
      const ulen = this.length();
      if (clen === null || ulen === null || this.pos + clen.n > b.length) return null;
      const out = lzfDecompress(b.subarray(this.pos, this.pos + clen.n), ulen.n);
      this.pos += clen.n;
      return out === null ? null : out.toString('latin1');
    }
    return null;
  }
}

/** LZF decompression (the format of Redis's compressed RDB strings). */
function lzfDecompress(src: Buffer, outLen: number): Buffer | null {
  const out = Buffer.alloc(outLen);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > src.length) return null;
      src.copy(out, op, ip, ip + ctrl);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) {
        if (ip >= src.length) return null;
        len += src[ip++];
      }
      if (ip >= src.length) return null;
      ref -= src[ip++];
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  return op === outLen ? out : null;
}

/** Library codes held in a dump payload, or null when it is invalid. */
function parseDump(payload: Buffer): string[] | null {
  if (payload.length < 10) return null;
  const body = payload.subarray(0, payload.length - 8);
  const ver = body.readUInt16LE(body.length - 2);
  if (ver > RDB_VERSION) return null;
  if (!crc64LE(body).equals(payload.subarray(payload.length - 8))) return null;
  const r = new PayloadReader(body.subarray(0, body.length - 2));
  const codes: string[] = [];
  while (r.pos < r.b.length) {
    const op = r.b[r.pos++];
    if (op === RDB_OPCODE_FUNCTION2) {
      const code = r.string();
      if (code === null) return null;
      codes.push(code);
    } else if (op === RDB_OPCODE_FUNCTION) {
      // the pre-GA format: name, engine, optional description, code
      const name = r.string();
      const engine = r.string();
      const hasDesc = r.length();
      if (name === null || engine === null || hasDesc === null) return null;
      if (hasDesc.n) r.string();
      const code = r.string();
      if (code === null) return null;
      codes.push(code);
    } else {
      return null;
    }
  }
  return codes;
}

function functionRestore(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    c.error("ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.");
    return;
  }
  let policy = 'append';
  if (argv.length === 4) {
    policy = argv[3].toLowerCase();
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      c.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
  }
  const codes = parseDump(Buffer.from(argv[2], 'latin1'));
  if (codes === null) {
    c.error('ERR payload version or checksum are wrong');
    return;
  }
  const server = c.server;
  const st = functionsState(server);
  // build the new libraries aside, then swap them in
  const scratch: FunctionsState = { libraries: new Map(), functions: new Map() };
  const host = scriptHost(server);
  // on failure, the worker drops the chunks of the libraries built aside
  const fail = (msg: string): void => {
    for (const lib of scratch.libraries.values()) host.forget(lib.key);
    c.error(msg);
  };
  for (const code of codes) {
    const lib = createLibrary(server, code, false, scratch);
    if (typeof lib === 'string') {
      fail(lib);
      return;
    }
    const e = joinLibraries(scratch, [lib], host);
    if (e !== null) {
      fail(e);
      return;
    }
  }
  const libs = [...scratch.libraries.values()];
  if (policy === 'flush') {
    flushFunctions(server);
  } else if (policy === 'append') {
    for (const lib of libs) {
      if (st.libraries.has(lib.name.toLowerCase())) {
        fail(`ERR Library ${lib.name} already exists`);
        return;
      }
    }
  }
  const err = joinLibraries(st, libs, host);
  if (err !== null) {
    fail(err);
    return;
  }
  server.keyspace.dirty++;
  c.reply.ok();
}

function functionStats(c: Client): void {
  const server = c.server;
  const host = scriptHost(server);
  const w = c.reply;
  w.mapHeader(2);
  w.bulk('running_script');
  const run = host.running;
  if (run === null || !run.run.isFunction || run.run.caller === host.client) {
    w.nullArray();
  } else {
    w.mapHeader(3);
    w.bulk('name');
    w.bulk(run.run.name);
    w.bulk('command');
    w.bulkArray(run.run.argv ?? []);
    w.bulk('duration_ms');
    w.int(Math.floor(performance.now() - run.start)); // real time, as the script's start (scripting/host.ts)
  }
  const st = functionsState(server);
  w.bulk('engines');
  w.mapHeader(1);
  w.bulk('LUA');
  w.mapHeader(2);
  w.bulk('libraries_count');
  w.int(st.libraries.size);
  w.bulk('functions_count');
  w.int(st.functions.size);
}

function functionKill(c: Client): void {
  const err = scriptHost(c.server).kill(true);
  if (err === null) c.reply.ok();
  else c.error(err);
}

function functionHelp(c: Client): void {
  replyHelp(c, 'FUNCTION', [
    'LOAD [REPLACE] <FUNCTION CODE>',
    '    Create a new library with the given library name and code.',
    'DELETE <LIBRARY NAME>',
    '    Delete the given library.',
    'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'STATS',
    '    Return information about the current function running:',
    '    * Function name',
    '    * Command used to run the function',
    '    * Duration in MS that the function is running',
    '    If no function is running, return nil',
    '    In addition, returns a list of available engines.',
    'KILL',
    '    Kill the current running function.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
    'DUMP',
    '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
    'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
    '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
    '    control how to handle existing libraries (default APPEND):',
    '    * FLUSH: delete all existing libraries.',
    '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
    '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
    '      libraries with the new libraries (notice that even on this option there is a chance of failure',
    '      in case of functions name collision with another library).',
  ]);
}

function fcallGeneric(c: Client, argv: string[], ro: boolean): void {
  const server = c.server;
  const st = functionsState(server);
  const fn = st.functions.get(argv[1].toLowerCase());
  if (fn === undefined) {
    c.error('ERR Function not found');
    return;
  }
  const nk = intArg(c, argv[2], 'ERR Bad number of keys provided');
  if (nk === null) return;
  if (nk > argv.length - 3) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (nk < 0) {
    c.error("ERR Number of keys can't be negative");
    return;
  }
  const refusal = checkScriptFlags(c, fn.flags, ro);
  if (refusal !== null) {
    c.error(refusal);
    return;
  }
  const lib = fn.lib;
  if (server.monitors.size > 0) feedMonitors(server, c, argv, server.clock.mono());
  scriptHost(server).execute({
    caller: c,
    mode: MODE_FCALL,
    key: lib.key,
    name: fn.name,
    body: lib.body,
    nkeys: nk,
    args: argv.slice(3),
    readOnly: ro || (fn.flags & SF_NO_WRITES) !== 0,
    allowOom: (fn.flags & SF_ALLOW_OOM) !== 0,
    isFunction: true,
    done: (r: RunResult) => replyResult(c, r),
    argv,
  });
  server.propagator.explicit = true;
}

function fcall(c: Client, argv: string[]): void {
  fcallGeneric(c, argv, false);
}

function fcallRo(c: Client, argv: string[]): void {
  fcallGeneric(c, argv, true);
}

export function install(host: ModuleHost): void {
  const server = host.server;
  // a queued FCALL (MULTI) has the flags its function declares
  const fcallFlags = (c: Client, cmdFlags: number, argv: string[]): number => {
    const fn = functionsState(c.server).functions.get(argv[1].toLowerCase());
    return fn === undefined ? cmdFlags : scriptCommandFlags(cmdFlags, fn.flags);
  };
  setQueuedFlags(server, 'fcall', fcallFlags);
  setQueuedFlags(server, 'fcall_ro', fcallFlags);
  // libraries travel in RDB images (SAVE, DEBUG RELOAD, a replica's full sync, the AOF base)
  persistenceState(server).functions = {
    codes: (server) => [...functionsState(server).libraries.values()].map((lib) => lib.code),
    load: (server, code, replace) => {
      // errors as Redis logs them ("Failed loading library, <error>"): without the ERR code
      const lib = loadLibrary(server, code, replace);
      return typeof lib === 'string' ? lib.replace(/^ERR /, '') : null;
    },
    clear: (server) => flushFunctions(server),
  };
}

export const handlers: HandlerMap = {
  'function|load': functionLoad,
  'function|delete': functionDelete,
  'function|flush': functionFlush,
  'function|list': functionList,
  'function|dump': functionDump,
  'function|restore': functionRestore,
  'function|stats': functionStats,
  'function|kill': functionKill,
  'function|help': functionHelp,
  fcall,
  fcall_ro: fcallRo,
};

