/*
 * Script host: the main thread's side of scripting. Runs scripts and serves
 * their redis.call/pcall requests against the dataset, as Redis's
 * scriptCall() does. Two engines run scripts, both driven by the same code
 * (lua-worker.ts) and the same RUN/CALL/LOG/DONE messages:
 *
 * - In process (the fast path): a second engine on the main thread, whose
 *   messages are handled by direct calls (LocalPeer): no thread crossing.
 *   A script runs there first under a budget: LOCAL_FUEL Lua instructions
 *   (the engine's instruction hook) and LOCAL_MS milliseconds (checked at
 *   each redis.call), both cut to about half busy-reply-threshold when
 *   that is small. The main thread
 *   cannot serve -BUSY or SCRIPT KILL while it runs Lua itself, so a script
 *   that outgrows the budget is abandoned: the host exhausts its fuel (it
 *   fails at its next hook even inside pcall), answers nothing more, and
 *   drops its outcome. Every command the attempt ran is in the journal with
 *   its reply (and every redis.log), in order.
 * - The Lua worker: the abandoned script runs again from its start there;
 *   its first CALLs and LOGs are answered from the journal (checked to be
 *   the same requests) instead of running again, then it goes on for real.
 *   Scripts are deterministic given their commands' replies, so the client
 *   sees one run, and each command ran once. Scripts that use math.random
 *   always run in the worker (one engine draws the whole sequence), as do
 *   FUNCTION LOAD and runs with a time limit; a failure of the in-process
 *   engine (a trap, its fixed memory exhausted) sends the run to the worker
 *   too, and a fresh in-process engine is started.
 *
 * In the worker a script runs synchronously at first: the main thread sends
 * it and waits on the shared channel (spinning briefly, then Atomics.wait in
 * slices), executing each command the script sends. Scripts are therefore
 * atomic, like in Redis. Once a script has run longer than
 * busy-reply-threshold (lua-time-limit, counted from the in-process
 * attempt's start), the main thread stops waiting synchronously and goes back
 * to the event loop, serving the worker from Atomics.waitAsync: other clients
 * then get -BUSY (a dispatch gate) except for the commands flagged allow-busy
 * (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, ...). The calling client
 * reads no more input until the script ends.
 *
 * Killing a script terminates the worker; a fresh one starts at once (its
 * chunk cache is empty, so bodies are sent again on the next run).
 *
 * Invariants: at most one script runs (`running`); while it runs in async
 * mode `busy` is true; the script's commands run through dispatch's call()
 * with a dedicated client (no socket: MONITOR shows it as "lua") whose clock
 * is frozen at the script's start; commands replayed from the journal leave
 * that client as the attempt left it (SELECT), since they ran already.
 */
import { performance } from 'node:perf_hooks';
import { perServer } from '../server/per-server';
import { aclScriptCheck } from '../server/acl-check';
import { aclAllowed } from '../commands/acl';
import { enoughGoodReplicas, isReadonlyReplica, isStaleReplica } from '../commands/replication';
import { writesDenied, MISCONF_ERROR } from '../persistence/persistence';
import { OOM_ERROR } from '../server/heap-guard';

/** the internal call behind redis.acl_check_cmd (see lua-worker.ts) */
const ACL_CHECK_CALL = '\0acl-check';
/** the internal call behind redis.set_repl: where the script's next commands propagate */
const SET_REPL_CALL = '\0set-repl';
import { Worker, MessageChannel } from 'worker_threads';
import * as path from 'path';
import type { Server } from '../server/server';
import { Client } from '../server/client';
import { call } from '../server/dispatch';
import {
  ChannelEnd, MsgWriter, MsgReader, CTL_BYTES, DATA_BYTES, W_READY,
  OP_RUN, OP_REPLY, OP_CALL, OP_LOG, OP_DONE, DONE_REPLY, DONE_LOADED,
  MODE_EVAL, MODE_FCALL, MODE_CHECK, type Peer,
} from './channel';
import { startLocal, type LocalLua } from './lua-worker';
import {
  CMD_WRITE, CMD_NOSCRIPT, CMD_DENYOOM, CMD_MAY_REPLICATE, CMD_STALE, type Command,
} from '../command-model/table';
import { usedMemory } from '../server/memory';
import { TO_AOF, TO_REPLICAS } from '../server/propagation';

