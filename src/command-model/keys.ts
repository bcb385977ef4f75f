/*
 * Key extraction: which arguments of a command line are key names, and how
 * the command accesses each (Redis's getKeysFromCommandWithSpecs).
 *
 * The key specs come from the command metadata (spec JSON, in the flat
 * "name, value, name, value" form COMMAND INFO uses). They are parsed once
 * per command into a compact form (cached on the side, keyed by Command) and
 * then walked for each call:
 * - begin_search finds the first key: a fixed index, or the argument after a
 *   keyword searched forwards (startfrom > 0) or backwards (startfrom < 0);
 * - find_keys gives the rest: a range (lastkey relative to the first key,
 *   negative = from the end, with a step and an optional limit divisor) or
 *   a count read from an argument (keynum).
 * A spec that cannot be resolved on these arguments, or that is marked
 * incomplete, makes the whole search fail; commands whose specs are not
 * enough (SORT's STORE, SET's optional GET, EVAL's 0 keys...) then fall
 * back to a command-specific procedure, as Redis does. Specs flagged
 * not_key (fake keys such as a MIGRATE target) are skipped unless asked for.
 *
 * Results go into a reusable KeysResult (positions + flag bitmaps) so that
 * hot callers (client tracking, cluster redirection) do not allocate.
 */
import type { Command, KeySpec } from './table';
import { CMD_MODULE } from './table';
import { parseInteger } from '../util/numbers';

/** Key spec flags (Redis's CMD_KEY_*), in the order COMMAND replies them. */
export const KEY_RO = 1 << 0;
export const KEY_RW = 1 << 1;
export const KEY_OW = 1 << 2;
export const KEY_RM = 1 << 3;
export const KEY_ACCESS = 1 << 4;
export const KEY_UPDATE = 1 << 5;
export const KEY_INSERT = 1 << 6;
export const KEY_DELETE = 1 << 7;
export const KEY_NOT_KEY = 1 << 8;
export const KEY_INCOMPLETE = 1 << 9;
export const KEY_VARIABLE_FLAGS = 1 << 10;

export const KEY_FLAG_NAMES: readonly string[] = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

/** Include not_key specs in the search. */
export const GET_KEYSPEC_INCLUDE_NOT_KEYS = 1 << 0;
/** Skip unresolvable specs instead of failing the whole search. */
export const GET_KEYSPEC_RETURN_PARTIAL = 1 << 1;

export const BS_UNKNOWN = 0;
export const BS_INDEX = 1;
export const BS_KEYWORD = 2;
export const FK_UNKNOWN = 0;
export const FK_RANGE = 1;
export const FK_KEYNUM = 2;

/** A key spec in a form that is cheap to walk. */
export interface ParsedKeySpec {
  notes: string | null;
  flags: number;
  bsType: number;
  /** BS_INDEX */
  index: number;
  /** BS_KEYWORD */
  keyword: string;
  startfrom: number;
  fkType: number;
  /** FK_RANGE */
  lastkey: number;
  keystep: number;
  limit: number;
  /** FK_KEYNUM */
  keynumidx: number;
  firstkey: number;
}

/** Positions (into argv, argv[0] being the command name) and flags of the keys found. */
export class KeysResult {
  pos: number[] = [];
  flags: number[] = [];
  numkeys = 0;

  reset(): void {
    this.numkeys = 0;
  }

  add(pos: number, flags: number): void {
    const n = this.numkeys++;
    this.pos[n] = pos;
    this.flags[n] = flags;
  }
}

/** Read a spec list given as [k, v, k, v...] or as an object. */
function asRecord(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = v[i + 1];
    return out;
  }
  if (v !== null && typeof v === 'object') return v as Record<string, unknown>;
  return {};
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

export function keyFlagsFromNames(names: readonly string[]): number {
  let f = 0;
  for (const n of names) {
    const i = KEY_FLAG_NAMES.indexOf(n);
    if (i < 0) throw new Error(`unknown key spec flag ${n}`);
    f |= 1 << i;
  }
  return f;
}

export function keyFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < KEY_FLAG_NAMES.length; i++) if (flags & (1 << i)) out.push(KEY_FLAG_NAMES[i]);
  return out;
}

