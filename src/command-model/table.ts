/*
 * The command table: Redis 7.0's metadata for each command (arity, flags,
 * key positions, key specs, ACL categories, group, since, arguments), kept as
 * data in src/command-model/spec/*.json, joined with the handlers that the
 * command family modules export.
 *
 * Invariants (checked at build time by the metadata test and at startup):
 * - every handler has a spec entry and every spec entry (that is not a
 *   container of subcommands) has a handler;
 * - container commands (CONFIG, CLIENT, ...) have no handler of their own:
 *   dispatch goes to the subcommand named by argv[1];
 * - names are lower case; a subcommand's full name is "parent|sub".
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '../server/client';

export interface KeySpec {
  notes?: string;
  flags: string[];
  begin_search: Record<string, unknown>;
  find_keys: Record<string, unknown>;
}

export interface ArgSpec {
  name: string;
  type: string;
  token?: string;
  flags?: string[];
  key_spec_index?: number;
  display_text?: string;
  since?: string;
  deprecated_since?: string;
  summary?: string;
  arguments?: ArgSpec[];
}

export interface CommandSpec {
  name: string;
  arity: number;
  flags: string[];
  first_key: number;
  last_key: number;
  step: number;
  acl_categories: string[];
  tips: string[];
  key_specs: KeySpec[];
  group: string;
  since: string;
  arguments: ArgSpec[];
  subcommands: CommandSpec[];
  /** our own one-line description (COMMAND DOCS summary) */
  summary: string;
  complexity?: string;
  doc_flags?: string[];
  deprecated_since?: string;
  replaced_by?: string;
  history?: [string, string][];
}

export type CommandHandler = (c: Client, argv: string[]) => void;
export type HandlerMap = Record<string, CommandHandler>;

/** Command flag bits (Redis's CMD_*). */
export const CMD_WRITE = 1 << 0;
export const CMD_READONLY = 1 << 1;
export const CMD_DENYOOM = 1 << 2;
export const CMD_MODULE = 1 << 3;
export const CMD_ADMIN = 1 << 4;
export const CMD_PUBSUB = 1 << 5;
export const CMD_NOSCRIPT = 1 << 6;
export const CMD_BLOCKING = 1 << 8;
export const CMD_LOADING = 1 << 9;
export const CMD_STALE = 1 << 10;
export const CMD_SKIP_MONITOR = 1 << 11;
export const CMD_SKIP_SLOWLOG = 1 << 12;
export const CMD_ASKING = 1 << 13;
export const CMD_FAST = 1 << 14;
export const CMD_NO_AUTH = 1 << 15;
export const CMD_MAY_REPLICATE = 1 << 16;
export const CMD_SENTINEL = 1 << 17;
export const CMD_ONLY_SENTINEL = 1 << 18;
export const CMD_NO_MANDATORY_KEYS = 1 << 19;
export const CMD_PROTECTED = 1 << 20;
export const CMD_NO_ASYNC_LOADING = 1 << 23;
export const CMD_NO_MULTI = 1 << 24;
export const CMD_MOVABLE_KEYS = 1 << 25;
export const CMD_ALLOW_BUSY = 1 << 26;

const FLAG_BITS: Record<string, number> = {
  write: CMD_WRITE,
  readonly: CMD_READONLY,
  denyoom: CMD_DENYOOM,
  module: CMD_MODULE,
  admin: CMD_ADMIN,
  pubsub: CMD_PUBSUB,
  noscript: CMD_NOSCRIPT,
  blocking: CMD_BLOCKING,
  loading: CMD_LOADING,
  stale: CMD_STALE,
  skip_monitor: CMD_SKIP_MONITOR,
  skip_slowlog: CMD_SKIP_SLOWLOG,
  asking: CMD_ASKING,
  fast: CMD_FAST,
  no_auth: CMD_NO_AUTH,
  may_replicate: CMD_MAY_REPLICATE,
  sentinel: CMD_SENTINEL,
  only_sentinel: CMD_ONLY_SENTINEL,
  no_mandatory_keys: CMD_NO_MANDATORY_KEYS,
  protected: CMD_PROTECTED,
  no_async_loading: CMD_NO_ASYNC_LOADING,
  no_multi: CMD_NO_MULTI,
  movablekeys: CMD_MOVABLE_KEYS,
  allow_busy: CMD_ALLOW_BUSY,
};

export interface CommandStats {
  calls: number;
  /** total microseconds spent */
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** latency histogram samples for latencystats (microseconds), bounded */
  latency: LatencyHistogram;
}

/**
 * Per-command latency histogram (LATENCY HISTOGRAM, INFO latencystats).
 *
 * Samples are kept in nanoseconds, clamped to [1024 ns, 1 s] as Redis does,
 * in HdrHistogram-style buckets with 2 significant digits: values below 256
 * are exact, above that each power of two is split into 128 equal
 * sub-buckets. That gives percentiles within 1% and, folded into power of
 * two ranges starting at 1024 ns, the cumulative distribution that LATENCY
 * HISTOGRAM replies with. The count array is allocated on the first sample:
 * a command that was never called (or not since CONFIG RESETSTAT) has no
 * histogram, and LATENCY HISTOGRAM leaves it out.
 */
