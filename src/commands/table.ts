/*
 * The command table: Redis 7.0's metadata for each command (arity, flags,
 * key positions, key specs, ACL categories, group, since, arguments), kept as
 * data in src/commands/spec/*.json, joined with the handlers that the
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
 * Latency histogram for LATENCY HISTOGRAM and INFO latencystats: log-linear
 * buckets over nanoseconds (values below 32 exact, then 32 linear
 * sub-buckets per power of two, about 3% precision) in a typed array, so
 * recording a sample is a few integer operations and no allocation.
 */
export class LatencyHistogram {
  readonly counts = new Float64Array(1024);
  total = 0;

  static bucket(ns: number): number {
    const v = ns >= 2147483647 ? 2147483647 : ns < 0 ? 0 : ns | 0;
    if (v < 32) return v;
    const e = 31 - Math.clz32(v);
    return 32 + ((e - 5) << 5) + ((v >>> (e - 5)) & 31);
  }

  /** The highest value (ns) a bucket holds. */
  static bucketTop(idx: number): number {
    if (idx < 32) return idx;
    const e = ((idx - 32) >> 5) + 5;
    const sub = (idx - 32) & 31;
    return (32 + sub + 1) * Math.pow(2, e - 5) - 1;
  }

  /** Record a duration in nanoseconds. */
  record(ns: number): void {
    this.counts[LatencyHistogram.bucket(ns)]++;
    this.total++;
  }

  /** Value (ns) at percentile p (0..100). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const target = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= target) return LatencyHistogram.bucketTop(i);
    }
    return 0;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

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

export class CommandTable {
  /** top-level commands by lower-case name */
  readonly commands = new Map<string, Command>();
  /** lookup cache including upper-case and mixed spellings seen */
  private byExactName = new Map<string, Command>();

  /** Look up a top-level command by name, any case. */
  lookup(name: string): Command | undefined {
    let c = this.byExactName.get(name);
    if (c !== undefined) return c;
    c = this.commands.get(name.toLowerCase());
    if (c !== undefined && this.byExactName.size < 4096) this.byExactName.set(name, c);
    return c;
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
    if (to !== '') this.commands.set(to.toLowerCase(), cmd);
    return true;
  }

  add(cmd: Command): void {
    this.commands.set(cmd.name, cmd);
    this.byExactName.set(cmd.name, cmd);
    this.byExactName.set(cmd.name.toUpperCase(), cmd);
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
