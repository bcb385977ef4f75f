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
 */
import * as v8 from 'v8';
import type { Server } from './server';
import { addCommandGate } from './dispatch';
import { CMD_DENYOOM } from '../commands/table';

/**
 * Refuse growth above this fraction of the old-space limit, measured on the
 * committed heap (V8's limit applies to committed pages, which run well
 * above the live size with large values).
 */
const HIGH_WATER = 0.8;

export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

let gateInstalled = false;
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
const lastSampleInput = new WeakMap<Server, number>();

function sample(server: Server): void {
  server.heapNearLimit = v8.getHeapStatistics().total_heap_size > limit * HIGH_WATER;
  lastSampleInput.set(server, server.stats.netInputBytes);
}

export function installHeapGuard(server: Server): void {
  server.cronTasks.push(() => sample(server));
  if (gateInstalled) return;
  gateInstalled = true;
  addCommandGate((srv, c, cmd) => {
    if ((cmd.flags & CMD_DENYOOM) === 0 || !srv.heapNearLimit) return false;
    c.error(OOM_ERROR);
    return true;
  }, (srv) => {
    // input grows only between batches, when gates are re-armed: sample the heap then
    if (srv.stats.netInputBytes - (lastSampleInput.get(srv) ?? 0) > RESAMPLE_INPUT_BYTES) sample(srv);
    return srv.heapNearLimit;
  });
}
