/*
 * Parsing and printing of parameter values, per type, with Redis 7.0's
 * exact error texts. parseValue never touches the live configuration: it
 * turns arguments into a typed value (or an error), so that CONFIG SET can
 * validate everything before changing anything.
 *
 * Special parameters (save, bind, client-output-buffer-limit, ...) have
 * their own parsers here; `dir` changes the working directory as a side
 * effect, like Redis's chdir, and is therefore applied, not just parsed.
 */
import * as fs from 'fs';
import * as nodePath from 'path';
import { type ParamDef, MULTI_ARG } from './params';
import {
  strictInt, parseMemory, LLONG_MAX, OBUF_CLASSES, OBUF_GET_NAMES, defaultObufLimits,
  type ClientOutputBufferLimits, type SavePoint,
} from './values';
import { parseNotifyFlags, formatNotifyFlags } from '../keyspace/notify-flags';

export type Parsed = { ok: true; value: unknown } | { ok: false; err: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (err: string): Parsed => ({ ok: false, err });

function rangeError(d: ParamDef): Parsed {
  return fail(`argument must be between ${d.min} and ${d.max} inclusive`);
}

/** Bit values of the multi-flag shutdown-on-sig* enums, in print order. */
const SHUTDOWN_FLAGS: [string, number][] = [['save', 1], ['nosave', 2], ['now', 4], ['force', 8]];

/** Turn arguments into a typed value for `d` (args.length was already checked by the caller for single-arg types). */
export function parseValue(d: ParamDef, args: string[]): Parsed {
  const a = args[0] ?? '';
  switch (d.type) {
    case 'bool': {
      const l = a.toLowerCase();
      if (l === 'yes') return ok(true);
      if (l === 'no') return ok(false);
      return fail("argument must be 'yes' or 'no'");
    }
    case 'int': {
      const v = strictInt(a);
      if (v === null) return fail("argument couldn't be parsed into an integer");
      if (v < d.min || v > d.max) return rangeError(d);
      return ok(v);
    }
    case 'octal': {
      if (!/^-?[0-7]+$/.test(a)) return fail("argument couldn't be parsed as an octal number");
      const v = BigInt(parseInt(a, 8));
      if (v < d.min || v > d.max) return fail(`argument must be between ${d.min.toString(8)} and ${d.max.toString(8)} inclusive`);
      return ok(v);
    }
    case 'memory': {
      const v = parseMemory(a);
      if (v === null) return fail('argument must be a memory value');
      if (v < d.min || v > d.max) return rangeError(d);
      return ok(v);
    }
    case 'percent': {
      if (a.endsWith('%')) {
        const v = strictInt(a.slice(0, -1));
        if (v === null || v < 0n) return fail('argument must be a memory or percent value');
        if (-v < d.min) return fail(`percentage argument must be less or equal to ${-d.min}`);
        return ok(-v);
      }
      let v = parseMemory(a);
      if (v === null) return fail('argument must be a memory or percent value');
      // Redis stores the value in a signed 64-bit integer, where negative means a percentage
      if (v > LLONG_MAX) v -= 1n << 64n;
      if (v < d.min) return fail(`percentage argument must be less or equal to ${-d.min}`);
      return ok(v);
    }
    case 'enum':
      if (d.flags & MULTI_ARG) return parseFlagsEnum(d, args);
      for (const name of d.values) if (name === a.toLowerCase()) return ok(name);
      return enumError(d);
    case 'string':
      return parseStringParam(d, a);
    case 'special':
      return parseSpecial(d, args);
  }
}

function enumError(d: ParamDef): Parsed {
  return fail(`argument(s) must be one of the following: ${d.values.join(', ')}`);
}

function parseFlagsEnum(d: ParamDef, args: string[]): Parsed {
  if (args.length === 0) return enumError(d);
  let bits = 0;
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === 'default') continue;
    const f = SHUTDOWN_FLAGS.find(([n]) => n === l);
    if (f === undefined) return enumError(d);
    bits |= f[1];
  }
  if ((bits & 3) === 3) return fail("shutdown options SAVE and NOSAVE can't be used simultaneously");
  return ok(formatShutdownFlags(bits));
}

function formatShutdownFlags(bits: number): string {
  const names = SHUTDOWN_FLAGS.filter(([, b]) => bits & b).map(([n]) => n);
  return names.length === 0 ? 'default' : names.join(' ');
}

function parseStringParam(d: ParamDef, a: string): Parsed {
  switch (d.name) {
    case 'dbfilename':
      if (a.includes('/')) return fail("dbfilename can't be a path, just a filename");
      break;
    case 'appendfilename':
    case 'appenddirname':
      if (a === '') return fail(`${d.name} can't be empty`);
      if (a.includes('/')) return fail(`${d.name} can't be a path, just a ${d.name === 'appenddirname' ? 'dirname' : 'filename'}`);
      break;
    case 'cluster-announce-hostname':
      if (!/^[A-Za-z0-9.-]*$/.test(a)) return fail('Hostnames may only contain alphanumeric characters, hyphens or dots');
      break;
    default:
      break;
  }
  return ok(a);
}