export function parseKeySpec(raw: KeySpec | unknown[]): ParsedKeySpec {
  const r = asRecord(raw);
  const bs = asRecord(r.begin_search);
  const bsSpec = asRecord(bs.spec);
  const fk = asRecord(r.find_keys);
  const fkSpec = asRecord(fk.spec);
  const flags = Array.isArray(r.flags) ? keyFlagsFromNames(r.flags as string[]) : 0;
  const p: ParsedKeySpec = {
    notes: typeof r.notes === 'string' ? r.notes : null,
    flags,
    bsType: BS_UNKNOWN, index: 0, keyword: '', startfrom: 0,
    fkType: FK_UNKNOWN, lastkey: 0, keystep: 0, limit: 0, keynumidx: 0, firstkey: 0,
  };
  if (bs.type === 'index') {
    p.bsType = BS_INDEX;
    p.index = num(bsSpec.index);
  } else if (bs.type === 'keyword') {
    p.bsType = BS_KEYWORD;
    p.keyword = String(bsSpec.keyword ?? '');
    p.startfrom = num(bsSpec.startfrom);
  }
  if (fk.type === 'range') {
    p.fkType = FK_RANGE;
    p.lastkey = num(fkSpec.lastkey);
    p.keystep = num(fkSpec.keystep);
    p.limit = num(fkSpec.limit);
  } else if (fk.type === 'keynum') {
    p.fkType = FK_KEYNUM;
    p.keynumidx = num(fkSpec.keynumidx);
    p.firstkey = num(fkSpec.firstkey);
    p.keystep = num(fkSpec.keystep);
  }
  return p;
}

interface CommandKeyInfo {
  specs: ParsedKeySpec[];
  /** OR of every spec's flags */
  allFlags: number;
  /** OR of every spec's inverted flags (flags missing from at least one spec) */
  allFlagsInv: number;
  proc: GetKeysProc | null;
}

const infoCache = new WeakMap<Command, CommandKeyInfo>();

function keyInfo(cmd: Command): CommandKeyInfo {
  let ki = infoCache.get(cmd);
  if (ki !== undefined) return ki;
  const specs = (cmd.spec.key_specs as unknown as (KeySpec | unknown[])[]).map(parseKeySpec);
  let all = 0;
  let inv = 0;
  for (const s of specs) {
    all |= s.flags;
    inv |= ~s.flags;
  }
  ki = { specs, allFlags: all, allFlagsInv: inv, proc: GETKEYS_PROCS[cmd.fullName] ?? null };
  infoCache.set(cmd, ki);
  return ki;
}

/** The parsed key specs of a command. */
export function keySpecsOf(cmd: Command): readonly ParsedKeySpec[] {
  return keyInfo(cmd).specs;
}

function eqIgnoreCase(a: string, lower: string): boolean {
  return a.length === lower.length && a.toLowerCase() === lower;
}

