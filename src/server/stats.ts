/*
 * Server-wide statistics that INFO reports and CONFIG RESETSTAT clears:
 * connection and command counters, error statistics by error code, network
 * byte counters. Per-command counters live on each Command.
 */

/** Redis stops tracking new error codes past this many distinct ones. */
const ERRORSTATS_LIMIT = 128;

export class ServerStats {
  numConnections = 0;
  rejectedConnections = 0;
  numCommands = 0;
  totalErrorReplies = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** error code ("ERR", "WRONGTYPE") -> count */
  errorCounts = new Map<string, number>();
  errorStatsDisabled = false;
  unexpectedErrorReplies = 0;
  totalReadsProcessed = 0;
  totalWritesProcessed = 0;
  replyBufferShrinks = 0;
  replyBufferExpands = 0;
  clientQueryBufferLimitDisconnections = 0;
  clientOutputBufferLimitDisconnections = 0;
  /** instantaneous metrics: samples of (time, value) per metric */
  private samples = new Map<string, { t: number; v: number; ring: number[]; idx: number }>();

  recordError(msg: string): void {
    this.totalErrorReplies++;
    if (this.errorStatsDisabled) return;
    const sp = msg.indexOf(' ');
    const code = sp >= 0 ? msg.slice(0, sp) : msg;
    const n = this.errorCounts.get(code);
    if (n === undefined && this.errorCounts.size >= ERRORSTATS_LIMIT) {
      this.errorStatsDisabled = true;
      this.errorCounts.clear();
      return;
    }
    this.errorCounts.set(code, (n ?? 0) + 1);
  }

  /** Track an instantaneous metric: called from the cron with the current counter value. */
  sampleMetric(name: string, value: number, now: number): void {
    let s = this.samples.get(name);
    if (!s) {
      s = { t: now, v: value, ring: new Array(16).fill(0), idx: 0 };
      this.samples.set(name, s);
      return;
    }
    const dt = now - s.t;
    if (dt <= 0) return;
    const rate = ((value - s.v) * 1000) / dt;
    s.ring[s.idx] = rate;
    s.idx = (s.idx + 1) % s.ring.length;
    s.t = now;
    s.v = value;
  }

  /** Average of the recent samples of a metric (per second). */
  instantaneous(name: string): number {
    const s = this.samples.get(name);
    if (!s) return 0;
    let sum = 0;
    for (const r of s.ring) sum += r;
    return sum / s.ring.length;
  }

  reset(): void {
    this.numConnections = 0;
    this.rejectedConnections = 0;
    this.numCommands = 0;
    this.totalErrorReplies = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.errorCounts.clear();
    this.errorStatsDisabled = false;
    this.unexpectedErrorReplies = 0;
    this.totalReadsProcessed = 0;
    this.totalWritesProcessed = 0;
    this.replyBufferShrinks = 0;
    this.replyBufferExpands = 0;
    this.clientQueryBufferLimitDisconnections = 0;
    this.clientOutputBufferLimitDisconnections = 0;
    this.samples.clear();
  }
}
