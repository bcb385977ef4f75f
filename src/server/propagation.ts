/*
 * Propagation: what reaches replicas (and, later, the AOF) for each change
 * of the dataset, following Redis 7.0's call()/alsoPropagate model.
 *
 * - While a top-level command runs (an "execution unit": one command, a
 *   whole EXEC, later a script), effects are collected in order: deletions
 *   of keys found expired, then what the command itself propagates.
 * - A command that changed the dataset (keyspace.dirty grew) propagates its
 *   own argv, unless it called keyspace.propagate() itself: then those calls
 *   replace it (SET ... EX is sent as SET ... PXAT, BLPOP served as LPOP).
 *   EXEC never propagates itself; the commands it ran do.
 * - When the unit ends, more than one collected effect is wrapped in
 *   MULTI ... EXEC so that replicas apply them atomically; one goes alone.
 * - Outside any unit (active expiry, a blocked client being served), each
 *   effect goes out at once.
 * - A SELECT precedes an effect whose database differs from the last one
 *   the stream selected.
 */
import type { Server } from './server';

export type PropagationTarget = (argv: string[]) => void;
/** Receives each effect with its database; emits its own SELECTs. */
export type DbPropagationTarget = (dbid: number, argv: string[]) => void;

export const TO_AOF = 1;
export const TO_REPLICAS = 2;

export class Propagator {
  private readonly server: Server;
  /** execution units in progress (EXEC's commands and nested calls are inside one) */
  depth = 0;
  private pending: { dbid: number; argv: string[]; mask: number }[] = [];
  /**
   * Where effects go (a script's redis.set_repl): TO_AOF | TO_REPLICAS, the
   * default; an effect sent nowhere is not collected at all (so it does not
   * count for the MULTI/EXEC wrapping), as in Redis.
   */
  targetMask = TO_AOF | TO_REPLICAS;
  /** set when the running command propagated explicitly (its argv is then not sent) */
  explicit = false;
  /** set when the running command must propagate even without changes (FLUSHALL on an empty dataset) */
  forced = false;
  /** database the stream last selected; -1 forces a SELECT (new replica) */
  selectedDb = -1;
  private readonly targets: PropagationTarget[] = [];
  /** targets that track the selected database themselves (the AOF) */
  private readonly dbTargets: DbPropagationTarget[] = [];
  /** whether each target wants effects now (an AOF that is on, attached replicas) */
  private readonly wants: (() => boolean)[] = [];
  /** set while replaying a file: nothing is propagated */
  muted = false;
  /**
   * Set by a top-level command that may lazily expire arbitrary keys (SCAN,
   * RANDOMKEY: Redis's CMD_TOUCHES_ARBITRARY_KEYS): its deletions go out
   * without a MULTI/EXEC around them, like active expiry's.
   */
  touchesArbitraryKeys = false;

  constructor(server: Server) {
    this.server = server;
    server.keyspace.onPropagate((dbid, argv, replacesCommand) => {
      if (replacesCommand) this.explicit = true;
      this.add(dbid, argv);
    });
  }

  /** Receive every propagated command (already with SELECT and MULTI/EXEC). */
  /** Redis's forceCommandPropagation: propagate the running command even if it changed nothing. */
  force(): void {
    this.forced = true;
  }

  /** A target for every effect while `wants()` says so (attached replicas, say). */
  addTarget(t: PropagationTarget, wants: () => boolean): void {
    this.targets.push(t);
    this.wants.push(wants);
  }

  addDbTarget(t: DbPropagationTarget, wants: () => boolean): void {
    this.dbTargets.push(t);
    this.wants.push(wants);
  }

  /**
   * Whether effects go anywhere now. Without an AOF or replicas (the common
   * case) nothing is collected, so commands pay nothing for propagation.
   */
  get active(): boolean {
    if (this.muted) return false;
    const w = this.wants;
    for (let i = 0; i < w.length; i++) if (w[i]()) return true;
    return false;
  }

  add(dbid: number, argv: string[]): void {
    const mask = this.targetMask;
    if (mask === 0 || !this.active) return;
    if (this.depth === 0) this.emit(dbid, argv, mask);
    else this.pending.push({ dbid, argv, mask });
  }

  beginUnit(): void {
    this.depth++;
  }

  /** End of an execution unit: send what it collected. */
  endUnit(): void {
    if (--this.depth > 0) return;
    const arbitrary = this.touchesArbitraryKeys;
    this.touchesArbitraryKeys = false;
    if (this.pending.length === 0) return;
    const ops = this.pending;
    this.pending = [];
    const wrap = ops.length > 1 && !arbitrary;
    const all = TO_AOF | TO_REPLICAS;
    if (wrap) this.emit(ops[0].dbid, ['MULTI'], all);
    for (const op of ops) this.emit(op.dbid, op.argv, op.mask);
    if (wrap) this.emit(ops[ops.length - 1].dbid, ['EXEC'], all);
  }

  private emit(dbid: number, argv: string[], mask: number): void {
    if ((mask & TO_AOF) !== 0) for (const t of this.dbTargets) t(dbid, argv);
    if (this.targets.length === 0 || (mask & TO_REPLICAS) === 0) return;
    if (dbid !== this.selectedDb) {
      this.selectedDb = dbid;
      this.send(['SELECT', String(dbid)]);
    }
    this.send(argv);
  }

  private send(argv: string[]): void {
    for (const t of this.targets) t(argv);
  }
}
