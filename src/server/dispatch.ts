/*
 * Command dispatch: Redis's processCommand() and call().
 *
 * processCommand checks, in Redis's order, everything that can refuse a
 * command before it runs (unknown command or subcommand, arity, protected
 * commands, authentication, client pause), each refusal counted as a
 * rejected call. call() runs the handler and does the bookkeeping that
 * follows every command: per-command statistics, failed calls, SLOWLOG,
 * the latency monitor and histograms, MONITOR feeds, CLIENT REPLY
 * suppression.
 *
 * Inside MULTI, a command that passes every check is queued instead of
 * run (commands/multi.ts), and any refusal marks the transaction so that
 * EXEC aborts; a refused EXEC aborts the transaction at once.
 *
 * Later subsystems (ACL, OOM, read-only replicas, busy scripts, cluster
 * redirection) hook in at their place in the sequence.
 */
import type { Server } from './server';
import type { CommandGate } from './module-host';
import { type Client, REPLY_ON, REPLY_OFF, REPLY_SKIP, REPLY_SKIP_NEXT } from './client';
import {
  type Command,
  CMD_NO_AUTH, CMD_SKIP_SLOWLOG, CMD_SKIP_MONITOR, CMD_ADMIN, CMD_FAST,
  CMD_WRITE, CMD_MAY_REPLICATE, CMD_PROTECTED, CMD_NO_MULTI, CMD_READONLY,
} from '../command-model/table';
import { queueCommand, flagTransaction, isTransactionControl, execCommandAbort, commandFlags } from './transaction';
import { reprString } from '../protocol/split-args';
import { authRequired, aclCheckCall } from './acl-check';

/**
 * Gates (server/module-host.ts) that can refuse something in the server's
 * present state. Most of the time no gate can, and dispatch then runs none.
 * The armed set is recomputed when a read batch starts, for commands run
 * outside a read batch, and before the next command once server.gatesStale
 * is set: by any admin command (CONFIG SET, REPLICAOF, SAVE, DEBUG...) and
 * by the subsystems whose state the predicates read and that commands
 * change synchronously (subscriptions, tracking). Everything else that arms
 * a gate (a script going busy, a failed background save, the heap growing,
 * a replication link event) happens between batches.
 */
export function refreshGates(server: Server): void {
  server.gatesStale = false;
  const gates = server.host.gates;
  const armed = server.armedGates;
  // each predicate is asked once (the heap guard's samples the heap); a new
  // list is made only when the armed set differs from the last one
  let list: CommandGate[] | null = null;
  let n = 0;
  for (let i = 0; i < gates.length; i++) {
    if (!gates[i].armed(server)) continue;
    const check = gates[i].check;
    if (list === null && (n >= armed.length || armed[n] !== check)) list = armed.slice(0, n);
    if (list !== null) list.push(check);
    n++;
  }
  if (list === null && n < armed.length) list = armed.slice(0, n);
  if (list !== null) server.armedGates = list;
}

function reject(server: Server, c: Client, cmd: Command | null, msg: string, argv: string[]): void {
  if (cmd !== null) cmd.stats.rejectedCalls++;
  if (c.multi.queued >= 0) flagTransaction(c);
  if (cmd !== null && cmd.isExec) execCommandAbort(server, c, msg, argv);
  else c.error(msg);
}

export function executeCommand(server: Server, c: Client, argv: string[]): void {
  const replyStart = c.reply.len;
  c.pushKeep = null;
  if (!c.inRead || server.gatesStale) refreshGates(server);
  processCommand(server, c, argv);
  // CLIENT CACHING applies to the next command only (or the whole next transaction)
  if (c.tracking.caching && c.multi.queued < 0 && (c.cmd === null || c.cmd.parent === null || c.cmd.parent.name !== 'client')) {
    c.tracking.caching = false;
  }
  // CLIENT REPLY applies to every processed command, refusals included (not to one held by a pause)
  if (c.replyMode !== REPLY_ON && c.pausedArgv === null) applyReplyMode(c, replyStart);
}