/** Walk the key specs. Returns the number of keys, or -1 when a spec cannot be resolved. */
export function getKeysUsingKeySpecs(cmd: Command, argv: readonly string[], searchFlags: number, result: KeysResult): number {
  const specs = keyInfo(cmd).specs;
  const argc = argv.length;
  result.reset();
  for (let j = 0; j < specs.length; j++) {
    const spec = specs[j];
    if ((spec.flags & KEY_NOT_KEY) !== 0 && (searchFlags & GET_KEYSPEC_INCLUDE_NOT_KEYS) === 0) continue;
    let ok = true;
    let first = 0;
    let last = 0;
    let step = 1;
    if (spec.bsType === BS_INDEX) {
      first = spec.index;
    } else if (spec.bsType === BS_KEYWORD) {
      const kw = spec.keyword.toLowerCase();
      const start = spec.startfrom > 0 ? spec.startfrom : argc + spec.startfrom;
      const end = spec.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (eqIgnoreCase(argv[i], kw)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword absent: this spec has no keys here
    } else {
      ok = false;
    }
    if (ok) {
      if (spec.fkType === FK_RANGE) {
        step = spec.keystep;
        if (spec.lastkey >= 0) last = first + spec.lastkey;
        else if (spec.limit === 0) last = argc + spec.lastkey;
        else last = first + (Math.trunc((argc - first) / spec.limit) + spec.lastkey);
      } else if (spec.fkType === FK_KEYNUM) {
        step = spec.keystep;
        const at = first + spec.keynumidx;
        const n = spec.keynumidx >= argc || at >= argc ? null : parseInteger(argv[at]);
        if (n === null || n < 0) ok = false;
        else {
          first += spec.firstkey;
          last = first + n - 1;
        }
      } else {
        ok = false;
      }
    }
    if (ok && (last >= argc || last < first || first >= argc)) ok = false;
    if (ok) {
      for (let i = first; i <= last; i += step) {
        if (i >= argc || i < first) {
          // variadic commands check their own syntax later: no key here
          if ((cmd.flags & CMD_MODULE) !== 0 || cmd.arity < 0) continue;
          break;
        }
        result.add(i, spec.flags);
      }
      if ((spec.flags & KEY_INCOMPLETE) === 0) continue;
    }
    if ((searchFlags & GET_KEYSPEC_RETURN_PARTIAL) !== 0) continue;
    result.reset();
    return -1;
  }
  return result.numkeys;
}

/**
 * The keys of a command line (argv[0] is the command name; for a
 * subcommand, argv[1] is its name). Prefers the key specs when they are
 * complete and their flags fixed, else the command's own procedure.
 */
export function getKeysFromCommandWithSpecs(cmd: Command, argv: readonly string[], searchFlags: number, result: KeysResult): number {
  const ki = keyInfo(cmd);
  const hasKeySpec = (ki.allFlagsInv & KEY_NOT_KEY) !== 0;
  const hasVarFlags = (ki.allFlags & KEY_VARIABLE_FLAGS) !== 0;
  if (hasKeySpec && !hasVarFlags) {
    const ret = getKeysUsingKeySpecs(cmd, argv, searchFlags, result);
    if (ret >= 0) return ret;
  }
  result.reset();
  if (ki.proc !== null) return ki.proc(argv, result);
  return 0;
}

/**
 * Keys by the legacy (first, last, step) range or the command's procedure,
 * without flags (Redis's getKeysFromCommand, what cluster redirection uses).
 */
export function getKeysFromCommand(cmd: Command, argv: readonly string[], result: KeysResult): number {
  const ki = keyInfo(cmd);
  result.reset();
  if (ki.proc !== null) return ki.proc(argv, result);
  const first = cmd.spec.first_key;
  if (first === 0) return 0;
  let last = cmd.spec.last_key;
  const step = cmd.spec.step;
  const argc = argv.length;
  if (last < 0) last = argc + last;
  for (let j = first; j <= last; j += step) {
    if (j >= argc || j < first) {
      // variadic commands report their own arity or syntax error: no keys
      result.reset();
      return 0;
    }
    result.add(j, 0);
  }
  return result.numkeys;
}

/** Whether a command may take key arguments at all. */
export function doesCommandHaveKeys(cmd: Command): boolean {
  const ki = keyInfo(cmd);
  return ki.proc !== null || (ki.allFlagsInv & KEY_NOT_KEY) !== 0;
}

/** Convenience: the key names of a command line (allocates; not for hot paths). */
export function commandKeys(cmd: Command, argv: readonly string[]): string[] {
  const r = new KeysResult();
  const n = getKeysFromCommandWithSpecs(cmd, argv, 0, r);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(argv[r.pos[i]]);
  return out;
}

// ---------------------------------------------------------------------------
// Command-specific procedures, for commands whose key specs cannot say it all.

type GetKeysProc = (argv: readonly string[], result: KeysResult) => number;

/** C atoi(): leading whitespace, sign, digits, stop at the first non-digit. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  const v = Number(m[1]);
  return v > 2147483647 || v < -2147483648 ? Math.trunc(v) | 0 : v;
}

/** [destkey] <numkeys> <key> ... : keys counted by an argument, optionally a destination first. */
function numkeysProc(storeOfs: number, countOfs: number, firstOfs: number): GetKeysProc {
  return (argv, result) => {
    const argc = argv.length;
    if (countOfs >= argc) return 0;
    const n = atoi(argv[countOfs]);
    if (n < 1 || n > argc - firstOfs) return 0;
    for (let i = 0; i < n; i++) result.add(firstOfs + i, 0);
    if (storeOfs) result.add(storeOfs, 0);
    return result.numkeys;
  };
}

function sortRoProc(_argv: readonly string[], result: KeysResult): number {
  result.add(1, KEY_RO | KEY_ACCESS);
  return 1;
}

function sortProc(argv: readonly string[], result: KeysResult): number {
  result.add(1, KEY_RO | KEY_ACCESS);
  let store = -1;
  const argc = argv.length;
  for (let i = 2; i < argc; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'limit') i += 2;
    else if (a === 'get' || a === 'by') i += 1;
    else if (a === 'store' && i + 1 < argc) store = i + 1; // the last STORE wins
  }
  if (store >= 0) result.add(store, KEY_OW | KEY_UPDATE);
  return result.numkeys;
}

function migrateProc(argv: readonly string[], result: KeysResult): number {
  const argc = argv.length;
  let first = 3;
  let n = 1;
  if (argc > 6) {
    for (let i = 6; i < argc; i++) {
      const a = argv[i].toLowerCase();
      if (a === 'keys') {
        if (argv[3].length > 0) n = 0; // both a key and KEYS: the command reports the error
        else {
          first = i + 1;
          n = argc - first;
        }
        break;
      }
      if (a === 'auth') i += 1;
      else if (a === 'auth2') i += 2;
    }
  }
  for (let i = 0; i < n; i++) result.add(first + i, KEY_RW | KEY_ACCESS | KEY_DELETE);
  return n;
}

