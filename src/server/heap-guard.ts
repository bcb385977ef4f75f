/*
 * Heap guard: V8 aborts the process when its heap limit is reached, which a
 * Redis user would see as a crash. The cron samples the heap (cheaply, hz
 * times a second) and, while usage is above a high-water mark of the limit,
 * commands that may grow memory (flag denyoom) are refused with Redis's
 * -OOM error, as Redis does above maxmemory. Reads and deletes still work,
 * so the dataset can be shrunk.
 *
 * bin/nodis-server sizes the heap limit from physical memory; maxmemory,
 * when set, is enforced below it by the eviction subsystem.
 *
 * Idle trim. V8's full collections only compact the most fragmented pages,
 * so after a write burst the old space keeps many half-empty pages (15-20%
 * of a keyspace built by SETs) and the process stays that much bigger than
 * its live data, where Redis's allocator reuses the holes. When the server
 * has been idle (no command) for IDLE_MS and the heap has grown notably
 * since the last trim, one full collection that evacuates every fragmented
 * page is run (V8's compact-on-every-full-gc turned on for that collection
 * only). It costs a pause proportional to the live heap (about 3 ms per MB),
 * taken only while no command is being served, at most once per idle period.
 * Needs gc exposed (--expose-gc, as bin/nodis-server does).
 */
import { fullGc, gcAvailable } from '../util/gc';
import * as v8 from 'v8';
import type { Server } from './server';
import type { ModuleHost } from './module-host';
import { CMD_DENYOOM } from '../command-model/table';

/**
 * Refuse growth above this fraction of the old-space limit, measured on the
 * committed heap (V8's limit applies to committed pages, which run well
 * above the live size with large values).
 */
const HIGH_WATER = 0.8;

export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/**
 * V8 dies when the old generation exceeds --max-old-space-size; heap_size_limit
 * also counts the young generation, so take the old-space budget from the
 * flag when given (bin/nodis-server always gives it).
 */
function oldSpaceLimit(): number {
  for (const a of process.execArgv) {
    const m = /^--max-old-space-size=(\d+)$/.exec(a);
    if (m) return Number(m[1]) * 1024 * 1024;
  }
  return v8.getHeapStatistics().heap_size_limit - 48 * 1024 * 1024;
}
const limit = oldSpaceLimit();
/** Memory can only grow about as fast as bytes arrive: re-sample after this much input. */
const RESAMPLE_INPUT_BYTES = Math.floor(limit / 100);

function sample(server: Server): void {
  server.heapNearLimit = v8.getHeapStatistics().total_heap_size > limit * HIGH_WATER;
  server.heapSampleInput = server.stats.netInputBytes;
}

/** Idle time before a trim. */
const IDLE_MS = 1000;
/** Heap growth since the last trim that makes another one worth its pause. */
const TRIM_GROWTH_BYTES = 16 * 1024 * 1024;
const TRIM_GROWTH_RATIO = 1.1;

interface TrimState {
  lastCommands: number;
  lastActive: number;
  /** committed heap right after the last trim (or at startup), or the least seen since */
  base: number;
  /** a trim already ran in this idle period */
  done: boolean;
}

function idleTrim(server: Server, st: TrimState, now: number): void {
  const n = server.stats.numCommands;
  if (n !== st.lastCommands) {
    st.lastCommands = n;
    st.lastActive = now;
    st.done = false;
    return;
  }
  if (st.done || now - st.lastActive < IDLE_MS) return;
  st.done = true;
  const committed = v8.getHeapStatistics().total_heap_size;
  // growth counts from the smallest the heap has been since (it shrinks after deletions)
  if (committed < st.base) st.base = committed;
  if (committed < st.base * TRIM_GROWTH_RATIO + TRIM_GROWTH_BYTES) return;
  if (!fullGc({ compact: true })) return;
  st.base = v8.getHeapStatistics().total_heap_size;
}

export function installHeapGuard(host: ModuleHost): void {
  const server = host.server;
  host.addCronTask(() => sample(server));
  // the "background thread" of lazily freed values (keyspace/lazyfree.ts)
  host.addCronTask(() => server.keyspace.lazyfree.background());
  if (gcAvailable()) {
    const st: TrimState = { lastCommands: -1, lastActive: 0, base: v8.getHeapStatistics().total_heap_size, done: false };
    // real time: trimming the heap of an idle process is about the OS, not time a client sees pass
    host.addCronTask(() => idleTrim(server, st, Date.now()));
  }
  host.addCommandGate((srv, c, cmd) => {
    if ((cmd.flags & CMD_DENYOOM) === 0 || !srv.heapNearLimit) return false;
    c.error(OOM_ERROR);
    return true;
  }, (srv) => {
    // input grows only between batches, when gates are re-armed: sample the heap then
    if (srv.stats.netInputBytes - srv.heapSampleInput > RESAMPLE_INPUT_BYTES) sample(srv);
    return srv.heapNearLimit;
  });
}