/** CLIENT REPLY OFF/SKIP: drop what the command just produced; SKIP lasts one command. */
function applyReplyMode(c: Client, replyStart: number): void {
  if (c.replyMode === REPLY_OFF || c.replyMode === REPLY_SKIP) {
    // push output (pub/sub, invalidations) is never silenced: keep those ranges
    const keep = c.pushKeep;
    let end = replyStart;
    if (keep !== null) {
      const buf = c.reply.buf;
      for (let i = 0; i < keep.length; i += 2) {
        if (keep[i] < replyStart) continue;
        buf.copyWithin(end, keep[i], keep[i + 1]);
        end += keep[i + 1] - keep[i];
      }
      c.pushKeep = null;
    }
    c.reply.len = end;
  }
  if (c.replyMode === REPLY_SKIP) c.replyMode = REPLY_ON;
  else if (c.replyMode === REPLY_SKIP_NEXT) c.replyMode = REPLY_SKIP;
}

function processCommand(server: Server, c: Client, argv: string[]): void {
  // the Lua debugger's sessions (src/scripting/ldb.ts) take their client's input
  const intercept = server.host.inputInterceptor;
  if (intercept !== null && intercept(server, c, argv)) return;
  let cmd = server.commands.lookup(argv[0]);
  if (cmd === undefined) {
    c.cmd = null;
    let args = '';
    for (let i = 1; i < argv.length && args.length < 128; i++) {
      args += `'${argv[i].slice(0, 128 - args.length)}' `;
    }
    reject(server, c, null, `ERR unknown command '${argv[0].slice(0, 128)}', with args beginning with: ${args}`, argv);
    return;
  }
  if (cmd.subcommands !== null && argv.length >= 2) {
    const sub = cmd.subcommands.get(argv[1].toLowerCase());
    if (sub === undefined) {
      c.cmd = null;
      reject(server, c, null, `ERR unknown subcommand '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`, argv);
      return;
    }
    cmd = sub;
  }
  c.cmd = cmd;
  if (!cmd.arityOk(argv.length)) {
    reject(server, c, cmd, `ERR wrong number of arguments for '${cmd.fullName}' command`, argv);
    return;
  }
  if ((cmd.flags & CMD_PROTECTED) !== 0 && !protectedAllowed(server, c, cmd)) {
    const opt = cmd.fullName.startsWith('module') ? 'enable-module-command' : 'enable-debug-command';
    reject(server, c, cmd, `ERR ${cmd.fullName.startsWith('module') ? 'MODULE' : 'DEBUG'} command not allowed. If the ${opt} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`, argv);
    return;
  }
  if ((cmd.flags & CMD_NO_AUTH) === 0 && authRequired(c)) {
    reject(server, c, cmd, 'NOAUTH Authentication required.', argv);
    return;
  }
  if (c.multi.queued >= 0 && (cmd.flags & CMD_NO_MULTI) !== 0) {
    reject(server, c, cmd, 'ERR Command not allowed inside a transaction', argv);
    return;
  }
  // ACLs: the command, its keys and its channels (logged in the ACL LOG when denied)
  if (!c.aclUser.unrestricted) {
    const denied = aclCheckCall(c, cmd, argv);
    if (denied !== null) {
      reject(server, c, cmd, denied, argv);
      return;
    }
  }
  const armed = server.armedGates;
  for (let i = 0; i < armed.length; i++) {
    const refusal = armed[i](server, c, cmd, argv);
    if (refusal === false) continue;
    if (refusal === true) {
      cmd.stats.rejectedCalls++;
      if (c.multi.queued >= 0) flagTransaction(c);
    } else {
      reject(server, c, cmd, refusal, argv);
    }
    return;
  }
  if (server.pauseEnd > 0 && isPausedFor(server, c, cmd, argv)) {
    c.pausedArgv = [argv];
    return;
  }
  // inside MULTI: everything but the transaction commands themselves waits for EXEC
  if (c.multi.queued >= 0 && !isTransactionControl(cmd)) {
    queueCommand(c, cmd, argv);
    return;
  }
  const prop = server.propagator;
  prop.beginUnit();
  try {
    call(server, c, cmd, argv);
  } finally {
    prop.endUnit();
  }
  // invalidations the command caused for its own client's cache go after its reply
  server.tracking.flushPending();
  // clients blocked on keys this command (or transaction, or script) filled are served now
  if (server.blocking.hasReadyKeys && server.current === null) server.blocking.handleReady();
}

