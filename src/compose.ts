/*
 * The composition root: the one place where a server is built from its
 * configuration and the modules it runs.
 *
 * A module (server/module-host.ts) declares its commands and installs
 * itself on its server's host. composeServer() joins every module's
 * handlers with the command metadata into the server's own command table,
 * creates the Server with it, then installs the modules in order (gates,
 * cron tasks and listeners run in that order). bootServer() then does what
 * a started server does once: listen, load the data files, start the
 * cron. src/main.ts (nodis-server), src/index.ts (the embedding API) and
 * the tests all build servers here, so a server is the same whichever way
 * it starts, and several of them share a process without sharing state.
 */
import type { Config } from './config/config';
import { Server } from './server/server';
import type { ServerModule } from './server/module-host';
import type { Clock } from './util/clock';
import { buildTable, loadSpecs, type CommandTable, type HandlerMap } from './command-model/table';
import { FAMILY_MODULES } from './commands';
import { registerStreamPersistence } from './persistence/rdb-stream';
import { installHeapGuard } from './server/heap-guard';
import { installMaxmemory } from './server/maxmemory';
import { loadDataFromDisk } from './persistence/startup';

/** Refuses writes while the V8 heap nears its limit (OOM), and trims it when idle. */
const heapGuardModule: ServerModule = { name: 'heap-guard', install: installHeapGuard };
/** maxmemory: eviction and the OOM refusal. */
const maxmemoryModule: ServerModule = { name: 'maxmemory', install: installMaxmemory };

/** Everything a Nodis server runs, in installation order. */
export const STANDARD_MODULES: readonly ServerModule[] = [
  ...FAMILY_MODULES,
  heapGuardModule,
  maxmemoryModule,
];

/** Every module's handlers by full command name; a name claimed twice is a programming error. */
export function moduleHandlers(modules: readonly ServerModule[]): HandlerMap {
  const all: HandlerMap = {};
  for (const m of modules) {
    for (const [name, h] of Object.entries(m.commands ?? {})) {
      if (all[name]) throw new Error(`command ${name} registered twice (module ${m.name})`);
      all[name] = h;
    }
  }
  return all;
}

/** A fresh command table for these modules (one per server: statistics live in it). */
export function buildCommandTable(modules: readonly ServerModule[] = STANDARD_MODULES): CommandTable {
  const { table, problems } = buildTable(loadSpecs(), moduleHandlers(modules));
  if (problems.handlerWithoutSpec.length > 0) {
    throw new Error(`handlers without metadata: ${problems.handlerWithoutSpec.join(', ')}`);
  }
  return table;
}

export interface ComposeOptions {
  /** the modules to run; default STANDARD_MODULES */
  modules?: readonly ServerModule[];
  /** the time source every reading of the clock goes through; default the real clock */
  clock?: Clock;
}

/** A server with its modules installed, not yet listening. */
export function composeServer(config: Config, opts: ComposeOptions = {}): Server {
  const modules = opts.modules ?? STANDARD_MODULES;
  // the stream codecs of the RDB writer, reader and AOF rewrite (pure functions, the same for every server)
  registerStreamPersistence();
  const server = new Server(config, buildCommandTable(modules), { clock: opts.clock });
  for (const m of modules) m.install?.(server.host);
  return server;
}

/**
 * Listen, load the data files, start the cron. Rejects when a listener
 * cannot be bound; returns false when the data files could not be loaded
 * (the reason is logged), with the server listening but not started.
 */
export async function bootServer(server: Server): Promise<boolean> {
  await server.listen();
  if (!loadDataFromDisk(server)) return false;
  server.startCron();
  return true;
}
