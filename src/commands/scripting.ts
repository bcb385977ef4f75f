/*
 * Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0's
 * eval.c). Scripts run in the Lua worker through the script host
 * (src/scripting/host.ts), which also serves their redis.call requests.
 *
 * The script cache lives here, on the main thread: sha -> body (with its
 * shebang line removed but its newline kept, so line numbers hold) and the
 * shebang flags. A script enters the cache once it compiled (EVAL of a new
 * body, SCRIPT LOAD); SCRIPT FLUSH empties it and tells the worker to drop
 * its prepared chunks.
 *
 * Flags follow Redis 7.0: without a shebang a script runs in compatibility
 * mode (writes allowed, denyoom commands refused under OOM); with
 * `#!lua flags=...` the flags decide (no-writes, allow-oom, allow-stale,
 * no-cluster, allow-cross-slot-keys), and *_RO variants demand no-writes.
 * EVAL never propagates itself: the commands the script ran do (effects
 * replication), wrapped in MULTI/EXEC by the propagator when more than one.
 */
import { parseInteger } from '../util/numbers';
import { perServer } from '../server/per-server';
import { writesDenied, MISCONF_ERROR } from '../persistence/persistence';
import { OOM_ERROR } from '../server/heap-guard';
import { enoughGoodReplicas, isReadonlyReplica, isStaleReplica } from './replication';
import { createHash } from 'crypto';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from '../command-model/table';
import { CMD_ALLOW_BUSY, CMD_STALE, CMD_DENYOOM, CMD_WRITE, CMD_MAY_REPLICATE } from '../command-model/table';
import { setQueuedFlags } from '../server/transaction';
import { feedMonitors, call } from '../server/dispatch';
import type { ModuleHost } from '../server/module-host';
import { ldbEnable, ldbEnabled, ldbStart, ldbFailStart, ldbSetup } from '../scripting/ldb';
import { replyHelp } from '../command-model/args';
import { scriptHost, replyResult, localLuaMemoryBytes } from '../scripting/host';
import { MODE_EVAL, MODE_CHECK } from '../scripting/channel';
import { usedMemory, excludeFromUsedMemory } from '../server/memory';
import { splitArgs } from '../protocol/split-args';
import { bytesToHuman } from '../info/format';
import { functionsState, functionsMemory } from './functions';

export const SF_NO_WRITES = 1;
export const SF_ALLOW_OOM = 2;
export const SF_ALLOW_STALE = 4;
export const SF_NO_CLUSTER = 8;
export const SF_ALLOW_CROSS_SLOT = 16;
/** no shebang: Redis 7.0's backwards compatible mode */
export const SF_COMPAT = 32;

export const SCRIPT_FLAG_NAMES: [string, number][] = [
  ['no-writes', SF_NO_WRITES],
  ['allow-oom', SF_ALLOW_OOM],
  ['allow-stale', SF_ALLOW_STALE],
  ['no-cluster', SF_NO_CLUSTER],
  ['allow-cross-slot-keys', SF_ALLOW_CROSS_SLOT],
];

interface CachedScript {
  body: string;
  flags: number;
}

export const scriptCache = perServer(() => new Map<string, CachedScript>());

/** Bytes the cached scripts take (INFO used_memory_scripts_eval), roughly as Redis counts them. */
export function scriptsMemory(server: Server): number {
  let n = 0;
  for (const [sha, s] of scriptCache(server)) n += sha.length + s.body.length + 64;
  return n;
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** The shebang's flags and the body without it; a string is an error message. */
export function parseShebang(body: string): { flags: number; body: string } | string {
  if (!body.startsWith('#!')) return { flags: SF_COMPAT, body };
  const nl = body.indexOf('\n');
  if (nl < 0) return 'Invalid script shebang';
  const parts = splitArgs(body.slice(0, nl));
  if (parts === null || parts.length === 0) return 'Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith('flags=')) {
      const list = p.slice(6);
      if (list === '') continue;
      for (const f of list.split(',')) {
        const e = SCRIPT_FLAG_NAMES.find(([n]) => n === f);
        if (e === undefined) return `Unexpected flag in script shebang: ${f}`;
        flags |= e[1];
      }
    } else {
      return `Unknown lua shebang option: ${p}`;
    }
  }
  return { flags, body: body.slice(nl) };
}

