/*
 * Persistence commands: SAVE, BGSAVE, DUMP, RESTORE; and what persistence
 * plugs into the rest of the server when it installs: DEBUG RELOAD, the final save
 * of SHUTDOWN, the save points checked by the cron, and the MISCONF gate
 * that refuses writes after a failed background save.
 *
 * DUMP/RESTORE payloads are one value in RDB encoding, then the RDB version
 * (2 bytes, little-endian) and the CRC-64 of everything before it, exactly
 * as Redis 7.0 produces and accepts them (src/persistence/).
 */
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from '../command-model/table';
import { CMD_WRITE } from '../command-model/table';
import { isWord, ERR_SYNTAX } from '../command-model/args';
import { parseInteger } from '../util/numbers';
import { dumpPayload } from '../persistence/rdb-writer';
import { decodeDumpPayload, verifyDumpPayload, RdbError } from '../persistence/rdb-reader';
import {
  bgsave, saveSync, killBgsave, persistenceState, loadRdbFile, rdbPath, loadLimits, saveCron, setLruOrLfu, writesDenied, MISCONF_ERROR, clearFunctions,
} from '../persistence/persistence';
import { hasActiveChild, forkStatsOf } from '../persistence/save-child';
import type { ModuleHost } from '../server/module-host';
import { NOTIFY_GENERIC } from '../keyspace/notify-flags';

const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';

/* ------------------------------------------------------------ SAVE/BGSAVE */

function save(c: Client): void {
  const st = persistenceState(c.server);
  if (st.bgsaveInProgress) {
    c.error('ERR Background save already in progress');
    return;
  }
  st.rdbSaves++;
  if (saveSync(c.server) === null) c.reply.ok();
  else c.error('ERR');
}

function bgsaveCmd(c: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && isWord(argv[1], 'schedule')) schedule = true;
    else {
      c.error(ERR_SYNTAX);
      return;
    }
  }
  const st = persistenceState(c.server);
  if (st.bgsaveInProgress) {
    c.error('ERR Background save already in progress');
    return;
  }
  if (c.denyBlocking || hasActiveChild(c.server)) {
    // inside EXEC Redis cannot fork; while an AOF rewrite child runs it must not
    if (schedule || c.denyBlocking) {
      st.bgsaveScheduled = true;
      c.reply.simple('Background saving scheduled');
    } else {
      c.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    return;
  }
  const err = bgsave(c.server);
  if (err === null) c.reply.simple('Background saving started');
  else c.error(err.startsWith('ERR') ? err : `ERR ${err}`);
}

/* ----------------------------------------------------------- DUMP/RESTORE */

function dump(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  const p = dumpPayload(v, c.server.config.rdbcompression);
  c.reply.bulk(p.toString('latin1'));
}

function restore(c: Client, argv: string[]): void {
  const server = c.server;
  const key = argv[1];
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    const a = argv[j];
    if (isWord(a, 'replace')) replace = true;
    else if (isWord(a, 'absttl')) absttl = true;
    else if (isWord(a, 'idletime') && more >= 1 && freq === -1) {
      const n = parseInteger(argv[j + 1]);
      if (n === null) return c.error(ERR_NOT_INTEGER);
      if (n < 0) return c.error('ERR Invalid IDLETIME value, must be >= 0');
      idle = n;
      j++;
    } else if (isWord(a, 'freq') && more >= 1 && idle === -1) {
      const n = parseInteger(argv[j + 1]);
      if (n === null) return c.error(ERR_NOT_INTEGER);
      if (n < 0 || n > 255) return c.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = n;
      j++;
    } else {
      return c.error(ERR_SYNTAX);
    }
  }
  const db = c.db;
  if (!replace && db.lookupWrite(key) !== undefined) {
    c.error('BUSYKEY Target key name already exists.');
    return;
  }
  let ttl = parseInteger(argv[2]);
  if (ttl === null) return c.error(ERR_NOT_INTEGER);
  if (ttl < 0) return c.error('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload, server.debugKnobs.skipChecksumValidation)) {
    c.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  let value;
  try {
    value = decodeDumpPayload(payload, loadLimits(server));
  } catch (e) {
    if (e instanceof RdbError) {
      server.log.verbose(`Internal error in RDB reading offset 0, function at rdb.c:0 -> ${e.message}`);
      c.error('ERR Bad data format');
      return;
    }
    throw e;
  }
  let deleted = false;
  if (replace) deleted = db.delete(key);
  const ks = server.keyspace;
  if (ttl !== 0 && !absttl) ttl += ks.now;
  if (ttl !== 0 && ttl <= ks.now && !ks.isReplica) {
    // already expired: nothing is created; a replaced key is just deleted
    if (deleted) {
      ks.propagate(db.id, ['DEL', key]);
      ks.notify(NOTIFY_GENERIC, 'del', key, db.id);
      ks.dirty++;
    }
    c.reply.ok();
    return;
  }
  db.add(key, value);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    if (!absttl) {
      const pargv = argv.slice();
      pargv[2] = String(ttl);
      pargv.push('ABSTTL');
      ks.propagate(db.id, pargv);
    }
  }
  setLruOrLfu(server, db, key, freq, idle);
  ks.notify(NOTIFY_GENERIC, 'restore', key, db.id);
  c.reply.ok();
  ks.dirty++;
}

/* ---------------------------------------------------------------- install */

function debugReload(server: Server, opts: { save: boolean; flush: boolean; merge: boolean }): string | null {
  if (opts.save) {
    persistenceState(server).rdbSaves++;
    if (saveSync(server) !== null) return 'ERR';
  }
  if (opts.flush) {
    server.keyspace.flush(-1);
    clearFunctions(server);
  }
  const err = loadRdbFile(server, rdbPath(server), { allowDup: opts.merge, startup: false });
  if (err !== null) return 'ERR Error trying to load the RDB dump';
  return null;
}

export function install(host: ModuleHost): void {
  const server = host.server;
  host.debug.reload = (opts) => debugReload(server, opts);
  server.saveOnShutdown = () => {
    killBgsave(server);
    return saveSync(server);
  };
  host.addCronTask(() => saveCron(server));
  host.provideInfoField('total_forks', (srv) => forkStatsOf(srv).total);
  host.provideInfoField('latest_fork_usec', (srv) => forkStatsOf(srv).latestUsec);
  host.addCommandGate((srv, _c, cmd) => {
    if (!writesDenied(srv)) return false;
    if ((cmd.flags & CMD_WRITE) !== 0 || cmd.fullName === 'ping') return MISCONF_ERROR;
    return false;
  }, writesDenied);
}

export const handlers: HandlerMap = {
  save,
  bgsave: bgsaveCmd,
  dump,
  restore,
};
