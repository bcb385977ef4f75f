/*
 * Keyspace commands. (Initial FLUSHALL/FLUSHDB; the full family follows.)
 */
import type { Client } from '../server/client';
import type { HandlerMap } from './table';

function flushall(c: Client): void {
  c.server.keyspace.flush(-1);
  c.reply.ok();
}

function flushdb(c: Client): void {
  c.server.keyspace.flush(c.db.id);
  c.reply.ok();
}

export const handlers: HandlerMap = { flushall, flushdb };