export interface ScriptRun {
  /** client that issued EVAL/FCALL */
  caller: Client;
  mode: number;
  /** chunk key in the worker, and the name errors show (sha or function name) */
  key: string;
  name: string;
  /** body to send when the worker may not have the chunk */
  body: string;
  nkeys: number;
  args: string[];
  /** refuse writes (EVAL_RO, FCALL_RO, no-writes) */
  readOnly: boolean;
  /** allow-oom flag */
  allowOom: boolean;
  /** function (FCALL) rather than EVAL: changes the BUSY and kill texts */
  isFunction: boolean;
  /** the command that started it (FUNCTION STATS) */
  argv?: string[];
  /** internal runs (compile checks, FUNCTION LOAD): stop after this long (ms) instead of going busy */
  timeoutMs?: number;
  /** the error reported when timeoutMs passes */
  timeoutError?: string;
  /** called with the outcome once the script ended (sync or async) */
  done: (r: RunResult) => void;
}

export type RunResult =
  | { kind: 'reply'; bytes: Buffer }
  | { kind: 'error'; msg: string; counted: boolean }
  | { kind: 'loaded'; json: string };

interface Running {
  run: ScriptRun;
  start: number;
  wrote: boolean;
  oomAtStart: boolean;
  async: boolean;
  now: number;
  /** last error a redis.call returned (not counted twice in errorstats) */
  lastCallError: string;
  /** running in process (the attempt): the CALLs and LOGs it made go to the journal */
  local: boolean;
  /** the in-process attempt was cut short: its outcome is dropped, the worker replays it */
  abandoned: boolean;
  /** replay in the worker: the journal's next entry and its end */
  replayAt: number;
  replayEnd: number;
  /** redis.set_repl: TO_AOF | TO_REPLICAS for the script's next commands */
  replFlags: number;
}

/** Atomics.waitAsync (Node 20; not in the ES2022 typings) */
interface AtomicsAsync {
  waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string };
}

/**
 * Rounds of spinning before sleeping on the channel. On a quiet 2-core
 * machine a spin of 20000 rounds (tens of µs) triples EVALSHA throughput
 * against a spin of 100 (about 0.1 -> 0.3 of Redis), because a sleeping
 * thread's wake-up is what dominates a short script; on a machine loaded
 * beyond its cores spinning steals CPU from the other side, so the spin is
 * bounded and the NODIS_LUA_*SPIN variables tune it.
 */
const SYNC_SPIN = Number(process.env.NODIS_LUA_SPIN ?? 20000);

/**
 * In-process runs: a script first runs on the main thread with at most
 * LOCAL_FUEL Lua instructions and LOCAL_MS milliseconds (checked at each
 * redis.call); one that needs more moves to the worker (see execute()).
 * NODIS_LUA_LOCAL=0 sends every script to the worker.
 */
const LOCAL_ON = process.env.NODIS_LUA_LOCAL !== '0';
const LOCAL_FUEL = Number(process.env.NODIS_LUA_LOCAL_FUEL ?? 5_000_000);
const LOCAL_MS = Number(process.env.NODIS_LUA_LOCAL_MS ?? 100);

/** the reply to a redis.call the abandoned attempt makes after its budget ran out (never seen by a client) */
const ABANDONED_REPLY = '-ERR script moved to the Lua worker\r\n';

/** the in-process engines the hosts hold (one per thread, but a broken one until its host drops it) */
const heldLocals = new Set<LocalLua>();

/**
 * Bytes of the in-process engines' memory (their fixed wasm heaps): what the
 * hosts hold, read without a host or a server (used memory leaves it out).
 */
export function localLuaMemoryBytes(): number {
  let bytes = 0;
  for (const l of heldLocals) bytes += l.memoryBytes();
  return bytes;
}

const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

