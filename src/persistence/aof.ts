/*
 * The append-only file, Redis 7.0's multi-part AOF: a directory
 * (appenddirname) holding a BASE snapshot, INCR files of commands written
 * since, and a manifest naming them (aof-manifest.ts).
 *
 * Writing. The log is a propagation target: every effect the Propagator
 * emits (already rewritten as Redis propagates it, MULTI/EXEC-wrapped)
 * is appended as RESP to a buffer, preceded by a SELECT when its database
 * differs from the one the file last selected (and by a `#TS:` annotation
 * when aof-timestamp-enabled). The buffer reaches the file before any
 * client reply is written (the server's before-reply hook), or at the end
 * of the event-loop turn; appendfsync always fsyncs then, everysec from
 * the cron once a second (asynchronously), no never.
 *
 * Rewriting (BGREWRITEAOF, CONFIG SET appendonly yes, auto-aof-rewrite-*).
 * Node has no fork(), so the snapshot is taken synchronously (the RDB
 * writer, or aof-rewrite.ts when aof-use-rdb-preamble is no) at the same
 * instant a new INCR file is opened: the base plus the INCR files after it
 * are then exactly the dataset, with no rewrite buffer needed. A child
 * process (save-child.ts) writes the snapshot to
 * temp-rewriteaof-bg-<child pid>.aof (honouring rdb-key-save-delay per
 * key); when it exits 0 the file is renamed to the new BASE, older files
 * become HISTORY and are deleted, and the manifest is rewritten (temp
 * file, fsync, rename). INFO reports the rewrite in progress meanwhile.
 * As in Redis only one child runs at a time: a rewrite asked for during a
 * BGSAVE is scheduled, and started by the cron once the child is gone.
 *
 * Loading (startup with appendonly yes, DEBUG LOADAOF) follows
 * loadAppendOnlyFiles: an old single-file AOF is first moved into the
 * directory; a truncated last file is cut at its last complete command
 * when aof-load-truncated is yes; anything else fatal exits 1 with Redis's
 * log lines.
 */
import { performance } from 'node:perf_hooks';
import { perServer } from '../server/per-server';
import { encodeCommand } from '../protocol/command-encoder';
import * as fs from 'fs';
import * as path from 'path';
import type { Server } from '../server/server';
import { AofManifest, parseManifest, isManifestError } from './aof-manifest';
import { loadAofBuffer, type AofLoadStatus } from './aof-loader';
import { rewriteDatasetAsAof } from './aof-rewrite';
import { snapshot, emptyData, functionCodes } from './persistence';
import { startSaveChild, hasActiveChild, type SaveChild } from './save-child';
import type { ModuleHost, ServerModule } from '../server/module-host';
import type { Client } from '../server/client';

type AofState = 'off' | 'on' | 'wait_rewrite';

interface RewriteJob {
  rdbFormat: boolean;
  startedAt: number;
  /** writes temp-rewriteaof-bg-<its pid>.aof (child.tempFile) in the server's dir */
  child: SaveChild;
}

export class AppendOnlyLog {
  readonly server: Server;
  state: AofState = 'off';
  manifest = new AofManifest();
  private fd = -1;
  private buf = '';
  private selectedDb = -1;
  private writeScheduled = false;
  private lastTimestamp = 0;
  /** bytes written to the current INCR file, and fsynced */
  private lastIncrSize = 0;
  private lastIncrFsyncOffset = 0;
  private lastFsync = 0;
  private fsyncsPending = 0;
  delayedFsync = 0;
  currentSize = 0;
  baseSize = 0;
  rewrite: RewriteJob | null = null;
  rewriteScheduled = false;
  lastRewriteTimeSec = -1;
  lastBgrewriteOk = true;
  lastWriteOk = true;
  rewrites = 0;
  consecutiveFailures = 0;

  constructor(server: Server) {
    this.server = server;
  }

  /** appenddirname, as the log names it */
  private get dir(): string {
    return this.server.config.appenddirname;
  }

  /** the AOF directory on disk: inside the server's `dir` */
  private get dirPath(): string {
    return path.resolve(this.server.config.dir, this.server.config.appenddirname);
  }

  private get fileName(): string {
    return this.server.config.appendfilename;
  }

