/*
 * The background-save child (BGSAVE, BGREWRITEAOF): a separate Node process
 * the server spawns, because Node has no fork(). The parent has already
 * produced the snapshot (a consistent point-in-time image); this process
 * only does what Redis's forked child does with the disk: it writes the
 * image to its temp file (named after ITS pid, as Redis's child names it),
 * fsyncs, renames it over the target when one is given, and exits 0. Any
 * failure is reported and exits 1, leaving no temp file behind.
 *
 * Arguments: the server's pid and the temp file pattern ("%d" = own pid).
 * Input (stdin): a u32 LE length, a JSON header (SaveChildHeader), then
 * `keyEnds` float64 LE offsets when a per-key delay applies, then the image
 * (`imageLength` bytes). Without a delay the image is written to the file
 * as it arrives; with rdb-key-save-delay the child behaves like Redis's
 * child sleeping that many microseconds after each key: key i is written
 * once (i * delay) µs have elapsed, so the temp file grows key by key.
 *
 * Output (stdout): lines for the parent, "N <text>" / "W <text>" log lines
 * at notice / warning level, "P <keys>" keys processed so far.
 *
 * The child never outlives the server: SIGTERM (the parent stopping it)
 * or SIGUSR1 removes the temp file and exits, and when its parent process disappears
 * (the parent pid changes, or stdin ends early) it does the same.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface SaveChildHeader {
  /** absolute path to rename the temp file to when done, or '' to leave it */
  target: string;
  /** rdb-key-save-delay: microseconds to spend per key (negative: Redis's statistical sleep) */
  delayUs: number;
  /** number of key end offsets following the header (0 without a delay) */
  keyCount: number;
  imageLength: number;
  /** 'rdb': Redis's RDB child log lines; 'aof': the AOF rewrite child's */
  kind: 'rdb' | 'aof';
}

// the server's pid comes as an argument: it may already be gone when this
// process starts (then process.ppid would already be that of init)
const parentPid = Number(process.argv[2]) || process.ppid;
let header: SaveChildHeader | null = null;
// the parent creates the temp file as soon as this process exists: known from the start
// (relative to the working directory; "%d" is this process's pid)
let tempName = (process.argv[3] ?? '').replace('%d', String(process.pid));
let fd = -1;
let finished = false;

