/*
 * LATENCY monitor: for each event (command, fast-command, expire-cycle,
 * ...) the latest sample above latency-monitor-threshold, the all-time max,
 * and a history of up to 160 samples, one per second at most (a second
 * sample in the same second keeps the max), as Redis's latency.c.
 */
import { type Clock, realClock } from '../util/clock';

export interface LatencySample {
  /** unix seconds */
  time: number;
  /** milliseconds */
  latency: number;
}

export interface LatencySeries {
  idx: number;
  max: number;
  samples: LatencySample[];
}

export const LATENCY_TS_LEN = 160;

export class LatencyMonitor {
  events = new Map<string, LatencySeries>();
  private readonly clock: Clock;

  constructor(clock: Clock = realClock) {
    this.clock = clock;
  }

  /** Record a sample if the threshold (ms, 0 = disabled) is reached. */
  addSampleIfNeeded(event: string, ms: number, threshold: number): void {
    if (threshold > 0 && ms >= threshold) this.addSample(event, ms);
  }

  addSample(event: string, ms: number): void {
    const now = Math.floor(this.clock.now() / 1000);
    let ts = this.events.get(event);
    if (!ts) {
      ts = { idx: 0, max: 0, samples: [] };
      this.events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const last = ts.samples.length > 0 ? ts.samples[ts.samples.length - 1] : null;
    if (last && last.time === now) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    ts.samples.push({ time: now, latency: ms });
    if (ts.samples.length > LATENCY_TS_LEN) ts.samples.shift();
  }

  reset(events?: string[]): number {
    if (!events || events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.events.delete(e)) n++;
    return n;
  }
}