/**
 * Compile a body without running it. Returns null when it compiles, or
 * Lua's message ("user_script:1: ...").
 */
export function compileCheck(server: Server, body: string, chunkName: string): string | null {
  const host = scriptHost(server);
  const r = host.runSync({
    caller: host.client,
    mode: MODE_CHECK,
    key: '\0check',
    name: chunkName,
    body: '',
    nkeys: 0,
    args: [body, chunkName],
    readOnly: true,
    allowOom: true,
    isFunction: false,
    timeoutMs: 10000,
    timeoutError: 'compilation timed out',
  });
  if (r.kind === 'reply') {
    const s = r.bytes.toString('latin1', 0, r.bytes.length);
    if (s.startsWith(':')) return null;
    const nl = s.indexOf('\r\n');
    return s.slice(nl + 2, s.length - 2);
  }
  return r.kind === 'error' ? r.msg : 'Error compiling script';
}

/** Add a script to the cache (compiling it first). Returns the sha, or replies an error and returns null. */
function createScript(c: Client, body: string): string | null {
  const cache = scriptCache(c.server);
  const sha = sha1hex(body);
  if (cache.has(sha)) return sha;
  const sb = parseShebang(body);
  if (typeof sb === 'string') {
    c.error(`ERR ${sb}`);
    return null;
  }
  const err = compileCheck(c.server, sb.body, '@user_script');
  if (err !== null) {
    c.error(`ERR Error compiling script (new function): ${err}`);
    return null;
  }
  cache.set(sha, { body: sb.body, flags: sb.flags });
  return sha;
}

/**
 * The checks Redis's scriptPrepareForRun makes on a script's flags before it
 * runs. Returns the error to reply, or null.
 */
export function checkScriptFlags(c: Client, flags: number, ro: boolean): string | null {
  const server = c.server;
  // a stale replica refuses scripts that do not declare allow-stale (EVAL without flags included)
  if ((flags & SF_ALLOW_STALE) === 0 && !c.isMaster && isStaleReplica(server)) {
    return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  }
  if ((flags & SF_COMPAT) !== 0) return null;
  if ((flags & SF_ALLOW_OOM) === 0 && server.config.maxmemory > 0 && (flags & SF_NO_WRITES) === 0 && usedMemory() > server.config.maxmemory) {
    return OOM_ERROR;
  }
  if ((flags & SF_NO_WRITES) === 0 && !c.isMaster) {
    // a script that may write needs what a write needs: Redis refuses it before it starts, as a
    // write command, in processCommand's order
    if (writesDenied(server)) return MISCONF_ERROR;
    if (!enoughGoodReplicas(server)) return 'NOREPLICAS Not enough good replicas to write.';
    if (isReadonlyReplica(server)) return "READONLY You can't write against a read only replica.";
  }
  if ((flags & SF_NO_WRITES) === 0 && ro) return 'ERR Can not execute a script with write flag using *_ro command.';
  return null;
}

/** Redis's scriptFlagsToCmdFlags: the flags of an EVAL/FCALL running a script that declares `flags`. */
export function scriptCommandFlags(cmdFlags: number, flags: number): number {
  if ((flags & SF_COMPAT) !== 0) return cmdFlags;
  let f = cmdFlags & ~(CMD_STALE | CMD_DENYOOM | CMD_WRITE | CMD_MAY_REPLICATE);
  if ((flags & (SF_ALLOW_OOM | SF_NO_WRITES)) === 0) f |= CMD_DENYOOM;
  if ((flags & SF_NO_WRITES) === 0) f |= CMD_WRITE;
  if ((flags & SF_ALLOW_STALE) !== 0) f |= CMD_STALE;
  return f;
}

/**
 * The flags of a queued EVAL (MULTI): those its script declares. The body's
 * shebang tells them (a cached script holds what its shebang says).
 */
