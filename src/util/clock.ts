/*
 * The server's clock: every reading of time a client can observe (key
 * expiry and TTLs, LRU/LFU clocks, TIME, the cron's notion of "now",
 * client and replication timeouts, blocking deadlines, CLIENT PAUSE,
 * SLOWLOG/LATENCY timestamps, LASTSAVE, uptime, stream IDs) goes through
 * one Clock object the Server is given at construction (server.clock).
 *
 * Two implementations:
 * - RealClock (the default, one shared instance `realClock`): now() is
 *   Date.now(), mono() is performance.now(), and wall-clock ms can be
 *   derived from a monotonic reading as mono + offset. The offset is
 *   calibrated at a millisecond tick of Date.now(), so the derived time
 *   neither lags nor leads the wall clock by a fraction of a millisecond;
 *   resync() (called by the cron) recalibrates when they drift apart (a
 *   system clock change). This lets call() take one monotonic reading per
 *   command for both its duration and the time the command sees.
 * - ManualClock (tests, embedders): time stands still until advance(ms)
 *   or set(ms). Timers set through it fire during advance(), in deadline
 *   order, each with the clock standing at its deadline, so a blocked
 *   client's timeout is served synchronously by the advance() that reaches
 *   it, without waiting for real time.
 *
 * Invariants: mono() never goes backwards; now() === Math.floor(wall) where
 * wall ≈ mono() + offset (for the real clock, within the resync tolerance).
 * Timers run on the clock: setTimer(fn, ms) fires once the clock's
 * monotonic time has advanced by ms.
 *
 * What stays on real time (performance.now()/Date.now()/setTimeout used
 * directly, each marked where it happens): CPU budgets and measured
 * durations of real work (active-expiry time cap, busy-script threshold,
 * lazyfree/fsync latency, load times, child processes), socket-level
 * timeouts (MIGRATE), heap-sampling rate limits, log line timestamps, and
 * the cron's own scheduling (it runs at hz in real time and reads the
 * clock on each tick).
 *
 * The request path calls mono() and reads offset: plain method calls and a
 * field read on one object, nothing allocated.
 */
import { performance } from 'node:perf_hooks';

/** A pending timer of a Clock (opaque; pass it back to clearTimer). */
export type ClockTimer = object;

export interface Clock {
  /** wall-clock time, integer ms since the epoch (Date.now()) */
  now(): number;
  /** monotonic time, fractional ms (performance.now()): durations, and wall time as mono() + offset */
  mono(): number;
  /** wall-clock ms = mono() + offset */
  readonly offset: number;
  /** called periodically (the cron): follow wall-clock changes */
  resync(): void;
  /**
   * run fn once, after the clock has advanced by ms (a real clock fires after
   * at most 2^31-1 ms, Node's limit: longer waits re-arm); unref: do not
   * keep the process alive for it
   */
  setTimer(fn: () => void, ms: number, unref?: boolean): ClockTimer;
  clearTimer(t: ClockTimer): void;
}

/** Longest delay a Node timer accepts. */
const MAX_TIMER_MS = 2147483647;

export class RealClock implements Clock {
  offset = 0;

  constructor() {
    this.calibrate();
  }

  now(): number {
    return Date.now();
  }

  mono(): number {
    return performance.now();
  }

  private calibrate(): void {
    // Right after Date.now() ticks, wall time is the new value plus almost
    // nothing; a descheduling between the two reads can only make an offset
    // smaller, so the largest of a few samples is the most accurate.
    let best = -Infinity;
    for (let i = 0; i < 3; i++) {
      const d0 = Date.now();
      let d = d0;
      while (d === d0) d = Date.now();
      const off = d - performance.now();
      if (off > best) best = off;
    }
    this.offset = best;
  }

  /** Follow wall-clock changes and never let the derived time lag Date.now(). */
  resync(): void {
    const lag = Date.now() - Math.floor(performance.now() + this.offset);
    if (lag > 1 || lag < -2) this.calibrate();
    else if (lag > 0) this.offset += lag;
  }

  setTimer(fn: () => void, ms: number, unref = false): ClockTimer {
    const t = setTimeout(fn, Math.max(0, Math.min(ms, MAX_TIMER_MS)));
    if (unref) t.unref();
    return t;
  }

  clearTimer(t: ClockTimer): void {
    clearTimeout(t as NodeJS.Timeout);
  }
}

/** The process's real clock, shared by every server that is not given another one. */
export const realClock: Clock = new RealClock();

interface ManualTimer {
  due: number;
  fn: (() => void) | null;
}

/**
 * A clock that moves only when told to. Monotonic time starts at 0; wall
 * time at startMs (default: the real time of its creation).
 */
export class ManualClock implements Clock {
  offset: number;
  private monoMs = 0;
  /** pending timers, sorted by deadline (equal deadlines in the order they were set) */
  private timers: ManualTimer[] = [];

  constructor(startMs: number = Date.now()) {
    this.offset = startMs;
  }

  now(): number {
    return Math.floor(this.monoMs + this.offset);
  }

  mono(): number {
    return this.monoMs;
  }

  resync(): void {
    /* nothing to follow */
  }

  /** Number of timers waiting for the clock. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Move time forward by ms, running the timers that come due on the way,
   * in deadline order, each with the clock at its deadline. advance(0) runs
   * the timers already due (setTimer(fn, 0) waits for an advance).
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance: ${ms} is not a non-negative number of ms`);
    const target = this.monoMs + ms;
    const timers = this.timers;
    while (timers.length > 0 && timers[0].due <= target) {
      const t = timers.shift() as ManualTimer;
      const fn = t.fn;
      t.fn = null;
      if (t.due > this.monoMs) this.monoMs = t.due;
      if (fn !== null) fn();
    }
    this.monoMs = target;
  }

  /**
   * Set the wall clock to ms since the epoch. Forward, this is advance()
   * (timers come due); backward, only the wall clock moves, as a system
   * clock change would: monotonic time and pending timers stay.
   */
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.set: ${ms} is not a time`);
    const delta = ms - (this.monoMs + this.offset);
    if (delta >= 0) this.advance(delta);
    else this.offset += delta;
  }

  setTimer(fn: () => void, ms: number): ClockTimer {
    const t: ManualTimer = { due: this.monoMs + Math.max(0, ms), fn };
    const timers = this.timers;
    let i = timers.length;
    while (i > 0 && timers[i - 1].due > t.due) i--;
    timers.splice(i, 0, t);
    return t;
  }

  clearTimer(t: ClockTimer): void {
    const i = this.timers.indexOf(t as ManualTimer);
    if (i >= 0) this.timers.splice(i, 1);
    (t as ManualTimer).fn = null;
  }
}
