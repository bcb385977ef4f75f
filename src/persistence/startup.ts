/*
 * Loading the dataset at startup, like Redis's loadDataFromDisk: the AOF
 * when appendonly is yes (it is the more complete record), otherwise the
 * RDB snapshot; then the AOF opens its INCR file for writing.
 */
import type { Server } from '../server/server';
import { aofOf } from './aof';

export function loadDataFromDisk(server: Server): void {
  const aof = aofOf(server);
  aof.loadOnStartup();
  aof.openOnServerStart();
}
