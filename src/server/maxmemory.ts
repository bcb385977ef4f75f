/*
 * maxmemory: with a limit set and the memory in use above it, commands
 * that may grow memory (flag denyoom; for EXEC, any such queued command)
 * are refused with Redis's OOM error, as with maxmemory-policy noeviction;
 * inside MULTI every command but EXEC, DISCARD, QUIT and RESET is.
 *
 * Memory in use is the V8 heap in use plus off-heap buffers, the figure
 * INFO reports as used_memory. Key eviction for the other policies is not
 * done yet: the heap figure includes garbage until the next collection, so
 * evicting "until below the limit" needs an allocation-accurate measure
 * first (docs/compatibility.md); until then every policy refuses like
 * noeviction rather than evicting.
 */
import type { Server } from './server';
import { addCommandGate } from './dispatch';
import { CMD_DENYOOM } from '../commands/table';
import { usedMemory } from '../info/memory';
import { OOM_ERROR } from './heap-guard';

let installed = false;

export function installMaxmemory(_server: Server): void {
  if (installed) return;
  installed = true;
  addCommandGate((srv, c, cmd) => {
    const limit = srv.config.maxmemory;
    if (limit <= 0 || c.isMaster) return false;
    const name = cmd.name;
    const flags = name === 'exec' ? c.multiCmdFlags : cmd.flags;
    // queueing in MULTI takes memory too: only EXEC, DISCARD, QUIT and RESET pass
    const inMulti = c.multiQueued >= 0 && name !== 'exec' && name !== 'discard' && name !== 'quit' && name !== 'reset';
    if ((flags & CMD_DENYOOM) === 0 && !inMulti) return false;
    if (usedMemory() <= limit) return false;
    return OOM_ERROR;
  });
}