function georadiusProc(argv: readonly string[], result: KeysResult): number {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if ((a === 'store' || a === 'storedist') && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  result.add(1, 0);
  if (stored >= 0) result.add(stored, 0);
  return result.numkeys;
}

function xreadProc(argv: readonly string[], result: KeysResult): number {
  const argc = argv.length;
  let streamsPos = -1;
  for (let i = 1; i < argc; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'block' || a === 'count') i++;
    else if (a === 'group') i += 2;
    else if (a === 'noack') continue;
    else {
      if (a === 'streams') streamsPos = i;
      break;
    }
  }
  if (streamsPos < 0) return 0;
  let n = argc - streamsPos - 1;
  if (n === 0 || n % 2 !== 0) return 0;
  n /= 2;
  for (let i = streamsPos + 1; i < argc - n; i++) result.add(i, 0);
  return n;
}

function setProc(argv: readonly string[], result: KeysResult): number {
  for (let i = 3; i < argv.length; i++) {
    if (eqIgnoreCase(argv[i], 'get')) {
      result.add(1, KEY_RW | KEY_ACCESS | KEY_UPDATE);
      return 1;
    }
  }
  result.add(1, KEY_OW | KEY_UPDATE);
  return 1;
}

function bitfieldProc(argv: readonly string[], result: KeysResult): number {
  let readonly = true;
  const argc = argv.length;
  for (let i = 2; i < argc; i++) {
    const rem = argc - i - 1;
    const a = argv[i].toLowerCase();
    if (a === 'get' && rem >= 2) i += 2;
    else if ((a === 'set' || a === 'incrby') && rem >= 3) {
      readonly = false;
      break;
    } else if (a === 'overflow' && rem >= 1) i += 1;
    else {
      readonly = false; // a syntax error: assume a write
      break;
    }
  }
  result.add(1, readonly ? KEY_RO | KEY_ACCESS : KEY_RW | KEY_ACCESS | KEY_UPDATE);
  return 1;
}

const numkeysAt1 = numkeysProc(0, 1, 2);
const numkeysAt2 = numkeysProc(0, 2, 3);
const storeNumkeys = numkeysProc(1, 2, 3);

/** Commands with their own key procedure, by full name. */
const GETKEYS_PROCS: Record<string, GetKeysProc> = {
  bitfield: bitfieldProc,
  migrate: migrateProc,
  sort: sortProc,
  sort_ro: sortRoProc,
  georadius: georadiusProc,
  georadiusbymember: georadiusProc,
  blmpop: numkeysAt2,
  lmpop: numkeysAt1,
  bzmpop: numkeysAt2,
  zmpop: numkeysAt1,
  eval: numkeysAt2,
  evalsha: numkeysAt2,
  eval_ro: numkeysAt2,
  evalsha_ro: numkeysAt2,
  fcall: numkeysAt2,
  fcall_ro: numkeysAt2,
  sintercard: numkeysAt1,
  zdiff: numkeysAt1,
  zinter: numkeysAt1,
  zintercard: numkeysAt1,
  zunion: numkeysAt1,
  zdiffstore: storeNumkeys,
  zinterstore: storeNumkeys,
  zunionstore: storeNumkeys,
  xread: xreadProc,
  xreadgroup: xreadProc,
  set: setProc,
};

/**
 * The legacy (first, last, step) triple COMMAND INFO shows, derived from
 * the range specs as Redis does (only consecutive index/range specs with
 * step 1 are merged; anything else is left to movablekeys).
 */
export function legacyKeyRange(cmd: Command): [number, number, number] {
  const specs = keyInfo(cmd).specs;
  if (specs.length === 0) return [0, 0, 0];
  if (specs.length === 1 && specs[0].bsType === BS_INDEX && specs[0].fkType === FK_RANGE) {
    const s = specs[0];
    return [s.index, s.lastkey >= 0 ? s.index + s.lastkey : s.lastkey, s.keystep];
  }
  let firstkey = Infinity;
  let lastkey = 0;
  let prevLast = 0;
  for (const s of specs) {
    if (s.bsType !== BS_INDEX || s.fkType !== FK_RANGE) continue;
    if (s.keystep !== 1 || (prevLast !== 0 && prevLast !== s.index - 1)) continue;
    firstkey = Math.min(firstkey, s.index);
    const abs = s.lastkey >= 0 ? s.lastkey + s.index : s.lastkey;
    // compared as unsigned: a negative (from the end) lastkey wins
    lastkey = (abs >>> 0) > (lastkey >>> 0) ? abs : lastkey;
    prevLast = lastkey;
  }
  if (firstkey === Infinity) return [0, 0, 0];
  return [firstkey, lastkey, 1];
}
