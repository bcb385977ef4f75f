/*
 * Persistence glue between the RDB codec and the server: SAVE, BGSAVE,
 * loading at startup and for DEBUG RELOAD, save points, and the state INFO
 * persistence reports.
 *
 * Node has no fork(), so BGSAVE cannot save a copy-on-write view of the
 * dataset in a child. Instead the parent serialises the whole keyspace
 * into memory synchronously (a consistent point-in-time snapshot, like the
 * fork), and a real child process (save-child.ts / rdb-save-child.ts)
 * writes it to `temp-<child pid>.rdb`, honours rdb-key-save-delay per key,
 * fsyncs and renames it over `dbfilename`, as Redis's child does. The
 * child's end is handled like Redis's reaping: exit 0 is success, a
 * non-zero exit or a signal is a failure (SIGUSR1, the parent stopping it
 * on purpose, is not). rdb_bgsave_in_progress stays 1 until then; the
 * dirty counter is reduced by the changes the snapshot covered, exactly
 * like Redis's dirty_before_bgsave.
 *
 * Invariants: at most one background save at a time; `lastSave` and the
 * dirty counter change only when a save succeeded; a failed background
 * save sets lastBgsaveOk = false, which blocks writes (MISCONF) while save
 * points are configured and stop-writes-on-bgsave-error is on.
 */
import { perServer } from '../server/per-server';
import * as fs from 'fs';
import * as path from 'path';
import type { Server } from '../server/server';
import type { Database } from '../keyspace/database';
import type { RedisValue } from '../keyspace/values';
import { writeRdb } from './rdb-writer';
import { loadRdb, RdbError, type LoadLimits, type LoadedKey } from './rdb-reader';
import { lruClock } from '../keyspace/keyspace';
import { startSaveChild, hasActiveChild, type SaveChild } from './save-child';

/** What the functions module provides to persist its libraries (set on its server's PersistenceState when it installs). */
export interface FunctionPersistence {
  /** the code of every loaded library, in the order to save them */
  codes(server: Server): string[];
  /** load one library's code; replace: an existing library of that name is replaced. Returns an error or null. */
  load(server: Server, code: string, replace: boolean): string | null;
  /** remove every library (emptying the dataset before loading a whole file) */
  clear(server: Server): void;
}

/** Redis's emptyData() also empties the functions: a full sync, DEBUG RELOAD, DEBUG LOADAOF. */
export function clearFunctions(server: Server): void {
  persistenceState(server).functions?.clear(server);
}

/** Every database emptied (no flush side effects), then the functions: a full sync, DEBUG LOADAOF. */
export function emptyData(server: Server): void {
  for (const db of server.keyspace.dbs) db.clear();
  clearFunctions(server);
}

/** The code of every loaded library, in save order (none without the functions subsystem). */
export function functionCodes(server: Server): string[] {
  const fp = persistenceState(server).functions;
  return fp === null ? [] : fp.codes(server);
}

export class PersistenceState {
  bgsaveScheduled = false;
  /** seconds, when the running background save started; -1 */
  bgsaveStart = -1;
  lastBgsaveOk = true;
  /** seconds the last background save took; -1 before any */
  lastBgsaveTimeSec = -1;
  /** unix seconds of the last background save attempt */
  lastBgsaveTry = 0;
  rdbSaves = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  loading = false;
  /** the child process writing the running background save */
  child: SaveChild | null = null;
  /** bytes used by the last RDB image loaded (an old-style AOF continues after it) */
  lastImageBytes = 0;
  /** how the functions module saves and loads its libraries (installed by it); null without it */
  functions: FunctionPersistence | null = null;

  /** a background save runs exactly while its child is known (it is dropped when it ends or is killed) */
  get bgsaveInProgress(): boolean {
    return this.child !== null;
  }
}

export const persistenceState = perServer(() => new PersistenceState());

export function loadLimits(server: Server): LoadLimits {
  const c = server.config;
  return {
    hashMaxListpackEntries: c.hashMaxListpackEntries,
    hashMaxListpackValue: c.hashMaxListpackValue,
    setMaxIntsetEntries: c.setMaxIntsetEntries,
    zsetMaxListpackEntries: c.zsetMaxListpackEntries,
    zsetMaxListpackValue: c.zsetMaxListpackValue,
    listMaxListpackSize: c.listMaxListpackSize,
    listCompressDepth: c.listCompressDepth,
  };
}

/** Path of the RDB file (dir is the process's working directory, as in Redis). */
export function rdbPath(server: Server): string {
  return path.resolve(server.config.dir, server.config.dbfilename);
}