/** strtoll over the whole argument (spaces and sign allowed in front, nothing after). */
function fullStrtoll(s: string): number | null {
  if (s === '') return 0; // strtoll converts nothing and stops at the end: accepted as 0
  return /^[\t\n\v\f\r ]*[+-]?[0-9]+$/.test(s) ? Number(s.trim()) : null;
}

function parseSpecial(d: ParamDef, args: string[]): Parsed {
  switch (d.name) {
    case 'save': {
      let list = args;
      if (list.length === 1 && list[0] === '') list = [];
      if (list.length % 2 === 1) return fail('Invalid save parameters');
      const out: SavePoint[] = [];
      for (let j = 0; j < list.length; j += 2) {
        const secs = fullStrtoll(list[j]);
        const changes = fullStrtoll(list[j + 1]);
        if (secs === null || secs < 1 || changes === null || changes < 0) return fail('Invalid save parameters');
        out.push([secs, changes]);
      }
      return ok(out);
    }
    case 'bind': {
      if (args.length > 16) return fail('Too many bind addresses specified.');
      // `bind ""` (one empty argument) means: no TCP listener
      if (args.length === 1 && args[0] === '') return ok([]);
      return ok(args.slice());
    }
    case 'replicaof': {
      if (args.length !== 2) return fail('wrong number of arguments');
      if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return ok('');
      const m = /^[+-]?[0-9]*$/.exec(args[1]);
      const port = m ? Number(args[1] === '' ? 0 : args[1]) : NaN;
      if (!(port >= 0 && port <= 65535)) return fail('Invalid master port');
      return ok(`${args[0]} ${port}`);
    }
    case 'client-output-buffer-limit': {
      if (args.length % 4 !== 0) return fail('Wrong number of arguments in buffer limit configuration.');
      const v: ClientOutputBufferLimits = defaultObufLimits();
      const seen = new Set<string>();
      for (let j = 0; j < args.length; j += 4) {
        const cls = args[j].toLowerCase();
        const key = cls === 'normal' ? 'normal' : cls === 'slave' || cls === 'replica' ? 'replica' : cls === 'pubsub' ? 'pubsub' : null;
        if (key === null) return fail('Invalid client class specified in buffer limit configuration.');
        const hard = parseMemory(args[j + 1]);
        const soft = parseMemory(args[j + 2]);
        const secs = strictInt(args[j + 3]);
        if (hard === null || soft === null || secs === null || secs < 0n) {
          return fail('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
        }
        seen.add(key);
        v[key] = { hard: Number(hard), soft: Number(soft), softSeconds: Number(secs) };
      }
      return ok({ set: v, seen: [...seen] });
    }
    case 'oom-score-adj-values': {
      if (args.length !== 3) return fail('wrong number of arguments');
      const out: number[] = [];
      for (const a of args) {
        const v = /^-?[0-9]+$/.test(a) ? Number(a) : NaN;
        if (!(v >= -2000 && v <= 2000)) return fail('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
        out.push(v);
      }
      return ok(out);
    }
    case 'latency-tracking-info-percentiles': {
      const out: number[] = [];
      const list = args.length === 1 && args[0] === '' ? [] : args;
      for (const a of list) {
        const v = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(a) ? Number(a) : NaN;
        if (Number.isNaN(v)) return fail('Invalid latency-tracking-info-percentiles parameters');
        if (v < 0 || v > 100) return fail('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
        out.push(v);
      }
      return ok(out);
    }
    case 'notify-keyspace-events': {
      const flags = parseNotifyFlags(args[0] ?? '');
      if (flags < 0) return fail("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
      return ok(formatNotifyFlags(flags));
    }
    case 'dir':
      return ok(args[0] ?? '');
    default:
      return fail('unsupported parameter');
  }
}

/** strerror-like text for a Node.js system error code. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'ENOTDIR': return 'Not a directory';
    case 'EISDIR': return 'Is a directory';
    case 'ELOOP': return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'File name too long';
    case 'EPERM': return 'Operation not permitted';
    case 'EROFS': return 'Read-only file system';
    default: return (e as Error).message;
  }
}

/**
 * Redis's `dir` setter. With `chdir` (nodis-server, one server per process,
 * as redis-server) the process changes directory; without it (servers
 * embedded several to a process) the directory is only checked, as chdir
 * would check it, and the server resolves its files against it. Returns
 * the absolute directory, or an error text as { err }.
 */
export function changeDir(dir: string, from: string, chdir: boolean): { dir: string } | { err: string } {
  try {
    if (chdir) {
      process.chdir(dir);
      return { dir: process.cwd() };
    }
    const abs = nodePath.resolve(from, dir);
    if (!fs.statSync(abs).isDirectory()) return { err: 'Not a directory' };
    fs.accessSync(abs, fs.constants.X_OK);
    return { dir: abs };
  } catch (e) {
    return { err: strerror(e) };
  }
}

export function formatObufLimits(v: ClientOutputBufferLimits): string {
  return OBUF_CLASSES.map((k) => `${OBUF_GET_NAMES[k]} ${v[k].hard} ${v[k].soft} ${v[k].softSeconds}`).join(' ');
}