export class ScriptHost {
  private readonly server: Server;
  private worker: Worker | null = null;
  private end: ChannelEnd | null = null;
  private readonly out = new MsgWriter();
  /** the chunks the current worker holds */
  private readonly workerChunks = new EngineChunks();
  running: Running | null = null;
  /** a script ran past busy-reply-threshold: other clients get -BUSY (the server's scriptBusy is the one flag) */
  get busy(): boolean {
    return this.server.scriptBusy;
  }
  /** the client script commands run with */
  readonly client: Client;
  /** the in-process engine, once started */
  private local: LocalLua | null = null;
  private localStarting = false;
  private localUnavailable = false;
  /** the instruction budget the in-process engine has */
  private localFuelSet = LOCAL_FUEL;
  /** the chunks the in-process engine holds */
  private readonly localChunks = new EngineChunks();
  /** per chunk key: may it run in process (no math.random, whose sequence is the worker's) */
  private localOk = new Map<string, boolean>();
  /** the CALLs (message and reply) and LOGs of the current in-process attempt */
  private journal = new MsgWriter();
  /** the script's side of in-process runs: its messages are handled as they are sent */
  private readonly localPeer: LocalPeer;
  /** the host's side: answers to the script, read back by its receive() */
  private readonly localReplies: LocalReplies;
  private readonly localRun = new MsgReader();

  constructor(server: Server) {
    this.server = server;
    const c = new Client(server, null, 0, server.keyspace.dbs[0], '', '', -1);
    c.denyBlocking = true;
    c.authenticated = true;
    c.isScriptClient = true;
    this.client = c;
    this.localReplies = new LocalReplies();
    this.localPeer = new LocalPeer(this, this.localReplies);
  }

  get busyError(): string {
    return this.running !== null && this.running.run.isFunction ? BUSY_FUNCTION : BUSY_EVAL;
  }

