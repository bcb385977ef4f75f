/*
 * The append-only file's command, BGREWRITEAOF, and the wiring of the AOF
 * (src/persistence/aof.ts) into the server at startup.
 */
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from './table';
import { aofOf, setupAof } from '../persistence/aof';
import { aofRdbLoader } from '../persistence/aof-loader';
import { loadRdbImage } from '../persistence/persistence';

function bgrewriteaof(c: Client): void {
  const r = aofOf(c.server).bgrewriteCommand(c.server.inExec > 0);
  if ('ok' in r) c.reply.simple(r.ok);
  else c.error(r.err);
}

export const handlers: HandlerMap = {
  bgrewriteaof,
};

export function setup(server: Server): void {
  aofRdbLoader.load = loadRdbImage;
  setupAof(server);
}
