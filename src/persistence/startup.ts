/*
 * Loading the dataset at startup, like Redis's loadDataFromDisk: the AOF
 * when appendonly is yes (it is the more complete record), otherwise the
 * RDB snapshot (dbfilename); then the AOF opens its INCR file for writing.
 * Returns false when the server must exit (a corrupt file).
 */
import type { Server } from '../server/server';
import { aofOf } from './aof';
import { loadDataAtStartup } from './persistence';

export function loadDataFromDisk(server: Server): boolean {
  const aof = aofOf(server);
  if (!aof.loadOnStartup() && !loadDataAtStartup(server)) return false;
  aof.openOnServerStart();
  return true;
}