function send(line: string): void {
  try {
    fs.writeSync(1, line + '\n');
  } catch {
    /* the parent is gone */
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(e);
}

function removeTemp(): void {
  if (fd >= 0) {
    try {
      fs.closeSync(fd);
    } catch {
      /* ignore */
    }
    fd = -1;
  }
  if (tempName !== '') {
    try {
      fs.unlinkSync(tempName);
    } catch {
      /* not created */
    }
  }
}

function fail(msg: string): never {
  finished = true;
  send(`W ${msg}`);
  removeTemp();
  process.exit(1);
}

function abandon(): never {
  finished = true;
  removeTemp();
  process.exit(1);
}

process.on('SIGUSR1', abandon);
process.on('SIGTERM', abandon);
process.on('SIGINT', () => undefined); // a ^C in the server's terminal is the server's business
if (process.ppid !== parentPid) abandon();
const orphanCheck = setInterval(() => {
  if (process.ppid !== parentPid) abandon();
}, 500);
orphanCheck.unref();

function openTemp(h: SaveChildHeader): void {
  const name = tempName;
  try {
    fd = fs.openSync(name, 'w', 0o644);
  } catch (e) {
    tempName = '';
    if (h.kind === 'rdb') fail(`Failed opening the temp RDB file ${name} (in server root dir ${process.cwd()}) for saving: ${errText(e)}`);
    fail(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${errText(e)}`);
  }
}

function writeAll(buf: Buffer, from: number, to: number): void {
  let off = from;
  try {
    while (off < to) off += fs.writeSync(fd, buf, off, to - off);
  } catch (e) {
    if (header!.kind === 'rdb') fail(`Write error saving DB on disk: ${errText(e)}`);
    fail(`Write error writing append only file on disk: ${errText(e)}`);
  }
}

function complete(): void {
  const h = header!;
  try {
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
  } catch (e) {
    if (h.kind === 'rdb') fail(`Write error saving DB on disk: ${errText(e)}`);
    fail(`Write error writing append only file on disk: ${errText(e)}`);
  }
  if (h.target !== '') {
    try {
      fs.renameSync(tempName, h.target);
    } catch (e) {
      fail(`Error moving temp DB file ${tempName} on the final destination ${path.basename(h.target)} (in server root dir ${process.cwd()}): ${errText(e)}`);
    }
  }
  finished = true;
  if (h.kind === 'rdb') send('N DB saved on disk');
  send(`P ${h.keyCount}`);
  clearInterval(orphanCheck);
  process.exit(0);
}

/* ------------------------------------------------------------ reading stdin */

let pending: Buffer[] = [];
let pendingLen = 0;
let keyEnds: Float64Array | null = null;
let streamed = 0;
/** with a delay: the whole image, gathered before writing */
let image: Buffer | null = null;
let imageFill = 0;

function take(n: number): Buffer | null {
  if (pendingLen < n) return null;
  const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
  const head = all.subarray(0, n);
  const rest = all.subarray(n);
  pending = rest.length > 0 ? [rest] : [];
  pendingLen = rest.length;
  return head;
}

function onChunk(chunk: Buffer): void {
  if (finished) return;
  pending.push(chunk);
  pendingLen += chunk.length;
  if (header === null) {
    if (pendingLen < 4) return;
    const lenBuf = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
    const hlen = lenBuf.readUInt32LE(0);
    if (pendingLen < 4 + hlen) return;
    take(4);
    header = JSON.parse(take(hlen)!.toString('utf8')) as SaveChildHeader;
    openTemp(header);
    if (header.delayUs !== 0) image = Buffer.allocUnsafe(header.imageLength);
  }
  const h = header;
  if (h.delayUs !== 0 && keyEnds === null) {
    const raw = take(h.keyCount * 8);
    if (raw === null) return;
    keyEnds = new Float64Array(h.keyCount);
    for (let i = 0; i < h.keyCount; i++) keyEnds[i] = raw.readDoubleLE(i * 8);
  }
  for (const b of pending) {
    const n = Math.min(b.length, h.imageLength - (image !== null ? imageFill : streamed));
    if (image !== null) {
      b.copy(image, imageFill, 0, n);
      imageFill += n;
    } else {
      writeAll(b, 0, n);
      streamed += n;
    }
  }
  pending = [];
  pendingLen = 0;
}

function onEnd(): void {
  if (finished) return;
  const h = header;
  if (h === null) abandon();
  if (image === null) {
    if (streamed !== h.imageLength) abandon();
    complete();
    return;
  }
  if (keyEnds === null || imageFill !== h.imageLength) abandon();
  writeWithDelay(image, keyEnds, h.delayUs);
}

/* -------------------------------------------------------- rdb-key-save-delay */

function writeWithDelay(img: Buffer, ends: Float64Array, delayUs: number): void {
  // Redis's debugDelay(negative n) sleeps 1µs with probability 1/n: on average 1/n µs per key
  const perKeyUs = delayUs > 0 ? delayUs : 1 / -delayUs;
  const start = process.hrtime.bigint();
  const n = ends.length;
  let written = 0;
  let keysDone = 0;
  let lastReport = 0;
  const step = (): void => {
    const elapsedUs = Number(process.hrtime.bigint() - start) / 1000;
    // key i is written after i delays (the first at once)
    const due = Math.min(n, Math.floor(elapsedUs / perKeyUs) + 1);
    if (due > keysDone) {
      const upTo = ends[due - 1];
      writeAll(img, written, upTo);
      written = upTo;
      keysDone = due;
      const now = Date.now();
      if (now - lastReport >= 100) {
        lastReport = now;
        send(`P ${keysDone}`);
      }
    }
    // after the last key's delay, the rest (EOF, checksum) and the end
    const nextAtUs = keysDone * perKeyUs;
    if (keysDone >= n && elapsedUs >= nextAtUs) {
      writeAll(img, written, img.length);
      complete();
      return;
    }
    const waitMs = Math.max(1, Math.ceil((nextAtUs - elapsedUs) / 1000));
    setTimeout(step, Math.min(waitMs, 2147483647));
  };
  step();
}

process.stdin.on('data', onChunk);
process.stdin.on('end', onEnd);
process.stdin.on('error', () => abandon());