  private pathOf(name: string): string {
    return path.join(this.dirPath, name);
  }

  // ---------------------------------------------------------------- writing

  /** Propagation target: one effect on database dbid. */
  feed(dbid: number, argv: readonly string[]): void {
    // waiting for a rewrite that has not started (another child runs): the
    // snapshot it takes will hold these changes, nothing is logged yet
    if (this.state === 'off' || (this.state === 'wait_rewrite' && this.rewrite === null)) return;
    let s = '';
    if (this.server.config.aofTimestampEnabled) {
      const now = Math.floor(this.server.clock.now() / 1000);
      if (now > this.lastTimestamp) {
        this.lastTimestamp = now;
        s += `#TS:${now}\r\n`;
      }
    }
    if (dbid !== this.selectedDb) {
      s += encodeCommand(['SELECT', String(dbid)]);
      this.selectedDb = dbid;
    }
    this.buf += s + encodeCommand(argv);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writePending());
    }
  }

  /** Write the buffer to the INCR file (and fsync with appendfsync always). */
  writePending(): void {
    this.writeScheduled = false;
    if (this.buf.length === 0 || this.fd < 0) return;
    const data = this.buf;
    try {
      fs.writeSync(this.fd, data, null, 'latin1');
    } catch (e) {
      this.lastWriteOk = false;
      this.server.log.warning(`Error writing to the AOF file: ${(e as Error).message}`);
      if (this.server.config.appendfsync === 'always') {
        this.server.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
        this.server.exitProcess(1);
      }
      return;
    }
    if (!this.lastWriteOk) {
      this.server.log.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
    }
    this.buf = '';
    this.lastIncrSize += data.length;
    this.currentSize += data.length;
    if (this.server.config.appendfsync === 'always') this.fsyncNow();
  }

  private fsyncNow(): void {
    if (this.fd < 0) return;
    try {
      fs.fsyncSync(this.fd);
    } catch (e) {
      this.server.log.warning(`Fail to fsync the AOF file: ${(e as Error).message}`);
    }
    this.lastIncrFsyncOffset = this.lastIncrSize;
    this.lastFsync = Date.now(); // real time: appendfsync everysec is about the disk
  }

  /** appendfsync everysec: at most one background fsync a second. */
  private fsyncEverySec(now: number): void {
    if (this.fd < 0 || this.lastIncrFsyncOffset === this.lastIncrSize) return;
    if (now - this.lastFsync < 1000) return;
    if (this.fsyncsPending > 0) {
      this.delayedFsync++;
      return;
    }
    this.lastFsync = now;
    const fd = this.fd;
    const offset = this.lastIncrSize;
    this.fsyncsPending++;
    fs.fsync(fd, () => {
      this.fsyncsPending--;
      if (fd === this.fd) this.lastIncrFsyncOffset = offset;
    });
  }

  /** serverCron's share: fsync, scheduled and automatic rewrites. */
  cron(now: number): void {
    if (this.buf.length > 0) this.writePending();
    // (real time: appendfsync everysec is about the disk, not time a client sees pass)
    if (this.state !== 'off' && this.server.config.appendfsync === 'everysec') this.fsyncEverySec(Date.now());
    if (hasActiveChild(this.server)) return; // a rewrite's child included
    if (this.rewriteScheduled) {
      this.startRewrite();
      return;
    }
    const cfg = this.server.config;
    if (this.state === 'on' && cfg.autoAofRewritePercentage > 0 && this.currentSize > cfg.autoAofRewriteMinSize) {
      const base = this.baseSize > 0 ? this.baseSize : 1;
      const growth = Math.floor((this.currentSize * 100) / base) - 100;
      if (growth >= cfg.autoAofRewritePercentage) {
        this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
  }

  // --------------------------------------------------------------- manifest

  private persistManifest(m: AofManifest): boolean {
    const tmp = this.pathOf(`temp-${this.fileName}.manifest`);
    try {
      const fd = fs.openSync(tmp, 'w', 0o644);
      try {
        fs.writeSync(fd, m.format(), null, 'latin1');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.pathOf(`${this.fileName}.manifest`));
      return true;
    } catch (e) {
      this.server.log.warning(`Error trying to write the temporary AOF manifest file ${tmp}: ${(e as Error).message}`);
      return false;
    }
  }

  private ensureDir(): boolean {
    try {
      fs.mkdirSync(this.dirPath, { recursive: true, mode: 0o755 });
      return true;
    } catch (e) {
      this.server.log.warning(`Can't open or create append-only dir ${this.dir}: ${(e as Error).message}`);
      return false;
    }
  }

  /** Read the manifest from disk (startup, DEBUG LOADAOF). Exits on a bad one, as Redis. */
  loadManifestFromDisk(): void {
    this.manifest = new AofManifest();
    const file = this.pathOf(`${this.fileName}.manifest`);
    if (!fs.existsSync(this.dirPath)) {
      this.server.log.debug(`The AOF directory ${this.dir} doesn't exist`);
      return;
    }
    if (!fs.existsSync(file)) {
      this.server.log.debug(`The AOF manifest file ${this.fileName}.manifest doesn't exist`);
      return;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (e) {
      this.server.log.warning(`Fatal error: can't open the AOF manifest file ${file} for reading: ${(e as Error).message}`);
      this.server.exitProcess(1);
      return;
    }
    const m = parseManifest(text);
    if (isManifestError(m)) {
      const log = this.server.log;
      log.warning('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
      if (m.line !== undefined) {
        log.warning(`Reading the manifest file, at line ${m.lineNumber}\n`);
        log.warning(`>>> '${m.line}'\n`);
      }
      log.warning(`${m.message}\n`);
      this.server.exitProcess(1);
      return;
    }
    this.manifest = m;
  }

  deleteHistoryFiles(): void {
    if (this.server.config.aofDisableAutoGc || this.manifest.history.length === 0) return;
    for (const f of this.manifest.history) {
      this.server.log.notice(`Removing the history file ${f.name} in the background`);
      fs.unlink(this.pathOf(f.name), () => undefined);
    }
    this.manifest.history = [];
    this.persistManifest(this.manifest);
  }

  // ---------------------------------------------------------------- loading

  /** Load every file of the manifest into the (empty) dataset. */
  loadFiles(): AofLoadStatus | 'not_exist' {
    const log = this.server.log;
    const m = this.manifest;
    // an old single-file AOF in the working directory moves into the AOF directory
    if (fs.existsSync(this.fileName)) {
      const baseOnly = m.base !== null && m.incr.length === 0;
      if (!fs.existsSync(this.dirPath) || (m.base === null && m.incr.length === 0) ||
        (baseOnly && m.base!.name === this.fileName && !fs.existsSync(this.pathOf(this.fileName)))) {
        if (!this.upgradeOldStyle()) return 'failed';
      }
    }
    if (m.base === null && m.incr.length === 0) return 'not_exist';
    const files = (m.base ? [m.base] : []).concat(m.incr);
    let total = 0;
    for (const f of files) {
      try {
        total += fs.statSync(this.pathOf(f.name)).size;
      } catch (e) {
        log.warning(`The append log file ${f.name} doesn't exist: ${(e as Error).message}`);
        return 'failed';
      }
    }
    if (total === 0) return 'empty';
    const ks = this.server.keyspace;
    const propagator = this.server.propagator;
    ks.loading = true;
    propagator.muted = true;
    let status: AofLoadStatus = 'ok';
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const last = i === files.length - 1;
        const start = performance.now();
        const file = this.pathOf(f.name);
        let buf: Buffer;
        try {
          buf = fs.readFileSync(file);
        } catch (e) {
          log.warning(`Fatal error: can't open the append log file ${f.name} for reading: ${(e as Error).message}`);
          return 'failed';
        }
        const r = loadAofBuffer(this.server, buf, f.name, f.name === this.fileName);
        let st = r.status;
        if (st === 'truncated') {
          if (this.server.config.aofLoadTruncated) {
            log.warning(`!!! Warning: short read while loading the AOF file ${f.name}!!!`);
            log.warning(`!!! Truncating the AOF ${f.name} at offset ${r.validUpTo} !!!`);
            try {
              fs.truncateSync(file, r.validUpTo);
              log.warning(`AOF ${f.name} loaded anyway because aof-load-truncated is enabled`);
            } catch (e) {
              log.warning(`Error truncating the AOF file ${f.name}: ${(e as Error).message}`);
              st = 'failed';
            }
          } else {
            st = 'failed';
          }
          if (st === 'failed') {
            log.warning(`Unexpected end of file reading the append only file ${f.name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
          }
        }
        if (st === 'ok' || (st === 'truncated' && last)) {
          const kind = f.type === 'b' ? 'base' : 'incr';
          log.notice(`DB loaded from ${kind} file ${f.name}: ${((performance.now() - start) / 1000).toFixed(3)} seconds`);
        }
        if (st === 'truncated' && !last) {
          log.warning('Fatal error: the truncated file is not the last file');
          return 'failed';
        }
        if (st === 'failed') return 'failed';
        if (st === 'truncated') status = 'truncated';
      }
    } finally {
      ks.loading = false;
      propagator.muted = false;
    }
    this.currentSize = 0;
    for (const f of files) this.currentSize += fs.statSync(this.pathOf(f.name)).size;
    this.baseSize = m.base ? fs.statSync(this.pathOf(m.base.name)).size : 0;
    return status;
  }

  private upgradeOldStyle(): boolean {
    if (!this.ensureDir()) return false;
    const m = this.manifest;
    m.base = { name: this.fileName, seq: 1, type: 'b' };
    m.curBaseSeq = 1;
    if (!this.persistManifest(m)) return false;
    try {
      fs.renameSync(this.fileName, this.pathOf(this.fileName));
    } catch (e) {
      this.server.log.warning(`Error trying to move the old AOF file ${this.fileName} into dir ${this.dir}: ${(e as Error).message}`);
      return false;
    }
    this.server.log.notice(`Successfully migrated an old-style AOF file (${this.fileName}) into the AOF directory (${this.dir}).`);
    return true;
  }

  /** Startup: load the AOF when appendonly is yes. Returns whether it did (RDB is skipped then). */
  loadOnStartup(): boolean {
    if (!this.server.config.appendonly) return false;
    this.state = 'on';
    this.loadManifestFromDisk();
    const start = performance.now();
    const st = this.loadFiles();
    if (st === 'failed') {
      this.server.exitProcess(1);
      return true;
    }
    if (st !== 'not_exist') {
      this.server.log.notice(`DB loaded from append only file: ${((performance.now() - start) / 1000).toFixed(3)} seconds`);
    }
    this.server.keyspace.dirty = 0;
    return true;
  }

  /** Startup, after loading: create a base for an empty dataset, open the last INCR file. */
  openOnServerStart(): void {
    if (this.state !== 'on') return;
    if (!this.ensureDir()) {
      this.server.exitProcess(1);
      return;
    }
    const m = this.manifest;
    const hadIncr = m.incr.length > 0;
    if (m.base === null && !hadIncr) {
      const rdbFormat = this.server.config.aofUseRdbPreamble;
      const name = m.newBase(this.fileName, rdbFormat);
      try {
        fs.writeFileSync(this.pathOf(name), this.snapshot(rdbFormat));
      } catch (e) {
        this.server.log.warning(`Write error writing append only file on disk: ${(e as Error).message}`);
        this.server.exitProcess(1);
        return;
      }
      this.server.log.notice(`Creating AOF base file ${name} on server start`);
      this.baseSize = fs.statSync(this.pathOf(name)).size;
      this.currentSize = this.baseSize;
    }
    const incr = hadIncr ? m.lastIncrName()! : m.newIncr(this.fileName);
    try {
      this.fd = fs.openSync(this.pathOf(incr), 'a', 0o644);
    } catch (e) {
      this.server.log.warning(`Can't open the append-only file ${incr}: ${(e as Error).message}`);
      this.server.exitProcess(1);
      return;
    }
    if (!this.persistManifest(m)) {
      this.server.exitProcess(1);
      return;
    }
    this.lastIncrSize = fs.fstatSync(this.fd).size;
    this.lastIncrFsyncOffset = this.lastIncrSize;
    this.server.log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${incr} on server start`);
  }

  /** DEBUG LOADAOF: flush, empty the dataset, load the files again. */
  debugLoad(): string | null {
    if (this.state === 'on') {
      this.writePending();
      this.fsyncNow();
    }
    emptyData(this.server);
    this.loadManifestFromDisk();
    this.deleteHistoryFiles();
    const st = this.loadFiles();
    if (st !== 'ok' && st !== 'empty' && st !== 'not_exist') {
      this.server.exitProcess(1);
    }
    return null;
  }

  // -------------------------------------------------------------- rewriting

  private snapshot(rdbFormat: boolean, keyEnds?: number[]): Buffer {
    const ks = this.server.keyspace;
    // the same image as SAVE writes (functions, IDLE/FREQ), flagged as an AOF base
    if (rdbFormat) return snapshot(this.server, true, keyEnds);
    const preamble = this.server.config.aofTimestampEnabled ? `#TS:${Math.floor(this.server.clock.now() / 1000)}\r\n` : '';
    return Buffer.from(rewriteDatasetAsAof(ks, preamble, functionCodes(this.server), keyEnds), 'latin1');
  }

  private tempIncrName(): string {
    return `temp-${this.fileName}.incr`;
  }

  /** Open the INCR file that receives writes from the start of a rewrite on. */
  private openNewIncrForRewrite(): boolean {
    if (this.state === 'off') return true;
    let name: string;
    let temp: AofManifest | null = null;
    if (this.state === 'wait_rewrite') {
      name = this.tempIncrName();
    } else {
      temp = this.manifest.clone();
      name = temp.newIncr(this.fileName);
    }
    let fd: number;
    try {
      fd = fs.openSync(this.pathOf(name), 'w', 0o644);
    } catch (e) {
      this.server.log.warning(`Can't open the append-only file ${name}: ${(e as Error).message}`);
      return false;
    }
    if (temp !== null && !this.persistManifest(temp)) {
      fs.closeSync(fd);
      return false;
    }
    this.server.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    if (this.fd >= 0) {
      const old = this.fd;
      fs.fsync(old, () => fs.close(old, () => undefined));
    }
    this.fd = fd;
    this.lastIncrSize = 0;
    this.lastIncrFsyncOffset = 0;
    if (temp !== null) this.manifest = temp;
    return true;
  }

  /** Start a rewrite now (a child writes the snapshot). Returns false when it could not start. */
  startRewrite(): boolean {
    if (hasActiveChild(this.server)) return false; // a rewrite's child included
    if (!this.ensureDir()) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.selectedDb = -1;
    this.writePending();
    if (!this.openNewIncrForRewrite()) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.rewrites++;
    const rdbFormat = this.server.config.aofUseRdbPreamble;
    let child: SaveChild;
    try {
      child = startSaveChild(this.server, {
        image: (keyEnds) => this.snapshot(rdbFormat, keyEnds),
        tempPattern: 'temp-rewriteaof-bg-%d.aof',
        target: '',
        kind: 'aof',
        done: (code, signal) => this.rewriteDone(child, code, signal),
      });
    } catch (e) {
      this.server.log.warning(`Can't rewrite append only file in background: fork: ${(e as Error).message}`);
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      return false;
    }
    // real time: aof_last_rewrite_time_sec and aof_current_rewrite_time_sec time the child process
    this.rewrite = { rdbFormat, startedAt: Date.now(), child };
    this.rewriteScheduled = false;
    this.server.log.notice(`Background append only file rewriting started by pid ${child.pid}`);
    return true;
  }

  /** The child ended (Redis's backgroundRewriteDoneHandler). */
  private rewriteDone(child: SaveChild, code: number, signal: number): void {
    const job = this.rewrite;
    if (job === null || job.child !== child) return;
    this.rewrite = null;
    const tmpFile = child.tempFile;
    const log = this.server.log;
    this.lastRewriteTimeSec = Math.floor((Date.now() - job.startedAt) / 1000);
    if (signal !== 0) {
      log.warning(`Background AOF rewrite terminated by signal ${signal}`);
      // SIGUSR1 is how a child is stopped on purpose: not an error
      if (signal !== 10) this.rewriteFailed();
      else this.rewriteCleanup();
      return;
    }
    if (code !== 0) {
      log.warning('Background AOF rewrite terminated with error');
      this.rewriteFailed();
      return;
    }
    log.notice(`Successfully created the temporary AOF base file ${path.basename(tmpFile)}`);
    log.notice('Background AOF rewrite terminated with success');
    const temp = this.manifest.clone();
    const baseName = temp.newBase(this.fileName, job.rdbFormat);
    try {
      fs.renameSync(tmpFile, this.pathOf(baseName));
    } catch (e) {
      log.warning(`Error trying to rename the temporary AOF base file ${path.basename(tmpFile)} into ${this.pathOf(baseName)}: ${(e as Error).message}`);
      fs.unlink(tmpFile, () => undefined); // a child that failed had its temp file removed by save-child.ts
      this.rewriteFailed();
      return;
    }
    log.notice(`Successfully renamed the temporary AOF base file ${path.basename(tmpFile)} into ${baseName}`);
    if (this.state === 'wait_rewrite') {
      const incrName = temp.newIncr(this.fileName);
      try {
        fs.renameSync(this.pathOf(this.tempIncrName()), this.pathOf(incrName));
      } catch (e) {
        log.warning(`Error trying to rename the temporary AOF incr file ${this.tempIncrName()} into ${incrName}: ${(e as Error).message}`);
        fs.unlink(this.pathOf(baseName), () => undefined);
        this.rewriteFailed();
        return;
      }
      log.notice(`Successfully renamed the temporary AOF incr file ${this.tempIncrName()} into ${incrName}`);
    }
    // the INCR file being written stays; with the AOF off every INCR file is history
    temp.markRewrittenIncrAsHistory(this.fd >= 0);
    if (!this.persistManifest(temp)) {
      fs.unlink(this.pathOf(baseName), () => undefined);
      this.rewriteFailed();
      return;
    }
    this.manifest = temp;
    if (this.state !== 'off') {
      this.currentSize = fs.statSync(this.pathOf(baseName)).size + this.lastIncrSize;
      this.baseSize = this.currentSize;
    }
    this.deleteHistoryFiles();
    this.lastBgrewriteOk = true;
    this.consecutiveFailures = 0;
    log.notice('Background AOF rewrite finished successfully');
    if (this.state === 'wait_rewrite') this.state = 'on';
  }

  private rewriteFailed(): void {
    this.lastBgrewriteOk = false;
    this.consecutiveFailures++;
    this.rewriteCleanup();
  }

  /** After a rewrite that did not complete (its temp file is gone already): a pending AOF start retries. */
  private rewriteCleanup(): void {
    if (this.state === 'wait_rewrite') {
      this.buf = '';
      this.server.log.notice(`Removing the temp incr aof file ${this.tempIncrName()} in the background`);
      fs.unlink(this.pathOf(this.tempIncrName()), () => undefined);
      this.rewriteScheduled = true;
    }
  }

  /** Abandon a rewrite in progress (its completion is ignored, its temp file removed). */
  private cancelRewrite(): void {
    if (this.rewrite === null) return;
    const job = this.rewrite;
    this.server.log.notice(`Killing running AOF rewrite child: ${job.child.pid}`);
    job.child.kill();
    this.rewrite = null;
    this.lastRewriteTimeSec = Math.floor((Date.now() - job.startedAt) / 1000);
  }

  /** BGREWRITEAOF */
  bgrewriteCommand(inExec: boolean): { ok: string } | { err: string } {
    if (this.rewrite !== null) return { err: 'ERR Background append only file rewriting already in progress' };
    if (inExec || hasActiveChild(this.server)) {
      this.rewriteScheduled = true;
      this.consecutiveFailures = 0;
      return { ok: 'Background append only file rewriting scheduled' };
    }
    if (this.startRewrite()) return { ok: 'Background append only file rewriting started' };
    return { err: "ERR Can't execute an AOF background rewriting. Please check the server logs for more information." };
  }

  /** CONFIG SET appendonly yes */
  start(inExec: boolean): string | null {
    if (this.state !== 'off') return null;
    this.state = 'wait_rewrite';
    if (this.rewrite === null && hasActiveChild(this.server)) {
      this.rewriteScheduled = true;
      this.server.log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (inExec) {
      this.rewriteScheduled = true;
      this.server.log.warning('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.rewrite !== null) {
        this.server.log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.cancelRewrite();
      }
      if (!this.startRewrite()) {
        this.state = 'off';
        this.server.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return 'ERR Unable to turn on AOF. Check server logs.';
      }
    }
    this.lastFsync = Date.now();
    return null;
  }

  /** CONFIG SET appendonly no */
  stop(): void {
    if (this.state === 'off') return;
    this.writePending();
    this.fsyncNow();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.selectedDb = -1;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.lastIncrSize = 0;
    this.lastIncrFsyncOffset = 0;
    this.cancelRewrite();
    this.buf = '';
  }

  /** Shutdown: everything on disk. */
  shutdown(): void {
    if (this.rewrite !== null) {
      this.server.log.warning('There is a child rewriting the AOF. Killing it!');
      this.cancelRewrite();
    }
    if (this.state !== 'off' && this.fd >= 0) {
      this.server.log.notice('Calling fsync() on the AOF file.');
      this.writePending();
      this.fsyncNow();
    }
  }

  get pendingFsyncs(): number {
    return this.fsyncsPending;
  }

  get bufferLength(): number {
    return this.buf.length;
  }
}

export const aofOf = perServer((server) => new AppendOnlyLog(server));

/** Wire the AOF into the server: propagation, cron, config, INFO, DEBUG LOADAOF, shutdown. */
export function installAof(host: ModuleHost): void {
  const server = host.server;
  const aof = aofOf(server);
  host.addPropagationTarget((dbid, argv) => aof.feed(dbid, argv), () => aof.state !== 'off');
  host.beforeReplyWrite(() => {
    if (aof.bufferLength > 0) aof.writePending();
  });
  host.addCronTask((now) => aof.cron(now));
  host.onShutdown(() => aof.shutdown());
  server.config.onChange('appendonly', (c) => {
    if (!server.isListening()) return;
    if (c.appendonly) return aof.start(server.inExec > 0) ?? undefined;
    aof.stop();
  });
  // turning automatic removal back on removes the history at once (updateAofAutoGCEnabled)
  server.config.onChange('aof-disable-auto-gc', (c) => {
    if (!c.aofDisableAutoGc) aof.deleteHistoryFiles();
  });
  host.debug.loadAof = () => aof.debugLoad();
  const yesNo = (b: boolean) => (b ? 'ok' : 'err');
  host.provideInfoField('aof_enabled', () => (aof.state !== 'off' ? 1 : 0));
  host.provideInfoField('aof_rewrite_in_progress', () => (aof.rewrite !== null ? 1 : 0));
  host.provideInfoField('aof_rewrite_scheduled', () => (aof.rewriteScheduled ? 1 : 0));
  host.provideInfoField('aof_last_rewrite_time_sec', () => aof.lastRewriteTimeSec);
  host.provideInfoField('aof_current_rewrite_time_sec', () =>
    aof.rewrite !== null ? Math.floor((Date.now() - aof.rewrite.startedAt) / 1000) : -1);
  host.provideInfoField('aof_last_bgrewrite_status', () => yesNo(aof.lastBgrewriteOk));
  host.provideInfoField('aof_rewrites', () => aof.rewrites);
  host.provideInfoField('aof_rewrites_consecutive_failures', () => aof.consecutiveFailures);
  host.provideInfoField('aof_last_write_status', () => yesNo(aof.lastWriteOk));
  host.provideInfoExtraLines('module_fork_last_cow_size', () => {
    if (aof.state === 'off') return '';
    return `aof_current_size:${aof.currentSize}\r\n` +
      `aof_base_size:${aof.baseSize}\r\n` +
      `aof_pending_rewrite:${aof.rewriteScheduled ? 1 : 0}\r\n` +
      `aof_buffer_length:${aof.bufferLength}\r\n` +
      `aof_pending_bio_fsync:${aof.pendingFsyncs}\r\n` +
      `aof_delayed_fsync:${aof.delayedFsync}\r\n`;
  });
}

/** BGREWRITEAOF */
function bgrewriteaof(c: Client): void {
  const r = aofOf(c.server).bgrewriteCommand(c.server.inExec > 0);
  if ('ok' in r) c.reply.simple(r.ok);
  else c.error(r.err);
}

/** The append-only file: its command, and its place in propagation, the cron, INFO and DEBUG LOADAOF. */
export const aofModule: ServerModule = {
  name: 'aof',
  commands: { bgrewriteaof },
  install: installAof,
};
