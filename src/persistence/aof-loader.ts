/*
 * Loading one AOF file: replay its commands through the normal dispatch
 * with a socket-less client, as Redis's loadSingleAppendOnlyFile does.
 *
 * - A file that starts with "REDIS" is an RDB (a base file, or the
 *   preamble of an old single-file AOF): the RDB loader reads it and the
 *   rest, if any, is replayed as commands.
 * - `#` lines are annotations (timestamps) and are skipped.
 * - A file that ends in the middle of a command, or inside MULTI without
 *   its EXEC, is "truncated": the caller may cut it at the last complete
 *   command (aof-load-truncated) when it is the last file.
 * - Anything else malformed is a format error. Unknown commands fail.
 *
 * Replies of the loading client are discarded; it never blocks.
 */
import type { Server } from '../server/server';
import { Client } from '../server/client';
import { executeCommand } from '../server/dispatch';
import { loadRdbImage } from './persistence';

export type AofLoadStatus = 'ok' | 'empty' | 'truncated' | 'failed';

export interface AofLoadResult {
  status: AofLoadStatus;
  /** for 'truncated': the offset of the end of the last complete command */
  validUpTo: number;
}

class Truncated extends Error {}
class FormatError extends Error {}

/** Replay one file's bytes; `name` is used in log lines. */
export function loadAofBuffer(server: Server, buf: Buffer, name: string, isOldStyle: boolean): AofLoadResult {
  if (buf.length === 0) return { status: 'empty', validUpTo: 0 };
  const log = server.log;
  let pos = 0;
  if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'REDIS') {
    log.notice(isOldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    const used = loadRdbImage(server, buf);
    if (typeof used === 'string') {
      log.warning(isOldStyle
        ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
        : `Error reading the RDB base file ${name}, AOF loading aborted`);
      return { status: 'failed', validUpTo: 0 };
    }
    pos = used;
    if (isOldStyle) log.notice('Reading the remaining AOF tail...');
  }

  const text = buf.toString('latin1');
  const client = new Client(server, null, 0, server.keyspace.dbs[0], '', '', -1);
  client.authenticated = true;
  client.denyBlocking = true;
  // obeyed like a master's stream (Redis's mustObeyClient): no READONLY, OOM
  // or limits meant for users, e.g. XADD's LIMIT with an exact trim
  client.isMaster = true;
  let validUpTo = pos;
  let validBeforeMulti = pos;
  let inMulti = false;

  const line = (): string => {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) throw new Truncated();
    const s = text.slice(pos, nl + 1);
    pos = nl + 1;
    return s;
  };

  try {
    while (pos < text.length) {
      const first = line();
      if (first[0] === '#') continue;
      if (first[0] !== '*') throw new FormatError();
      const argc = parseInt(first.slice(1), 10);
      if (!(argc >= 1)) throw new FormatError();
      const argv: string[] = new Array(argc);
      for (let j = 0; j < argc; j++) {
        const hdr = line();
        if (hdr[0] !== '$') throw new FormatError();
        const len = parseInt(hdr.slice(1), 10);
        if (!(len >= 0)) throw new FormatError();
        if (pos + len + 2 > text.length) throw new Truncated();
        argv[j] = text.slice(pos, pos + len);
        pos += len + 2;
      }
      const cmd = server.commands.lookup(argv[0]);
      if (cmd === undefined) {
        log.warning(`Unknown command '${argv[0]}' reading the append only file ${name}`);
        return { status: 'failed', validUpTo };
      }
      const lower = cmd.name;
      if (lower === 'multi') {
        validBeforeMulti = validUpTo;
        inMulti = true;
      } else if (lower === 'exec' || lower === 'discard') {
        inMulti = false;
      }
      executeCommand(server, client, argv);
      client.reply.take();
      validUpTo = pos;
    }
  } catch (e) {
    if (e instanceof FormatError) {
      log.warning(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
      return { status: 'failed', validUpTo };
    }
    if (e instanceof Truncated) return { status: 'truncated', validUpTo: inMulti ? validBeforeMulti : validUpTo };
    throw e;
  } finally {
    server.freeClient(client);
  }
  if (inMulti) {
    log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    return { status: 'truncated', validUpTo: validBeforeMulti };
  }
  return { status: 'ok', validUpTo };
}