/** The whole dataset as RDB bytes. */
export function snapshot(server: Server, aofBase = false, keyEnds?: number[]): Buffer {
  const ks = server.keyspace;
  const policy = server.config.maxmemoryPolicy;
  return writeRdb(ks, process.memoryUsage().rss, {
    compress: server.config.rdbcompression,
    checksum: server.config.rdbchecksum,
    functions: functionCodes(server),
    idleSeconds: policy.endsWith('-lru') ? (clock) => Math.floor(ks.idleTimeMs(clock) / 1000) : undefined,
    lfuCounter: policy.endsWith('-lfu') ? (clock) => ks.lfuCounter(clock) : undefined,
    aofBase,
    keyEnds,
    ctimeMs: server.clock.now(),
  });
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message.replace(/^[A-Z]+: /, '') : String(e);
}

/** Write bytes to temp-<pid>.rdb, fsync, rename over the target. Throws with Redis's log text. */
function writeFileSyncAtomic(data: Buffer, target: string, dir: string): void {
  const tmp = path.resolve(dir, `temp-${process.pid}.rdb`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (e) {
    throw new Error(`Failed opening the temp RDB file temp-${process.pid}.rdb (in server root dir ${dir}) for saving: ${errMessage(e)}`);
  }
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } catch (e) {
    try {
      fs.closeSync(fd);
      fs.unlinkSync(tmp);
    } catch {
      /* ignore */
    }
    throw new Error(`Write error saving DB on disk: ${errMessage(e)}`);
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* ignore */
    }
    throw new Error(`Error moving temp DB file temp-${process.pid}.rdb on the final destination ${path.basename(target)} (in server root dir ${dir}): ${errMessage(e)}`);
  }
}

/** Foreground save (SAVE, SHUTDOWN, DEBUG RELOAD, FLUSHALL). Returns null or the error logged. */
export function saveSync(server: Server): string | null {
  const st = persistenceState(server);
  try {
    const data = snapshot(server);
    writeFileSyncAtomic(data, rdbPath(server), server.config.dir);
  } catch (e) {
    const msg = errMessage(e);
    server.log.warning(msg);
    return msg;
  }
  server.log.notice('DB saved on disk');
  server.keyspace.dirty = 0;
  server.lastSave = Math.floor(server.clock.now() / 1000);
  st.lastBgsaveOk = true;
  return null;
}

/**
 * Start a background save: snapshot now, then a child process writes it.
 * Returns null when started, else the error.
 */
export function bgsave(server: Server): string | null {
  const st = persistenceState(server);
  if (st.bgsaveInProgress) return 'Background save already in progress';
  if (hasActiveChild(server)) return 'ERR';
  const nowSec = Math.floor(server.clock.now() / 1000);
  st.rdbSaves++;
  st.lastBgsaveTry = nowSec;
  const dirtyBefore = server.keyspace.dirty;
  let child: SaveChild;
  try {
    child = startSaveChild(server, {
      image: (keyEnds) => snapshot(server, false, keyEnds),
      tempPattern: 'temp-%d.rdb',
      target: rdbPath(server),
      kind: 'rdb',
      done: (code, signal) => bgsaveDone(server, child, dirtyBefore, code, signal),
    });
  } catch (e) {
    st.lastBgsaveOk = false;
    anyBgsaveFailed = true;
    server.log.warning(`Can't save in background: fork: ${errMessage(e)}`);
    return 'ERR';
  }
  st.child = child;
  // real time: rdb_last_bgsave_time_sec and rdb_current_bgsave_time_sec time the child process
  st.bgsaveStart = Math.floor(Date.now() / 1000);
  server.log.notice(`Background saving started by pid ${child.pid}`);
  return null;
}

/** The child ended (Redis's backgroundSaveDoneHandlerDisk). */
function bgsaveDone(server: Server, child: SaveChild, dirtyBefore: number, code: number, signal: number): void {
  const st = persistenceState(server);
  if (st.child !== child) return;
  st.child = null;
  st.lastBgsaveTimeSec = Math.floor(Date.now() / 1000) - st.bgsaveStart;
  st.bgsaveStart = -1;
  if (signal === 0 && code === 0) {
    server.log.notice('Background saving terminated with success');
    server.keyspace.dirty -= dirtyBefore;
    if (server.keyspace.dirty < 0) server.keyspace.dirty = 0;
    server.lastSave = Math.floor(server.clock.now() / 1000);
    st.lastBgsaveOk = true;
  } else if (signal === 0) {
    server.log.warning('Background saving error');
    st.lastBgsaveOk = false;
    anyBgsaveFailed = true;
  } else {
    server.log.warning(`Background saving terminated by signal ${signal}`);
    // SIGUSR1 is how a child is stopped on purpose: not an error
    if (signal !== SIGUSR1) {
      st.lastBgsaveOk = false;
      anyBgsaveFailed = true;
    }
  }
}

