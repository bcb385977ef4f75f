/*
 * The append-only file's command, BGREWRITEAOF, and the wiring of the
 * persistence modules at startup: the AOF (src/persistence/aof.ts) and the
 * stream codecs (rdb-stream.ts).
 */
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from './table';
import { aofOf, setupAof } from '../persistence/aof';
import { registerStreamPersistence } from '../persistence/rdb-stream';

function bgrewriteaof(c: Client): void {
  const r = aofOf(c.server).bgrewriteCommand(c.server.inExec > 0);
  if ('ok' in r) c.reply.simple(r.ok);
  else c.error(r.err);
}

export const handlers: HandlerMap = {
  bgrewriteaof,
};

export function setup(server: Server): void {
  registerStreamPersistence();
  setupAof(server);
}