export class LatencyHistogram {
  static readonly MIN_NS = 1024;
  static readonly MAX_NS = 1_000_000_000;
  /** sub-bucket count per power of two above 256 */
  private static readonly HALF = 128;
  private static readonly SIZE = LatencyHistogram.indexOf(LatencyHistogram.MAX_NS) + 1;
  private counts: Uint32Array | null = null;
  total = 0;
  private maxIndex = 0;

  /** True once a sample was recorded since creation or the last reset. */
  get active(): boolean {
    return this.counts !== null;
  }

  /** Record a duration in nanoseconds. */
  record(duration: number): void {
    // most commands take less than the 1024 ns floor: their bucket is known
    const i = duration <= LatencyHistogram.MIN_NS ? MIN_INDEX
      : LatencyHistogram.indexOf(duration >= LatencyHistogram.MAX_NS ? LatencyHistogram.MAX_NS : Math.round(duration));
    let counts = this.counts;
    if (counts === null) counts = this.counts = new Uint32Array(LatencyHistogram.SIZE);
    counts[i]++;
    if (i > this.maxIndex) this.maxIndex = i;
    this.total++;
  }

  /** Bucket index of a value in ns. */
  static indexOf(ns: number): number {
    if (ns < 256) return ns;
    const shift = 31 - Math.clz32(ns) - 7;
    return 256 + (shift - 1) * LatencyHistogram.HALF + ((ns >>> shift) - LatencyHistogram.HALF);
  }

  /** Largest value (ns) that falls in bucket i. */
  static highestOf(i: number): number {
    if (i < 256) return i;
    const shift = Math.floor((i - 256) / LatencyHistogram.HALF) + 1;
    const sub = ((i - 256) % LatencyHistogram.HALF) + LatencyHistogram.HALF;
    return sub * 2 ** shift + 2 ** shift - 1;
  }

  /**
   * The value below which p percent of the samples fall, in microseconds
   * (the highest value of its bucket, as hdr_value_at_percentile answers).
   */
  percentile(p: number): number {
    const counts = this.counts;
    if (counts === null || this.total === 0) return 0;
    const target = Math.max(1, Math.round((Math.min(100, p) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i <= this.maxIndex; i++) {
      seen += counts[i];
      if (seen >= target) return LatencyHistogram.highestOf(i) / 1000;
    }
    return LatencyHistogram.highestOf(this.maxIndex) / 1000;
  }

  /**
   * Cumulative distribution over power-of-two ranges starting at 1024 ns:
   * pairs [upper bound in µs, samples at or below it], listed only where the
   * count grows (LATENCY HISTOGRAM's histogram_usec).
   */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    const counts = this.counts;
    if (counts === null) return out;
    let seen = 0;
    let reported = 0;
    let i = 0;
    for (let level = LatencyHistogram.MIN_NS; seen < this.total; level *= 2) {
      const last = LatencyHistogram.indexOf(Math.min(level, LatencyHistogram.MAX_NS));
      for (; i <= last && i < counts.length; i++) seen += counts[i];
      if (seen > reported) {
        // a power of two's bucket spans level/128 values
        out.push([Math.floor((level + level / LatencyHistogram.HALF - 1) / 1000), seen]);
        reported = seen;
      }
      if (i >= counts.length) break;
    }
    return out;
  }

  reset(): void {
    this.counts = null;
    this.total = 0;
    this.maxIndex = 0;
  }
}
/** bucket of the 1024 ns floor */
const MIN_INDEX = LatencyHistogram.indexOf(LatencyHistogram.MIN_NS);

export class Command {
  readonly name: string;
  /** "get", or "config|get" for a subcommand */
  readonly fullName: string;
  readonly spec: CommandSpec;
  readonly arity: number;
  readonly flags: number;
  readonly handler: CommandHandler | null;
  readonly parent: Command | null;
  subcommands: Map<string, Command> | null = null;
  readonly stats: CommandStats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, latency: new LatencyHistogram() };
  /** EXEC (renamed or not): its refusals abort the transaction, its commands propagate themselves */
  readonly isExec: boolean;
  /** commands/multi.ts's per-command answers, looked up once: a transaction-control command? */
  txControl = false;
  /** ... and the flags it counts with when queued (EVAL/FCALL of a script with flags, set by their module), null: its own */
  queuedFlags: ((c: Client, flags: number, argv: string[]) => number) | null = null;

  constructor(spec: CommandSpec, handler: CommandHandler | null, parent: Command | null) {
    this.spec = spec;
    this.fullName = spec.name;
    const bar = spec.name.indexOf('|');
    this.name = bar >= 0 ? spec.name.slice(bar + 1) : spec.name;
    this.arity = spec.arity;
    let f = 0;
    for (const fl of spec.flags) {
      const bit = FLAG_BITS[fl];
      if (bit === undefined) throw new Error(`unknown command flag ${fl} in ${spec.name}`);
      f |= bit;
    }
    this.flags = f;
    this.handler = handler;
    this.parent = parent;
    this.isExec = spec.name === 'exec';
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** Whether this command's arity accepts argc arguments (argv includes the name). */
  arityOk(argc: number): boolean {
    const a = this.arity;
    return a > 0 ? argc === a : argc >= -a;
  }
}

const RECENT_BITS = 8;
const RECENT_SLOTS = 1 << RECENT_BITS;

export class CommandTable {
  /** top-level commands by lower-case name */
  readonly commands = new Map<string, Command>();
  /** lookup cache including upper-case and mixed spellings seen */
  private byExactName = new Map<string, Command>();