const SIGUSR1 = 10;

/** Stop the running background save, if any (Redis's killRDBChild): its result is dropped. */
export function killBgsave(server: Server): void {
  const st = persistenceState(server);
  const child = st.child;
  if (child === null) return;
  st.child = null;
  st.lastBgsaveTimeSec = Math.floor(Date.now() / 1000) - st.bgsaveStart;
  st.bgsaveStart = -1;
  child.kill();
  server.log.warning(`Background saving terminated by signal ${SIGUSR1}`);
}

/** FLUSHALL: stop a background save, and save the empty dataset when save points are set. */
export function afterFlushAll(server: Server): void {
  killBgsave(server);
  if (server.config.save.length > 0) saveSync(server);
}

/** Set an entry's LRU/LFU clock from IDLE/FREQ data (Redis's objectSetLRUOrLFU). */
export function setLruOrLfu(server: Server, db: Database, key: string, freq: number, idleSec: number): void {
  const ks = server.keyspace;
  const id = db.dict.find(key);
  if (id < 0) return;
  if (ks.clockMode === 'lfu') {
    if (freq >= 0) {
      const nowMin = Math.floor(ks.now / 60000) & 0xffff;
      db.dict.setClockAt(id, ((nowMin << 8) | freq) >>> 0);
    }
  } else if (idleSec >= 0) {
    const LRU_CLOCK_MAX = (1 << 24) - 1;
    const clock = lruClock(ks.now);
    let abs = clock - idleSec;
    if (abs < 0) abs = (clock + Math.floor(LRU_CLOCK_MAX / 2)) % LRU_CLOCK_MAX;
    db.dict.setClockAt(id, abs);
  }
}

export interface LoadOptions {
  /** DEBUG RELOAD MERGE: a key already present is replaced instead of being an error */
  allowDup: boolean;
  /** log the startup lines (age, memory...) */
  startup: boolean;
}

/**
 * Load an RDB file into the keyspace. Returns null or an error message
 * (the keyspace may then hold part of the file, as in Redis).
 */
export function loadRdbFile(server: Server, file: string, opts: LoadOptions): string | null {
  const st = persistenceState(server);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    return errMessage(e);
  }
  return loadRdbBuffer(server, buf, opts, st);
}

/**
 * Load an RDB image at the start of a buffer (an AOF base, a replica's full
 * sync): the number of bytes it used, or an error message.
 */
export function loadRdbImage(server: Server, buf: Buffer): number | string {
  const err = loadRdbBuffer(server, buf, { allowDup: false, startup: false });
  return err === null ? persistenceState(server).lastImageBytes : err;
}