function protectedAllowed(server: Server, c: Client, cmd: Command): boolean {
  const setting = cmd.fullName.startsWith('module') ? 'no' : server.config.enableDebugCommand;
  if (setting === 'yes') return true;
  if (setting === 'local') return c.addr.startsWith('127.') || c.addr.startsWith('[::1]') || c.socket?.remoteAddress === undefined;
  return false;
}

/**
 * CLIENT PAUSE: replicas are never held; WRITE holds writes, may-replicate
 * commands (PUBLISH, PFCOUNT, EVAL/FCALL unless their script declares
 * flags) and EXEC of such.
 */
function isPausedFor(server: Server, c: Client, cmd: Command, argv: string[]): boolean {
  if (server.clock.now() >= server.pauseEnd || c.isReplica) return false;
  if (server.pauseAll) return true;
  const mask = CMD_WRITE | CMD_MAY_REPLICATE;
  return (commandFlags(c, cmd, argv) & mask) !== 0 || (c.multi.queued >= 0 && cmd.isExec && (c.multi.cmdFlags & mask) !== 0);
}

function rememberReadKeys(server: Server, c: Client, cmd: Command, argv: string[]): void {
  // most clients do not track: settle that before looking at the command
  const caller = c.isScriptClient ? c.scriptCaller : c;
  if (caller === null || !caller.tracking.enabled || caller.tracking.bcast) return;
  const name = cmd.fullName;
  if (name === 'eval_ro' || name === 'evalsha_ro' || name === 'fcall_ro') return;
  if (caller === c) server.tracking.rememberKeys(c, cmd, argv);
  else if (caller.cmd !== null && c.scriptCallerArgv !== null) server.tracking.rememberKeys(caller, caller.cmd, c.scriptCallerArgv);
}