  /**
   * In front of the Maps: a direct-mapped cache of the names last looked up,
   * indexed by a hash of their length and first, second, middle and last
   * characters.
   * The request parser interns command names, so a hit is an identity
   * comparison and an array read: a fraction of a Map lookup.
   */
  private recentNames: string[] = new Array<string>(RECENT_SLOTS).fill('');
  private recentCmds: (Command | null)[] = new Array<Command | null>(RECENT_SLOTS).fill(null);

  /** Look up a top-level command by name, any case. */
  lookup(name: string): Command | undefined {
    const len = name.length;
    if (len === 0) return undefined;
    const second = len > 1 ? name.charCodeAt(1) : 0;
    const mix = (name.charCodeAt(0) << 16) ^ (name.charCodeAt(len >> 1) << 12) ^ (name.charCodeAt(len - 1) << 8) ^ (second << 4) ^ len;
    const slot = Math.imul(mix, 0x9e3779b1) >>> (32 - RECENT_BITS);
    if (this.recentNames[slot] === name) return this.recentCmds[slot] as Command;
    let c = this.byExactName.get(name);
    if (c === undefined) {
      c = this.commands.get(name.toLowerCase());
      if (c === undefined) return undefined;
      if (this.byExactName.size < 4096) this.byExactName.set(name, c);
    }
    this.recentNames[slot] = name;
    this.recentCmds[slot] = c;
    return c;
  }

  private forgetRecent(): void {
    this.recentNames.fill('');
    this.recentCmds.fill(null);
  }

  /** Look up "parent|sub" or "parent" by full name. */
  lookupFull(fullName: string): Command | undefined {
    const lower = fullName.toLowerCase();
    const bar = lower.indexOf('|');
    if (bar < 0) return this.commands.get(lower);
    const parent = this.commands.get(lower.slice(0, bar));
    return parent?.subcommands?.get(lower.slice(bar + 1));
  }

  /** Every command and subcommand. */
  *all(): IterableIterator<Command> {
    for (const c of this.commands.values()) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }

  /** rename-command: move a top-level command to another name ('' removes it). */
  rename(from: string, to: string): boolean {
    const cmd = this.commands.get(from.toLowerCase());
    if (cmd === undefined) return false;
    this.commands.delete(from.toLowerCase());
    this.byExactName.clear();
    this.forgetRecent();
    if (to !== '') this.commands.set(to.toLowerCase(), cmd);
    return true;
  }

  add(cmd: Command): void {
    this.commands.set(cmd.name, cmd);
    this.byExactName.set(cmd.name, cmd);
    this.byExactName.set(cmd.name.toUpperCase(), cmd);
    this.forgetRecent();
  }
}

/** Directory holding the JSON spec files (next to this module, in src/ or dist/src/). */
export function specDirectory(): string {
  return path.join(__dirname, 'spec');
}

/** Read every spec file: each is a JSON array of CommandSpec. */
export function loadSpecs(dir = specDirectory()): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const list = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CommandSpec[];
    out.push(...list);
  }
  return out;
}

export interface TableProblems {
  specWithoutHandler: string[];
  handlerWithoutSpec: string[];
}

/** Join specs and handlers. Problems are returned, not thrown, so a test can list them all. */
export function buildTable(specs: CommandSpec[], handlers: HandlerMap): { table: CommandTable; problems: TableProblems } {
  const table = new CommandTable();
  const used = new Set<string>();
  const problems: TableProblems = { specWithoutHandler: [], handlerWithoutSpec: [] };
  for (const spec of specs) {
    const isContainer = spec.subcommands.length > 0;
    const h: CommandHandler | null = Object.prototype.hasOwnProperty.call(handlers, spec.name) ? handlers[spec.name] : null;
    if (h !== null) used.add(spec.name);
    else if (!isContainer) problems.specWithoutHandler.push(spec.name);
    const cmd = new Command(spec, h, null);
    if (isContainer) {
      cmd.subcommands = new Map();
      for (const sub of spec.subcommands) {
        const sh: CommandHandler | null = Object.prototype.hasOwnProperty.call(handlers, sub.name) ? handlers[sub.name] : null;
        if (sh !== null) used.add(sub.name);
        else problems.specWithoutHandler.push(sub.name);
        const sc = new Command(sub, sh, cmd);
        cmd.subcommands.set(sc.name, sc);
      }
    }
    table.add(cmd);
  }
  for (const name of Object.keys(handlers)) {
    if (!used.has(name)) problems.handlerWithoutSpec.push(name);
  }
  return { table, problems };
}
