/*
 * Cluster family, standalone only: READONLY and READWRITE exist (so that ACL
 * rules and COMMAND can name them) but refuse with Redis's error while
 * cluster mode is off, which is always the case in Nodis.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from './table';

const DISABLED = 'ERR This instance has cluster support disabled';

function readonly(c: Client): void {
  if (!c.server.config.clusterEnabled) {
    c.error(DISABLED);
    return;
  }
  c.readonlyMode = true;
  c.reply.ok();
}

function readwrite(c: Client): void {
  if (!c.server.config.clusterEnabled) {
    c.error(DISABLED);
    return;
  }
  c.readonlyMode = false;
  c.reply.ok();
}

export const handlers: HandlerMap = {
  readonly,
  readwrite,
};
