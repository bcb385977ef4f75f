/*
 * The multi-part AOF manifest of Redis 7.0: which files make up the
 * append-only log, in `<appenddirname>/<appendfilename>.manifest`.
 *
 * One line per file, `file <name> seq <n> type <b|h|i>`: at most one BASE
 * (a snapshot, RDB or AOF format, always listed first), then HISTORY files
 * (superseded by a rewrite, deleted after it), then the INCR files that
 * hold the commands written since the base, in increasing sequence order.
 * Loading reads the base and then every INCR file in order.
 *
 * Pure: parsing gives an error text (Redis's wording) instead of exiting;
 * the caller decides what a bad manifest means.
 */
import { splitArgs, reprString } from '../protocol/split-args';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export class AofManifest {
  base: AofFileInfo | null = null;
  incr: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  curBaseSeq = 0;
  curIncrSeq = 0;

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base && { ...this.base };
    m.incr = this.incr.map((f) => ({ ...f }));
    m.history = this.history.map((f) => ({ ...f }));
    m.curBaseSeq = this.curBaseSeq;
    m.curIncrSeq = this.curIncrSeq;
    return m;
  }

  /** The text of the manifest file. */
  format(): string {
    let out = '';
    const line = (f: AofFileInfo) => {
      out += `file ${needsRepr(f.name) ? reprString(f.name) : f.name} seq ${f.seq} type ${f.type}\n`;
    };
    if (this.base) line(this.base);
    for (const f of this.history) line(f);
    for (const f of this.incr) line(f);
    return out;
  }

  /**
   * A new base name (`<file>.<seq>.base.rdb|aof`); the current base, if
   * any, becomes history.
   */
  newBase(appendfilename: string, rdbFormat: boolean): string {
    if (this.base) {
      // history is newest first, as Redis adds to the head of its list
      this.base.type = 'h';
      this.history.unshift(this.base);
    }
    const seq = ++this.curBaseSeq;
    const name = `${appendfilename}.${seq}.base${rdbFormat ? '.rdb' : '.aof'}`;
    this.base = { name, seq, type: 'b' };
    return name;
  }

  /** A new INCR file at the end of the list (`<file>.<seq>.incr.aof`). */
  newIncr(appendfilename: string): string {
    const seq = ++this.curIncrSeq;
    const name = `${appendfilename}.${seq}.incr.aof`;
    this.incr.push({ name, seq, type: 'i' });
    return name;
  }

  /** After a rewrite: every INCR file but the last (the open one, when keepLast) is history. */
  markRewrittenIncrAsHistory(keepLast = true): void {
    const last = keepLast ? this.incr.pop() : undefined;
    for (const f of this.incr) f.type = 'h';
    // Redis moves them from the last one back, each to the head of the history
    this.history = [...this.incr, ...this.history];
    this.incr = last ? [last] : [];
  }

  lastIncrName(): string | null {
    return this.incr.length > 0 ? this.incr[this.incr.length - 1].name : null;
  }
}

/** Like sdsneedsrepr: quote names with spaces, quotes or non-printables. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 34 || c <= 32 || c >= 127) return true;
  }
  return false;
}

export interface ManifestError {
  message: string;
  /** the offending line (trimmed) and its 1-based number, when there is one */
  line?: string;
  lineNumber?: number;
}

const MAX_LINE = 1024;

/** Parse a manifest file's text. */
export function parseManifest(text: string): AofManifest | ManifestError {
  const m = new AofManifest();
  let maxSeq = 0;
  let lineNumber = 0;
  let pos = 0;
  if (text.length === 0) return { message: 'Found an empty AOF manifest' };
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    const hasNewline = nl >= 0;
    if (!hasNewline) nl = text.length;
    const raw = text.slice(pos, Math.min(nl, pos + MAX_LINE));
    lineNumber++;
    const tooLong = nl - pos >= MAX_LINE;
    pos = nl + 1;
    if (raw[0] === '#') continue;
    if (!hasNewline || tooLong) return { message: 'The AOF manifest file contains too long line' };
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const fail = (message: string): ManifestError => ({ message, line, lineNumber });
    if (line.length === 0) return fail('Invalid AOF manifest file format');
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) return fail('Invalid AOF manifest file format');
    let name = '';
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const k = argv[i].toLowerCase();
      if (k === 'file') {
        name = argv[i + 1];
        if (name.includes('/')) return fail("File can't be a path, just a filename");
      } else if (k === 'seq') {
        seq = atoll(argv[i + 1]);
      } else if (k === 'type') {
        type = argv[i + 1][0] ?? '';
      }
    }
    if (name === '' || seq === 0 || type === '') return fail('Invalid AOF manifest file format');
    if (type === 'b') {
      if (m.base) return fail('Found duplicate base file information');
      m.base = { name, seq, type: 'b' };
      m.curBaseSeq = seq;
    } else if (type === 'h') {
      m.history.push({ name, seq, type: 'h' });
    } else if (type === 'i') {
      if (seq <= maxSeq) return fail('Found a non-monotonic sequence number');
      m.incr.push({ name, seq, type: 'i' });
      m.curIncrSeq = seq;
      maxSeq = seq;
    } else {
      return fail('Unknown AOF file type');
    }
  }
  return m;
}

/** C's atoll: leading blanks, a sign, digits; anything else stops it. */
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

export function isManifestError(v: AofManifest | ManifestError): v is ManifestError {
  return !(v instanceof AofManifest);
}
