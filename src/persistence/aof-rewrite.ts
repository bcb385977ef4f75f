/*
 * The AOF-format snapshot of a dataset (the BASE file of a rewrite when
 * aof-use-rdb-preamble is no): the shortest commands that rebuild every
 * key, as Redis's rewriteAppendOnlyFileRio writes them.
 *
 * - One SELECT per non-empty database, then per key: SET for strings,
 *   RPUSH / SADD / ZADD / HMSET for collections in batches of at most 64
 *   items per command (AOF_REWRITE_ITEMS_PER_CMD), then PEXPIREAT when the
 *   key has a TTL. Scores are written with %.17g.
 * - Function libraries first, one FUNCTION LOAD each, as Redis's
 *   rewriteFunctions does.
 * - A type this module does not know (a stream, before its rewriter is
 *   registered) is an error: the rewrite fails rather than dropping data.
 *
 * The output is a latin1 string of RESP arrays, like the INCR files.
 */
import { encodeCommand } from '../protocol/command-encoder';
import type { Keyspace } from '../keyspace/keyspace';
import type { RedisValue } from '../keyspace/values';
import { ByteString } from '../keyspace/values';
import { formatG17 } from '../util/numbers';
import type { ListValue } from '../types/list';
import type { SetValue } from '../types/set';
import type { HashValue } from '../types/hash';
import type { ZSet } from '../types/zset';

const ITEMS_PER_CMD = 64;


/** Appends the commands that rebuild one key (other than its TTL). */
export type AofKeyRewriter = (out: AofCommandSink, key: string, value: RedisValue) => void;

/** Rewriters for types that live outside this module (streams). */
export const aofKeyRewriters = new Map<string, AofKeyRewriter>();

export class AofCommandSink {
  private parts: string[] = [];
  private size = 0;

  command(argv: readonly string[]): void {
    this.push(encodeCommand(argv));
  }

  /** Raw text (annotations). */
  push(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.parts.length >= 4096) this.parts = [this.parts.join('')];
  }

  get length(): number {
    return this.size;
  }

  text(): string {
    return this.parts.join('');
  }
}

/** Emit `cmd key items...` in batches of ITEMS_PER_CMD items (pairs count as one). */
function batched(out: AofCommandSink, cmd: string, key: string, total: number, forEach: (emit: (...item: string[]) => void) => void): void {
  let argv: string[] = [];
  let items = 0;
  let left = total;
  forEach((...item) => {
    if (items === 0) argv = [cmd, key];
    argv.push(...item);
    items++;
    left--;
    if (items === ITEMS_PER_CMD || left === 0) {
      out.command(argv);
      items = 0;
    }
  });
  if (items > 0) out.command(argv);
}

function rewriteKey(out: AofCommandSink, key: string, v: RedisValue): void {
  if (typeof v === 'string') {
    out.command(['SET', key, v]);
    return;
  }
  switch (v.kind) {
    case 'string':
      out.command(['SET', key, v instanceof ByteString ? v.toString() : String(v)]);
      return;
    case 'list': {
      const l = v as unknown as ListValue;
      batched(out, 'RPUSH', key, l.length, (emit) => l.forEach((s) => emit(s)));
      return;
    }
    case 'set': {
      const s = v as unknown as SetValue;
      batched(out, 'SADD', key, s.size, (emit) => s.forEach((m) => emit(m)));
      return;
    }
    case 'zset': {
      const z = v as unknown as ZSet;
      batched(out, 'ZADD', key, z.size, (emit) => z.forEach((m, score) => emit(formatG17(score), m)));
      return;
    }
    case 'hash': {
      const h = v as unknown as HashValue;
      batched(out, 'HMSET', key, h.size, (emit) => h.forEach((f, val) => emit(f, val)));
      return;
    }
    default: {
      const fn = aofKeyRewriters.get(v.kind);
      if (fn === undefined) throw new Error(`AOF rewrite: no rewriter for ${v.kind} values`);
      fn(out, key, v);
    }
  }
}

/**
 * The whole dataset as AOF commands; `preamble` is written first (a
 * timestamp annotation), then a FUNCTION LOAD per library. `keyEnds`, when
 * given, receives the offset just after each key's commands.
 */
export function rewriteDatasetAsAof(ks: Keyspace, preamble = '', functions: readonly string[] = [], keyEnds?: number[]): string {
  const out = new AofCommandSink();
  if (preamble) out.push(preamble);
  for (const code of functions) out.command(['FUNCTION', 'LOAD', code]);
  for (const db of ks.dbs) {
    if (db.dict.size === 0) continue;
    out.command(['SELECT', String(db.id)]);
    db.dict.forEach((key, value) => {
      rewriteKey(out, key, value);
      const when = db.expires.size > 0 ? db.expires.get(key) : undefined;
      if (when !== undefined) out.command(['PEXPIREAT', key, String(when)]);
      if (keyEnds !== undefined) keyEnds.push(out.length);
    });
  }
  return out.text();
}
