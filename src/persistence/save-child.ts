/*
 * Parent side of the background-save child (rdb-save-child.ts): spawns
 * `node rdb-save-child.js`, streams it the snapshot the parent produced,
 * relays its log lines and progress, and reports its end like Redis's
 * child reaping (exit code, or the signal that killed it).
 *
 * Invariants: a job's `done` callback runs exactly once, unless the job
 * was killed by the parent (kill()), which detaches it first: then
 * nothing more is reported and the temp file is removed here too. Every
 * live child is killed when the server process exits, so no child is left
 * behind (a child whose parent vanished also stops by itself).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SaveChildHeader } from './rdb-save-child';
import type { Server } from '../server/server';
import { perServer } from '../server/per-server';

export class SaveChild {
  readonly pid: number;
  readonly tempFile: string;
  keysProcessed = 0;
  private detached = false;

  constructor(
    private readonly proc: ChildProcess,
    readonly owner: Server,
    tempPattern: string,
    readonly keysTotal: number,
  ) {
    this.pid = proc.pid!;
    this.tempFile = path.resolve(owner.config.dir, tempPattern.replace('%d', String(this.pid)));
  }

  /**
   * Parent-initiated stop (Redis's killRDBChild, which sends SIGUSR1): no
   * report follows, the temp file is removed now and again once the child
   * is gone. SIGTERM rather than SIGUSR1, because a Node process that has
   * not yet installed its handler would take SIGUSR1 as "start the
   * inspector" and keep running.
   */
  kill(): void {
    if (this.detached) return;
    this.detached = true;
    live.delete(this);
    try {
      this.proc.kill('SIGTERM');
    } catch {
      /* already gone */
    }
    removeFile(this.tempFile);
  }

  get isDetached(): boolean {
    return this.detached;
  }

  /** internal: the process ended */
  ended(): boolean {
    live.delete(this);
    if (this.detached) return false;
    this.detached = true;
    return true;
  }
}

const live = new Set<SaveChild>();
let exitHookInstalled = false;

function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* not there */
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of [...live]) c.kill();
  });
}

/** INFO stats total_forks / latest_fork_usec, per server. */
export interface ForkStats {
  total: number;
  /** µs the parent spent starting the last child, snapshot included (Redis's fork time) */
  latestUsec: number;
}
export const forkStatsOf = perServer<ForkStats>(() => ({ total: 0, latestUsec: 0 }));

/** Whether a save child works for this server (Redis's hasActiveChildProcess). */
export function hasActiveChild(owner: Server): boolean {
  for (const c of live) if (c.owner === owner) return true;
  return false;
}

/** Path of the compiled child script (next to this module). */
function childScriptPath(): string {
  return path.join(__dirname, 'rdb-save-child.js');
}

function signalNumber(sig: NodeJS.Signals): number {
  return (os.constants.signals as Record<string, number>)[sig] ?? 0;
}

/** What a background save or AOF rewrite gives startSaveChild. */
export interface SaveJob {
  /** produce the image now, pushing the offset after each key to keyEnds when given */
  image(keyEnds: number[] | undefined): Buffer;
  tempPattern: string;
  target: string;
  kind: 'rdb' | 'aof';
  done(exitCode: number, signal: number): void;
}

/**
 * Snapshot now and start a child writing it (what Redis's fork does): the
 * server's rdb-key-save-delay, key count and logger go with the job.
 * Throws when the image or the process could not be made.
 */
export function startSaveChild(server: Server, job: SaveJob): SaveChild {
  const delayUs = server.config.rdbKeySaveDelay;
  const keyEnds: number[] | undefined = delayUs !== 0 ? [] : undefined;
  const startedAt = process.hrtime.bigint(); // real time: the fork-equivalent's latency
  const image = job.image(keyEnds);
  const keysTotal = server.keyspace.totalKeys();
  const log = server.log;
  installExitHook();
  const proc = spawn(process.execPath, [childScriptPath(), String(process.pid), job.tempPattern], {
    // the child's relative names (its temp file, the root dir in its messages) are the server's dir
    cwd: server.config.dir,
    stdio: ['pipe', 'pipe', 'inherit'],
    windowsHide: true,
  });
  if (proc.pid === undefined) {
    // the spawn failed (reported asynchronously too): swallow that event
    proc.on('error', () => undefined);
    throw new Error('Resource temporarily unavailable');
  }
  const child = new SaveChild(proc, server, job.tempPattern, keysTotal);
  live.add(child);
  const fs0 = forkStatsOf(server);
  fs0.total++;
  fs0.latestUsec = Number((process.hrtime.bigint() - startedAt) / 1000n);
  // Node takes a while to boot: create the child's temp file now, as a
  // forked child would have at once (it truncates and fills it later)
  try {
    fs.closeSync(fs.openSync(child.tempFile, 'w', 0o644));
  } catch {
    /* the child reports why it cannot open it */
  }
  proc.on('error', () => undefined);
  proc.stdin!.on('error', () => undefined); // EPIPE when the child dies early
  let partial = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (s: string) => {
    partial += s;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (child.isDetached) continue;
      const tag = line.charCodeAt(0);
      const rest = line.slice(2);
      if (tag === 0x50 /* P */) child.keysProcessed = Number(rest) || 0;
      else if (tag === 0x4e /* N */) log.notice(rest);
      else if (tag === 0x57 /* W */) log.warning(rest);
    }
  });
  proc.on('close', (code, signal) => {
    if (!child.ended()) {
      removeFile(child.tempFile); // killed by the parent: it may have reopened the file meanwhile
      return;
    }
    if (signal !== null || code !== 0) removeFile(child.tempFile);
    job.done(code ?? 0, signal === null ? 0 : signalNumber(signal));
  });
  const header: SaveChildHeader = {
    target: job.target,
    delayUs,
    keyCount: keyEnds !== undefined ? keyEnds.length : 0,
    imageLength: image.length,
    kind: job.kind,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32LE(json.length, 0);
  const stdin = proc.stdin!;
  stdin.write(head);
  stdin.write(json);
  if (keyEnds !== undefined && keyEnds.length > 0) {
    const ends = Buffer.allocUnsafe(keyEnds.length * 8);
    for (let i = 0; i < keyEnds.length; i++) ends.writeDoubleLE(keyEnds[i], i * 8);
    stdin.write(ends);
  }
  stdin.end(image);
  return child;
}