  private startWorker(): void {
    const sab = new SharedArrayBuffer(CTL_BYTES + DATA_BYTES);
    const { port1, port2 } = new MessageChannel();
    const w = new Worker(path.join(__dirname, 'lua-worker.js'), {
      workerData: { sab, port: port2 },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    w.unref();
    w.on('error', (e) => this.server.log.warning(`Lua worker error: ${e.message}`));
    w.on('exit', () => {
      // a worker that stopped by itself (engine failure) is replaced on the next run
      if (this.worker === w) {
        const st = this.running;
        this.worker = null;
        this.end = null;
        if (st !== null && st.async) {
          this.finish(st, { kind: 'error', msg: `ERR Error running script ${st.run.name}, the Lua VM stopped`, counted: false });
        }
      }
    });
    this.worker = w;
    this.end = new ChannelEnd(sab, port1, false);
    port1.unref();
    this.workerChunks.reset();
  }

  private startLocal(): void {
    if (!LOCAL_ON || this.local !== null || this.localStarting || this.localUnavailable) return;
    this.localStarting = true;
    void startLocal(LOCAL_FUEL).then((l) => {
      this.localStarting = false;
      this.local = l;
      if (l !== null) heldLocals.add(l);
      this.localFuelSet = LOCAL_FUEL;
      // another server of this process has it, or the engine's layout is not the expected one
      if (l === null) this.localUnavailable = true;
      this.localChunks.reset();
    });
  }

  private ready(): ChannelEnd | null {
    if (this.end !== null && Atomics.load(this.end.ctl, W_READY) === 3) this.terminate();
    if (this.worker === null) this.startWorker();
    const end = this.end as ChannelEnd;
    const ctl = end.ctl;
    const deadline = Date.now() + 30000; // real time: waiting for the worker thread to boot
    while (Atomics.load(ctl, W_READY) === 0 && Date.now() < deadline) Atomics.wait(ctl, W_READY, 0, 100);
    return Atomics.load(ctl, W_READY) === 1 ? end : null;
  }

  /** SCRIPT FLUSH / FUNCTION changes: both engines drop the chunk (all of them without a key) before their next run. */
  forget(key?: string): void {
    if (key === undefined) {
      this.workerChunks.forgetAll();
      this.localChunks.forgetAll();
      this.localOk.clear();
    } else {
      this.workerChunks.forget(key);
      this.localChunks.forget(key);
      this.localOk.delete(key);
    }
  }

  /**
   * Run a script. Returns once it ended (run.done already called) or, when
   * it outlived busy-reply-threshold, once it went on in the background.
   */
  execute(run: ScriptRun): void {
    const server = this.server;
    const sc = this.client;
    sc.db = run.caller.db;
    // the caller is the current client while its script runs (tracking's NOLOOP, invalidation order)
    sc.scriptCaller = run.caller;
    sc.scriptCallerArgv = run.argv ?? null;
    sc.reply.resp = 2;
    const maxmem = server.config.maxmemory;
    const st: Running = {
      run,
      // real time: busy-reply-threshold and the script budget measure how long it holds the CPU
      start: performance.now(),
      wrote: false,
      oomAtStart: maxmem > 0 && usedMemory() > maxmem,
      async: false,
      now: server.keyspace.now,
      lastCallError: '',
      local: false,
      abandoned: false,
      replayAt: 0,
      replayEnd: 0,
      replFlags: TO_AOF | TO_REPLICAS,
    };
    this.running = st;
    if (this.local === null) this.startLocal();
    else if (((run.timeoutMs === undefined && (run.mode === MODE_EVAL || run.mode === MODE_FCALL)) || run.mode === MODE_CHECK) && this.mayRunLocally(run)) {
      if (this.runLocal(st)) return;
      // the attempt outgrew its budget: the worker runs the script from its start, its
      // first commands answered from the journal (they ran already), then on for real
      st.replayAt = 0;
      st.replayEnd = this.journal.len;
    }
    const end = this.ready();
    if (end === null) {
      this.running = null;
      run.done({ kind: 'error', msg: 'ERR Error running script: the Lua engine could not start', counted: false });
      return;
    }
    end.send(this.workerChunks.writeRun(this.out.reset().u8(OP_RUN), run));
    // synchronous phase
    const threshold = server.config.busyReplyThreshold;
    for (;;) {
      const r = end.receive(10, SYNC_SPIN);
      if (r !== null) {
        if (this.handle(st, r, end)) return;
        // a script busy with redis.call()s must go busy too: fall through to the time check
      } else if (Atomics.load(end.ctl, W_READY) === 3) {
        this.terminate();
        this.finish(st, { kind: 'error', msg: `ERR Error running script ${run.name}, the Lua VM stopped`, counted: false });
        return;
      }
      const elapsed = performance.now() - st.start;
      if (run.timeoutMs !== undefined) {
        if (elapsed >= run.timeoutMs) {
          this.running = null;
          this.terminate();
          run.done({ kind: 'error', msg: run.timeoutError ?? 'ERR Error registering functions: FUNCTION LOAD timeout', counted: false });
          return;
        }
        continue;
      }
      if (threshold > 0 && elapsed >= threshold) break;
    }
    // the script outlived the threshold: serve it from the event loop
    st.async = true;
    // also holds the blocking manager: commands allowed meanwhile (PING in a HELLO, CLIENT ...)
    // must not serve blocked clients mid-script
    server.scriptBusy = true;
    run.caller.busyScript = true;
    server.log.warning(`Slow script detected: still in execution after ${Math.round(performance.now() - st.start)} milliseconds. You can try killing the script using the ${run.isFunction ? 'FUNCTION KILL' : 'SCRIPT KILL'} command.`);
    this.pumpAsync(st, end);
  }

  /**
   * Scripts that use math.random stay in the worker: its generator is
   * seeded once per engine, so one engine must produce the whole sequence
   * (and a replay must draw the same numbers as the attempt).
   */
  private mayRunLocally(run: ScriptRun): boolean {
    let ok = this.localOk.get(run.key);
    if (ok === undefined) {
      ok = !run.body.includes('random');
      this.localOk.set(run.key, ok);
    }
    return ok;
  }

  /**
   * Run an internal script (compile check, FUNCTION LOAD, a debugger's
   * command) to its end before returning: with a time limit it never goes
   * on in the background (execute() calls done() before it returns). Its outcome.
   */
  runSync(run: Omit<ScriptRun, 'done' | 'timeoutMs'> & { timeoutMs: number }): RunResult {
    let res!: RunResult;
    this.execute({
      ...run,
      done: (r) => {
        res = r;
      },
    });
    return res;
  }

  /** The in-process attempt's time budget (ms): well below busy-reply-threshold. */
  private localBudgetMs(): number {
    const threshold = this.server.config.busyReplyThreshold;
    return threshold > 0 ? Math.min(LOCAL_MS, threshold / 2) : LOCAL_MS;
  }

  /**
   * Its instruction budget: LOCAL_FUEL, or less when busy-reply-threshold is
   * small (the engine runs some 100k instructions per ms), so that a busy
   * script still goes -BUSY about on time.
   */
  private localFuel(): number {
    const threshold = this.server.config.busyReplyThreshold;
    return threshold > 0 ? Math.max(10_000, Math.min(LOCAL_FUEL, Math.floor(threshold * 50_000))) : LOCAL_FUEL;
  }

  /**
   * Run a script in process. True when it ended (run.done called); false
   * when it outgrew its budget: then nothing it did reached a client, and
   * the journal holds the commands it ran (with their replies) and its logs.
   */
  private runLocal(st: Running): boolean {
    const local = this.local as LocalLua;
    const fuel = this.localFuel();
    if (fuel !== this.localFuelSet) {
      local.setFuel(fuel);
      this.localFuelSet = fuel;
    }
    const w = this.localChunks.writeRun(this.out.reset().u8(OP_RUN), st.run);
    const r = this.localRun;
    r.buf = w.buf;
    r.pos = 1;
    r.end = w.len;
    this.journal.reset();
    st.local = true;
    this.localPeer.st = st;
    let failure: unknown = null;
    try {
      local.run(this.localPeer, r);
    } catch (e) {
      failure = e;
    }
    st.local = false;
    this.localPeer.st = null;
    if (local.broken) {
      // start a fresh engine for the next scripts (it starts with no chunks)
      heldLocals.delete(local);
      this.local = null;
      this.startLocal();
    } else if (st.abandoned) {
      // what a long script left behind would crowd the next ones
      local.collect();
    }
    if (this.running !== st) {
      // the script ended (finish() ran) and what failed came after (e.g. in done()): it is not the engine's
      if (failure !== null) throw failure;
      return true;
    }
    if (failure !== null && !st.abandoned) {
      this.finish(st, { kind: 'error', msg: `ERR Error running script, the Lua engine failed: ${(failure as Error).message}`, counted: false });
      return true;
    }
    return false;
  }

  /** A message the in-process script sent (its reply, if any, goes to `to` before this returns). */
  localMessage(st: Running, r: MsgReader, to: LocalReplies): void {
    const op = r.buf[0];
    const j = this.journal;
    if (op === OP_DONE) {
      // a script that ran out of fuel may have caught the error and ended anyway: its outcome is void;
      // so is a failure of this engine (its memory is fixed, and garbage of earlier scripts counts)
      const local = this.local as LocalLua;
      if (st.abandoned || local.failing || local.fuelLeft() <= 0) {
        st.abandoned = true;
        return;
      }
      this.handle(st, r, to);
      return;
    }
    if (!st.abandoned && performance.now() - st.start > this.localBudgetMs()) {
      st.abandoned = true;
      (this.local as LocalLua).exhaustFuel();
    }
    if (st.abandoned) {
      // the script stops at its next instruction hook; what it asks now runs in the worker
      to.send(op === OP_CALL ? this.out.reset().u8(OP_REPLY).raw(ABANDONED_REPLY) : this.out.reset().u8(OP_REPLY));
      return;
    }
    j.u8(op).bytes(r.buf, 0, r.end);
    this.handle(st, r, to);
    if (op === OP_CALL) j.bytes(this.out.buf, 1, this.out.len);
  }

  /**
   * In the worker's run of an abandoned attempt: answer a CALL or LOG from
   * the journal. False when the script asked something else than the
   * attempt did (it is not deterministic): the journal is dropped and the
   * request runs for real.
   */
  private replay(st: Running, r: MsgReader, op: number, to: { send(w: MsgWriter): void }): boolean {
    const j = this.journal.buf;
    let at = st.replayAt;
    const jop = j[at++];
    const n = j.readUInt32LE(at);
    at += 4;
    if (jop !== op || n !== r.end || j.compare(r.buf, 0, r.end, at, at + n) !== 0) {
      this.replayDiverged(st);
      return false;
    }
    at += n;
    const w = this.out.reset().u8(OP_REPLY);
    if (op === OP_CALL) {
      const m = j.readUInt32LE(at);
      at += 4;
      w.tail(j, at, at + m);
      if (m > 0 && j[at] === 45) st.lastCallError = j.toString('latin1', at + 1, at + m - 2);
      at += m;
    }
    st.replayAt = at;
    to.send(w);
    return true;
  }

  private replayDiverged(st: Running): void {
    this.server.log.warning(`Script ${st.run.name} did not repeat in the Lua worker what it did on the main thread; its remaining commands run as they come.`);
    st.replayAt = st.replayEnd;
  }

  private pumpAsync(st: Running, end: ChannelEnd): void {
    const step = (): void => {
      // the script ended meanwhile (killed, or the worker stopped)
      if (this.running !== st) return;
      const server = this.server;
      server.propagator.beginUnit();
      try {
        while (end.hasMessage()) {
          const r = end.take();
          server.keyspace.now = st.now;
          if (this.handle(st, r, end)) return;
        }
      } finally {
        server.propagator.endUnit();
      }
      const res = (Atomics as unknown as AtomicsAsync).waitAsync(end.ctl, end.waitWord, end.seenValue, 1000);
      if (res.async) void (res.value as Promise<string>).then(step);
      else setImmediate(step);
    };
    step();
  }

  /** Handle one message from the script (`to` takes the answer); true when the script ended. */
  private handle(st: Running, r: MsgReader, to: { send(w: MsgWriter): void }): boolean {
    if (to === this.end && Atomics.load(this.end.ctl, W_READY) === 3) {
      // the worker died under the script (the VM failed): report it, start afresh next time
      this.terminate();
      this.finish(st, { kind: 'error', msg: `ERR Error running script ${st.run.name}, the Lua VM stopped`, counted: false });
      return true;
    }
    const op = r.u8();
    if (st.replayAt < st.replayEnd && (op === OP_CALL || op === OP_LOG) && this.replay(st, r, op, to)) return false;
    if (op === OP_CALL) {
      const resp = r.u8() as 2 | 3;
      const argc = r.u32();
      const argv: string[] = new Array(argc);
      for (let i = 0; i < argc; i++) argv[i] = r.str();
      const sc = this.client;
      sc.reply.len = 0;
      sc.reply.resp = resp;
      this.scriptCall(st, argv);
      if (sc.reply.len > 0 && sc.reply.buf[0] === 45) {
        // an error redis.call/pcall got was counted then: not again if the script ends with it
        st.lastCallError = sc.reply.buf.toString('latin1', 1, sc.reply.len - 2);
      }
      this.out.reset().u8(OP_REPLY).tail(sc.reply.buf, 0, sc.reply.len);
      sc.reply.len = 0;
      to.send(this.out);
      return false;
    }
    if (op === OP_LOG) {
      const level = r.u8();
      const msg = r.str();
      const log = this.server.log;
      if (level <= 0) log.debug(msg);
      else if (level === 1) log.verbose(msg);
      else if (level === 2) log.notice(msg);
      else log.warning(msg);
      to.send(this.out.reset().u8(OP_REPLY));
      return false;
    }
    if (op === OP_DONE) {
      if (st.replayAt < st.replayEnd) this.replayDiverged(st);
      const kind = r.u8();
      let res: RunResult;
      // in process, done() consumes the reply before the script's writer is reused: no copy
      if (kind === DONE_REPLY) res = { kind: 'reply', bytes: st.local ? r.tail() : Buffer.from(r.tail()) };
      else if (kind === DONE_LOADED) res = { kind: 'loaded', json: r.str() };
      else {
        r.u8();
        const msg = r.str();
        res = { kind: 'error', msg, counted: st.lastCallError !== '' && msg.startsWith(st.lastCallError) };
      }
      this.finish(st, res);
      return true;
    }
    return false;
  }

  private finish(st: Running, res: RunResult): void {
    this.running = null;
    // a journal that held big replies is not kept
    if (this.journal.buf.length > 1 << 20) this.journal = new MsgWriter();
    const wasAsync = st.async;
    this.server.scriptBusy = false;
    const caller = st.run.caller;
    caller.busyScript = false;
    st.run.done(res);
    if (wasAsync) {
      const server = this.server;
      if (!caller.closed) {
        server.flush(caller);
        server.processInput(caller);
        server.flush(caller);
      }
      if (server.blocking.hasReadyKeys) server.blocking.handleReady();
    }
  }

  /** Redis's scriptCall(): the checks a command from a script must pass, then the command. */
  private scriptCall(st: Running, argv: string[]): void {
    const server = this.server;
    const sc = this.client;
    const w = sc.reply;
    if (argv.length === 0) {
      w.raw('-ERR Please specify at least one argument for this redis lib call\r\n');
      return;
    }
    if (argv[0] === ACL_CHECK_CALL) {
      this.aclCheckCmd(st, argv.slice(1));
      return;
    }
    if (argv[0] === SET_REPL_CALL) {
      st.replFlags = Number(argv[1]) & (TO_AOF | TO_REPLICAS);
      w.raw('+OK\r\n');
      return;
    }
    let cmd: Command | undefined = server.commands.lookup(argv[0]);
    if (cmd !== undefined && cmd.subcommands !== null && argv.length >= 2) {
      const sub = cmd.subcommands.get(argv[1].toLowerCase());
      if (sub === undefined) {
        sc.cmd = null;
        w.raw(`-ERR unknown subcommand '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.\r\n`);
        return;
      }
      cmd = sub;
    }
    if (cmd === undefined) {
      sc.error('ERR Unknown Redis command called from script');
      return;
    }
    sc.cmd = cmd;
    // refusals count in errorstats and as rejected calls of the command, as in Redis
    const reject = (msg: string): void => {
      sc.error(msg);
      (cmd as Command).stats.rejectedCalls++;
    };
    if (!cmd.arityOk(argv.length)) {
      reject('ERR Wrong number of args calling Redis command from script');
      return;
    }
    if ((cmd.flags & CMD_NOSCRIPT) !== 0 && !server.debugKnobs.disableDenyScripts) {
      reject('ERR This Redis command is not allowed from script');
      return;
    }
    if ((cmd.flags & CMD_STALE) === 0 && isStaleReplica(server)) {
      reject('ERR Can not execute the command on a stale replica');
      return;
    }
    // the caller's ACL rules apply to what its script runs (logged with context 'lua')
    const denied = aclScriptCheck(st.run.caller, cmd, argv);
    if (denied !== null) {
      w.raw(`-ERR ${denied}\r\n`);
      return;
    }
    if ((cmd.flags & CMD_WRITE) !== 0) {
      if (st.run.readOnly) {
        reject('ERR Write commands are not allowed from read-only scripts.');
        return;
      }
      // once the script wrote, the server's state can no longer fail it halfway (Redis's SCRIPT_WRITE_DIRTY)
      if (!st.wrote) {
        if (!st.run.caller.isMaster && isReadonlyReplica(server)) {
          reject("READONLY You can't write against a read only replica.");
          return;
        }
        if (writesDenied(server)) {
          reject(MISCONF_ERROR);
          return;
        }
        if (!enoughGoodReplicas(server)) {
          reject('NOREPLICAS Not enough good replicas to write.');
          return;
        }
      }
      if ((cmd.flags & CMD_DENYOOM) !== 0 && !st.run.allowOom && !st.wrote && st.oomAtStart) {
        reject(OOM_ERROR);
        return;
      }
      st.wrote = true;
    } else if ((cmd.flags & CMD_MAY_REPLICATE) !== 0 && st.run.readOnly) {
      reject('ERR Write commands are not allowed from read-only scripts.');
      return;
    }
    server.keyspace.now = st.now;
    const prop = server.propagator;
    prop.targetMask = st.replFlags;
    try {
      call(server, sc, cmd, argv);
    } finally {
      prop.targetMask = TO_AOF | TO_REPLICAS;
    }
  }

  /** redis.acl_check_cmd(): may the caller run this command line? (no ACL LOG entry, as Redis) */
  private aclCheckCmd(st: Running, argv: string[]): void {
    const w = this.client.reply;
    let cmd: Command | undefined = argv.length > 0 ? this.server.commands.lookup(argv[0]) : undefined;
    if (cmd !== undefined && cmd.subcommands !== null && argv.length >= 2) cmd = cmd.subcommands.get(argv[1].toLowerCase());
    if (cmd === undefined || !cmd.arityOk(argv.length)) {
      w.raw('-ERR Invalid command passed to redis.acl_check_cmd()\r\n');
      return;
    }
    w.raw(aclAllowed(st.run.caller, cmd, argv) ? ':1\r\n' : ':0\r\n');
  }

  /** SCRIPT KILL / FUNCTION KILL. Returns the error to reply, or null when killed. */
  kill(isFunction: boolean): string | null {
    const st = this.running;
    if (st === null || !st.async) return 'NOTBUSY No scripts in execution right now.';
    if (st.wrote) {
      return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE option.';
    }
    // SCRIPT KILL does not stop a function, nor FUNCTION KILL an EVAL: the refusal is the BUSY text
    if (st.run.isFunction !== isFunction) return st.run.isFunction ? BUSY_FUNCTION : BUSY_EVAL;
    this.terminate();
    const what = st.run.isFunction ? 'FUNCTION KILL' : 'SCRIPT KILL';
    this.finish(st, {
      kind: 'error',
      msg: `ERR Script killed by user with ${what}... script: ${st.run.name}, on @user_${st.run.isFunction ? 'function' : 'script'}:1.`,
      counted: false,
    });
    return null;
  }

  /** Stop the worker now (kill, shutdown); a new one starts for the next script. */
  terminate(): void {
    const w = this.worker;
    this.worker = null;
    this.end = null;
    if (w !== null) void w.terminate();
  }

}

/** The in-process script's peer: what it sends is handled at once, the answer waits in `replies`. */
class LocalPeer implements Peer {
  st: Running | null = null;
  private readonly r = new MsgReader();
  constructor(private readonly host: ScriptHost, private readonly replies: LocalReplies) {}

  send(w: MsgWriter): void {
    const r = this.r;
    r.buf = w.buf;
    r.pos = 0;
    r.end = w.len;
    this.host.localMessage(this.st as Running, r, this.replies);
  }

  receive(): MsgReader {
    return this.replies.take();
  }
}

/** The host's answer to the in-process script's last CALL or LOG (a view of the host's writer). */
class LocalReplies {
  private readonly r = new MsgReader();
  private pending = false;

  send(w: MsgWriter): void {
    const r = this.r;
    r.buf = w.buf;
    r.pos = 0;
    r.end = w.len;
    this.pending = true;
  }

  take(): MsgReader {
    if (!this.pending) throw new Error('no answer to the script');
    this.pending = false;
    return this.r;
  }
}

/**
 * What one engine (the worker's or the in-process one) holds of the chunks
 * (prepared script texts, by key), and what it must drop with its next run:
 * each engine has a fixed memory, so a replaced or deleted chunk must not
 * stay there. The RUN message carries both: the drops first, then the body
 * when the engine lacks the chunk.
 */
class EngineChunks {
  private readonly known = new Set<string>();
  /** chunks the engine holds that no script or library uses any more */
  private readonly dropped: string[] = [];
  /** drop every chunk the engine holds (SCRIPT FLUSH) */
  private flush = false;

  /** A fresh engine: it holds nothing. */
  reset(): void {
    this.known.clear();
    this.dropped.length = 0;
    this.flush = false;
  }

  forget(key: string): void {
    if (this.known.delete(key)) this.dropped.push(key);
  }

  forgetAll(): void {
    this.reset();
    this.flush = true;
  }

  /**
   * The rest of a RUN message (after the opcode): a byte 1 to drop every
   * chunk, 2 followed by the keys of the chunks to drop, 0 for nothing;
   * then the run, with the body when the engine lacks the chunk.
   */
  writeRun(w: MsgWriter, run: ScriptRun): MsgWriter {
    const dropped = this.dropped;
    if (this.flush) w.u8(1);
    else if (dropped.length === 0) w.u8(0);
    else {
      w.u8(2).u32(dropped.length);
      for (const k of dropped) w.str(k);
    }
    this.flush = false;
    dropped.length = 0;
    w.u8(run.mode).u8(run.caller.resp);
    const send = !this.known.has(run.key);
    w.u8(send ? 1 : 0).str(run.key).str(run.name === run.key ? '' : run.name);
    if (send) {
      w.str(run.body);
      this.known.add(run.key);
    }
    w.u32(run.nkeys).u32(run.args.length - run.nkeys);
    for (const a of run.args) w.str(a);
    return w;
  }
}

/** The server's script host (created on first use). */
export const scriptHost = perServer((server) => new ScriptHost(server));

/** Write a script's outcome as the reply of the client that ran it. */
export function replyResult(c: Client, res: RunResult): void {
  if (res.kind === 'reply') c.reply.rawBytes(res.bytes);
  else if (res.kind === 'error') {
    if (res.counted) {
      // counted in errorstats when the command failed; still a failed call of EVAL/FCALL
      c.reply.raw(`-${res.msg.replace(/[\r\n]/g, ' ')}\r\n`);
      c.errorInCommand = true;
    } else {
      c.error(res.msg);
    }
  }
}