export function loadRdbBuffer(server: Server, buf: Buffer, opts: LoadOptions, st = persistenceState(server)): string | null {
  const log = server.log;
  const ks = server.keyspace;
  const now = server.clock.now();
  const isPrimary = !ks.isReplica;
  st.lastLoadKeysLoaded = 0;
  st.lastLoadKeysExpired = 0;
  st.loading = true;
  let emptySkipped = 0;
  try {
    st.lastImageBytes = buf.length;
    const res = loadRdb(buf, {
      limits: loadLimits(server),
      databases: ks.dbs.length,
      checkCrc: server.config.rdbchecksum && !server.debugKnobs.skipChecksumValidation,
      onAux: (k, v) => {
        if (k.startsWith('%')) log.notice(`RDB '${k}': ${v}`);
        else if (k === 'redis-ver') log.notice(`Loading RDB produced by version ${v}`);
        else if (k === 'ctime') log.notice(`RDB age ${Math.max(0, Math.floor(now / 1000) - (parseInt(v, 10) || 0))} seconds`);
        else if (k === 'used-mem') log.notice(`RDB memory usage when created ${((parseInt(v, 10) || 0) / (1024 * 1024)).toFixed(2)} Mb`);
        else if (k === 'aof-preamble' && parseInt(v, 10)) log.notice('RDB has an AOF tail');
        else if (k === 'aof-base' && parseInt(v, 10)) log.notice('RDB is base AOF');
      },
      onFunction: (code) => {
        const fp = st.functions;
        if (fp === null) throw new RdbError('Failed loading library, functions are not supported');
        const err = fp.load(server, code, opts.allowDup);
        if (err !== null) {
          log.warning(`Failed loading library, ${err}`);
          throw new RdbError(err);
        }
      },
      onEmptyKey: (key) => {
        if (emptySkipped++ < 10) log.warning(`rdbLoadObject skipping empty key: ${key}`);
      },
      onKey: (k: LoadedKey) => {
        if (isPrimary && k.expireAt !== -1 && k.expireAt < now) {
          st.lastLoadKeysExpired++;
          return;
        }
        const db = ks.dbs[k.db];
        addLoadedKey(db, k.key, k.value, opts.allowDup);
        st.lastLoadKeysLoaded++;
        if (k.expireAt !== -1) db.setExpire(k.key, k.expireAt);
        setLruOrLfu(server, db, k.key, k.freq, k.idle);
      },
    });
    st.lastImageBytes = res.consumed;
  } catch (e) {
    st.loading = false;
    if (e instanceof RdbError) {
      const line = `Internal error in RDB reading offset 0, function at rdb.c:0 -> ${e.message}`;
      log.warning(line);
      if (opts.startup) {
        // Redis then runs its RDB checker on the file, which reports the error again
        log.warning('--- RDB ERROR DETECTED ---');
        log.warning(`[offset 0] ${line}`);
      }
      if (/^Unexpected EOF/.test(e.message)) log.warning('Short read or OOM loading DB. Unrecoverable error, aborting now.');
      return e.message;
    }
    throw e;
  }
  st.loading = false;
  if (emptySkipped > 0) {
    log.warning(`Done loading RDB, keys loaded: ${st.lastLoadKeysLoaded}, keys expired: ${st.lastLoadKeysExpired}, empty keys skipped: ${emptySkipped}.`);
  } else {
    log.notice(`Done loading RDB, keys loaded: ${st.lastLoadKeysLoaded}, keys expired: ${st.lastLoadKeysExpired}.`);
  }
  return null;
}

class DuplicateKeyError extends RdbError {}

function addLoadedKey(db: Database, key: string, value: RedisValue, allowDup: boolean): void {
  const before = db.dict.size;
  if (!allowDup && db.dict.find(key) >= 0) {
    throw new DuplicateKeyError(`RDB has duplicated key '${key}' in DB ${db.id}`);
  }
  if (allowDup && db.expires.size > 0) db.expires.delete(key);
  const id = db.dict.set(key, value);
  db.keyspace.touchEntry(db.dict, id);
  if (db.dict.size === before) db.keyspace.signalModified(db, key);
}

/**
 * Startup: load dbfilename when it exists (Redis's loadDataFromDisk).
 * Returns false when the server must exit (a corrupt file).
 */
export function loadDataAtStartup(server: Server): boolean {
  const file = rdbPath(server);
  if (!fs.existsSync(file)) return true;
  const start = process.hrtime.bigint();
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    server.log.warning(`Fatal error loading the DB: ${errMessage(e)}. Exiting.`);
    return false;
  }
  const err = loadRdbBuffer(server, buf, { allowDup: false, startup: true });
  if (err !== null) {
    server.log.warning('Terminating server after rdb file reading failure.');
    return false;
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  server.log.notice(`DB loaded from disk: ${secs.toFixed(3)} seconds`);
  return true;
}

/** serverCron's save points and scheduled BGSAVE. */
export function saveCron(server: Server): void {
  const st = persistenceState(server);
  if (hasActiveChild(server)) return; // a background save's child included
  const nowSec = Math.floor(server.clock.now() / 1000);
  for (const [secs, changes] of server.config.save) {
    if (server.keyspace.dirty >= changes && nowSec - server.lastSave > secs && (nowSec - st.lastBgsaveTry > 5 || st.lastBgsaveOk)) {
      server.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
      bgsave(server);
      return;
    }
  }
  if (st.bgsaveScheduled) {
    st.bgsaveScheduled = false;
    bgsave(server);
  }
}

export const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/** writeCommandsDeniedByDiskError for RDB. */
/** Set once any save failed in this process: until then no write can be refused (MISCONF). */
let anyBgsaveFailed = false;

export function writesDenied(server: Server): boolean {
  // no failed background save (the common case) settles it without the state lookup
  if (!anyBgsaveFailed) return false;
  return server.config.stopWritesOnBgsaveError && server.config.save.length > 0 && !persistenceState(server).lastBgsaveOk;
}