function evalQueuedFlags(_c: Client, cmdFlags: number, argv: string[]): number {
  const sb = parseShebang(argv[1]);
  return typeof sb === 'string' ? cmdFlags : scriptCommandFlags(cmdFlags, sb.flags);
}

/** The flags of a queued EVALSHA: those of the cached script, else the command's. */
function evalshaQueuedFlags(c: Client, cmdFlags: number, argv: string[]): number {
  const cached = scriptCache(c.server).get(argv[1].toLowerCase());
  return cached === undefined ? cmdFlags : scriptCommandFlags(cmdFlags, cached.flags);
}

function evalGeneric(c: Client, argv: string[], evalsha: boolean, ro: boolean): void {
  const server = c.server;
  const debug = ldbEnabled(c) && !c.isScriptClient && c.multi.queued < 0;
  if (debug && evalsha) {
    c.error('ERR Please use EVAL instead of EVALSHA for debugging');
    return;
  }
  // with the debugger on, a bad EVAL ends the session it opened
  const fail = debug ? (msg: string) => ldbFailStart(c, msg) : (msg: string) => c.error(msg);
  // string2ll's rules: no sign but '-', no leading zeros, within 64 bits (beyond 2^53 only its sign matters here)
  const nk = parseInteger(argv[2]);
  if (nk === null) {
    fail('ERR value is not an integer or out of range');
    return;
  }
  if (nk > argv.length - 3) {
    fail("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (nk < 0) {
    fail("ERR Number of keys can't be negative");
    return;
  }
  const cache = scriptCache(server);
  let sha: string | null;
  if (evalsha) {
    sha = argv[1].toLowerCase();
    if (!cache.has(sha)) {
      c.error('NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
  } else {
    sha = createScript(c, argv[1]);
    if (sha === null) return;
  }
  const script = cache.get(sha) as CachedScript;
  if (debug) {
    const cmd = c.cmd;
    ldbStart(c, sha, script.body, ro, () => {
      if (cmd !== null) call(server, c, cmd, argv);
    });
    return;
  }
  const refusal = checkScriptFlags(c, script.flags, ro);
  if (refusal !== null) {
    c.error(refusal);
    return;
  }
  // scripts are shown to MONITOR before the commands they run (EVAL itself skips the usual feed)
  if (server.monitors.size > 0) feedMonitors(server, c, argv, server.clock.mono());
  const host = scriptHost(server);
  host.execute({
    caller: c,
    mode: MODE_EVAL,
    key: sha,
    name: sha,
    body: script.body,
    nkeys: nk,
    args: argv.slice(3),
    readOnly: ro || (script.flags & SF_NO_WRITES) !== 0,
    allowOom: (script.flags & SF_ALLOW_OOM) !== 0,
    isFunction: false,
    done: (r) => replyResult(c, r),
    argv,
  });
  // effects replication: the script's commands propagated themselves
  server.propagator.explicit = true;
}

function evalCmd(c: Client, argv: string[]): void {
  evalGeneric(c, argv, false, false);
}
function evalshaCmd(c: Client, argv: string[]): void {
  evalGeneric(c, argv, true, false);
}
function evalRoCmd(c: Client, argv: string[]): void {
  evalGeneric(c, argv, false, true);
}
function evalshaRoCmd(c: Client, argv: string[]): void {
  evalGeneric(c, argv, true, true);
}

function scriptLoad(c: Client, argv: string[]): void {
  const sha = createScript(c, argv[2]);
  if (sha !== null) c.reply.bulk(sha);
}

function scriptExists(c: Client, argv: string[]): void {
  const cache = scriptCache(c.server);
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.int(cache.has(argv[i].toLowerCase()) ? 1 : 0);
}

function scriptFlush(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  if (argv.length === 3) {
    const m = argv[2].toLowerCase();
    if (m !== 'sync' && m !== 'async') {
      c.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      return;
    }
  }
  scriptCache(c.server).clear();
  scriptHost(c.server).forget();
  c.reply.ok();
}

function scriptKill(c: Client): void {
  const err = scriptHost(c.server).kill(false);
  if (err === null) c.reply.ok();
  else c.error(err);
}

/** SCRIPT DEBUG YES|SYNC|NO: the next EVAL opens a debugger session (src/scripting/ldb.ts). */
function scriptDebug(c: Client, argv: string[]): void {
  if (c.reply.len > 0) {
    c.error('ERR SCRIPT DEBUG must be called outside a pipeline');
    return;
  }
  const mode = argv[2].toLowerCase();
  if (mode !== 'yes' && mode !== 'sync' && mode !== 'no') {
    c.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
    return;
  }
  ldbEnable(c, mode !== 'no');
  c.reply.ok();
}

function scriptHelp(c: Client): void {
  replyHelp(c, 'SCRIPT', [
    'DEBUG (YES|SYNC|NO)',
    '    Set the debug mode for subsequent scripts executed.',
    'EXISTS <sha1> [<sha1> ...]',
    '    Return information about the existence of the scripts in the script cache.',
    'FLUSH [ASYNC|SYNC]',
    '    Flush the Lua scripts cache. Very dangerous on replicas.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the scripts cache.',
    '    * SYNC: Synchronously flush the scripts cache.',
    'KILL',
    '    Kill the currently executing Lua script.',
    'LOAD <script>',
    '    Load a script into the scripts cache without executing it.',
  ]);
}

let localMemoryExcluded = false;

export function install(host: ModuleHost): void {
  const server = host.server;
  setQueuedFlags(server, 'eval', evalQueuedFlags);
  setQueuedFlags(server, 'eval_ro', evalQueuedFlags);
  setQueuedFlags(server, 'evalsha', evalshaQueuedFlags);
  setQueuedFlags(server, 'evalsha_ro', evalshaQueuedFlags);
  // a debugger session ends with its client
  ldbSetup(server);
  // while a script runs past busy-reply-threshold, only allow-busy commands pass
  host.addCommandGate((srv, _c, cmd) => {
    if (!srv.scriptBusy || (cmd.flags & CMD_ALLOW_BUSY) !== 0) return false;
    return scriptHost(srv).busyError;
  }, (srv) => srv.scriptBusy);
  const LUA_VM_BASE = 32768;
  // the in-process engine's wasm heap is Lua's memory, not the dataset's (one reader per process)
  if (!localMemoryExcluded) {
    localMemoryExcluded = true;
    excludeFromUsedMemory(localLuaMemoryBytes);
  }
  const evalMem = (srv: Server): number => scriptsMemory(srv);
  host.provideInfoField('used_memory_lua', () => LUA_VM_BASE);
  host.provideInfoField('used_memory_vm_eval', () => LUA_VM_BASE);
  host.provideInfoField('used_memory_lua_human', () => bytesToHuman(LUA_VM_BASE));
  host.provideInfoField('used_memory_scripts_eval', evalMem);
  host.provideInfoField('number_of_cached_scripts', (srv) => scriptCache(srv).size);
  host.provideInfoField('number_of_functions', (srv) => functionsState(srv).functions.size);
  host.provideInfoField('number_of_libraries', (srv) => functionsState(srv).libraries.size);
  host.provideInfoField('used_memory_vm_functions', () => LUA_VM_BASE);
  host.provideInfoField('used_memory_vm_total', () => 2 * LUA_VM_BASE);
  host.provideInfoField('used_memory_vm_total_human', () => bytesToHuman(2 * LUA_VM_BASE));
  host.provideInfoField('used_memory_functions', (srv) => functionsMemory(srv));
  host.provideInfoField('used_memory_scripts', (srv) => evalMem(srv) + functionsMemory(srv));
  host.provideInfoField('used_memory_scripts_human', (srv) => bytesToHuman(evalMem(srv) + functionsMemory(srv)));
}

export const handlers: HandlerMap = {
  eval: evalCmd,
  evalsha: evalshaCmd,
  eval_ro: evalRoCmd,
  evalsha_ro: evalshaRoCmd,
  'script|load': scriptLoad,
  'script|exists': scriptExists,
  'script|flush': scriptFlush,
  'script|kill': scriptKill,
  'script|debug': scriptDebug,
  'script|help': scriptHelp,
};
