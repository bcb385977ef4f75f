/*
 * String commands. (Initial GET/SET; the full family follows.)
 */
import type { Client } from '../server/client';
import type { HandlerMap } from './table';
import { isStringValue, stringOf, WRONGTYPE } from '../keyspace/values';

function get(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.reply.nullBulk();
  else if (!isStringValue(v)) c.error(WRONGTYPE);
  else c.reply.bulk(stringOf(v));
}

function set(c: Client, argv: string[]): void {
  c.db.setKey(argv[1], argv[2]);
  c.server.keyspace.dirty++;
  c.reply.ok();
}

export const handlers: HandlerMap = { get, set };
