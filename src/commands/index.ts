/*
 * All command families. Each module exports `handlers`, keyed by the
 * command's full name ("get", "config|get"), and optionally `setup(server)`
 * to install what it needs at startup (cron tasks, keyspace listeners,
 * command gates). The table joins handlers with the metadata in
 * src/commands/spec/.
 */
import { buildTable, loadSpecs, type CommandTable, type HandlerMap } from './table';
import type { Server } from '../server/server';
import * as connection from './connection';
import * as cluster from './cluster';
import * as string from './string';
import * as keyspace from './keyspace';
import * as expire from './expire';
import * as configCmd from './config-cmd';
import * as clientCmd from './client-cmd';
import * as introspection from './introspection';
import * as functions from './functions';
import * as monitoring from './monitoring';
import * as list from './list';
import * as hash from './hash';
import * as set from './set';
import * as zset from './zset';
import * as sort from './sort';
import * as multi from './multi';
import * as replication from './replication';
import * as bitmap from './bitmap';
import * as aof from './aof-cmd';
import * as geo from './geo';
import * as pubsub from './pubsub';
import * as acl from './acl';
import * as persistence from './persistence';
import * as hyperloglog from './hyperloglog';
import * as scripting from './scripting';
import * as stream from './stream';
import * as migrate from './migrate';

export interface CommandFamily {
  handlers: HandlerMap;
  setup?: (server: Server) => void;
}

export const families: Record<string, CommandFamily> = {
  connection,
  cluster,
  string,
  keyspace,
  expire,
  config: configCmd,
  client: clientCmd,
  introspection,
  functions,
  monitoring,
  list,
  hash,
  set,
  zset,
  sort,
  multi,
  replication,
  bitmap,
  aof,
  geo,
  pubsub,
  acl,
  persistence,
  hyperloglog,
  scripting,
  stream,
  migrate,
};

export function allHandlers(): HandlerMap {
  const all: HandlerMap = {};
  for (const [family, mod] of Object.entries(families)) {
    for (const [name, h] of Object.entries(mod.handlers)) {
      if (all[name]) throw new Error(`command ${name} registered twice (family ${family})`);
      all[name] = h;
    }
  }
  return all;
}

/** A fresh command table (one per server: statistics live in it). */
export function buildCommandTable(): CommandTable {
  const { table, problems } = buildTable(loadSpecs(), allHandlers());
  if (problems.handlerWithoutSpec.length > 0) {
    throw new Error(`handlers without metadata: ${problems.handlerWithoutSpec.join(', ')}`);
  }
  return table;
}

/** Run every family's setup hook. */
export function setupFamilies(server: Server): void {
  for (const mod of Object.values(families)) mod.setup?.(server);
}