/** Run a command and do the bookkeeping that follows it. */
export function call(server: Server, c: Client, cmd: Command, argv: string[]): void {
  const handler = cmd.handler;
  if (handler === null) return;
  c.errorInCommand = false;
  // an admin command (CONFIG SET, REPLICAOF, SAVE...) may arm a gate for the commands after it
  if ((cmd.flags & CMD_ADMIN) !== 0) server.gatesStale = true;
  const prev = server.current;
  // while a script runs, its caller stays the current client (Redis's current_client)
  server.current = c.isScriptClient && c.scriptCaller !== null ? c.scriptCaller : c;
  // Inside one read's batch, the clock read that ended the previous command starts this one.
  const clock = server.clock;
  const t0 = server.batchClock >= 0 ? server.batchClock : clock.mono();
  // commands EXEC runs (nested calls for the same client) see the instant EXEC started, as in Redis
  // (and commands of a script keep the script's start time)
  if (prev !== c && !c.isScriptClient) server.keyspace.now = Math.floor(t0 + clock.offset);
  const prop = server.propagator;
  const outerExplicit = prop.explicit;
  const outerForced = prop.forced;
  prop.explicit = false;
  prop.forced = false;
  const dirtyBefore = server.keyspace.dirty;
  try {
    handler(c, argv);
  } finally {
    server.current = prev;
  }
  // a command that changed the dataset propagates itself, unless it propagated its effect explicitly
  // (add() itself does nothing when no target wants effects)
  if ((server.keyspace.dirty > dirtyBefore || prop.forced) && !prop.explicit && !cmd.isExec) {
    prop.add(c.db.id, argv);
  }
  prop.explicit = outerExplicit;
  prop.forced = outerForced;
  // client-side caching: remember the keys a tracking client read
  // (a read inside a script tracks the keys its EVAL/FCALL declared; EVAL_RO itself tracks nothing)
  if ((cmd.flags & CMD_READONLY) !== 0) rememberReadKeys(server, c, cmd, argv);
  // big values the command freed synchronously are reclaimed inside its time, as Redis frees them
  if (server.keyspace.lazyfree.pending !== 0) server.keyspace.lazyfree.reclaim();
  // EXEC that ran commands ends when its last one did (what follows is bookkeeping): one clock read less
  let t1 = server.execEndClock;
  server.execEndClock = -1;
  if (t1 < t0) t1 = clock.mono();
  server.lastCallEnd = t1;
  // only a read's batch may reuse this reading: elsewhere (timers, tests, resumed clients) it would go stale
  server.batchClock = c.inRead ? t1 : -1;
  const elapsedMs = t1 - t0;
  const usec = Math.round(elapsedMs * 1000);
  const st = cmd.stats;
  st.calls++;
  st.usec += usec;
  if (c.errorInCommand) st.failedCalls++;
  server.stats.numCommands++;
  const cfg = server.config;
  const blockState = c.blockState;
  if (blockState !== null) {
    // a command that blocked is logged (SLOWLOG, latency histogram) when it completes (server/blocking.ts)
    blockState.argv = argv;
    blockState.usec = usec;
  } else {
    logCompletion(server, c, cmd, argv, usec, elapsedMs * 1e6);
  }
  if (cfg.latencyMonitorThreshold > 0) {
    server.latency.addSampleIfNeeded((cmd.flags & CMD_FAST) !== 0 ? 'fast-command' : 'command', Math.floor(usec / 1000), cfg.latencyMonitorThreshold);
  }
  if (server.monitors.size > 0 && (cmd.flags & (CMD_SKIP_MONITOR | CMD_ADMIN)) === 0) {
    feedMonitors(server, c, argv, t0);
  }
  c.lastCmd = cmd;
}

/**
 * A completed command's SLOWLOG entry (when over slowlog-log-slower-than)
 * and latency histogram sample: right after call(), or when a command that
 * blocked is served (server/blocking.ts).
 */
export function logCompletion(server: Server, c: Client, cmd: Command, argv: string[], usec: number, ns: number): void {
  const cfg = server.config;
  if ((cmd.flags & CMD_SKIP_SLOWLOG) === 0 && cfg.slowlogLogSlowerThan >= 0 && usec >= cfg.slowlogLogSlowerThan) {
    server.slowlog.add(argv, usec, c.addr, c.name, cfg.slowlogMaxLen);
  }
  if (cfg.latencyTracking) cmd.stats.latency.record(ns);
}

/** MONITOR line: +<unix time with µs> [<db> <addr>] "arg" "arg"... (startMs: a server.clock.mono() reading) */
export function feedMonitors(server: Server, c: Client, argv: string[], startMs: number): void {
  const t = (startMs + server.clock.offset) / 1000;
  let line = `+${t.toFixed(6)} [${c.db.id} ${c.socket ? (c.socket.remoteAddress === undefined ? `unix:${server.config.unixsocket}` : c.addr) : 'lua'}]`;
  for (const a of argv) line += ' ' + reprString(a);
  line += '\r\n';
  // a monitoring client sees its own commands too, after their reply (as in Redis)
  for (const m of server.monitors) {
    m.reply.raw(line);
    server.scheduleFlush(m);
  }
}

/** CLIENT UNPAUSE or the end of a pause: run the commands that were held, in arrival order. */
export function resumePausedClients(server: Server): void {
  server.pauseEnd = 0;
  server.pauseAll = false;
  for (const c of server.clients.values()) {
    if (c.pausedArgv === null) continue;
    const held = c.pausedArgv;
    c.pausedArgv = null;
    for (const argv of held) executeCommand(server, c, argv);
    server.processInput(c);
    server.flush(c);
  }
}
