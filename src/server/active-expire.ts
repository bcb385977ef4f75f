/*
 * Active expiry: the periodic cycle that deletes expired keys nobody reads
 * (Redis's activeExpireCycle, "slow" cycle, run from serverCron at hz).
 *
 * Design, as in Redis:
 * - Databases are visited round-robin, up to 16 per call (all of them when
 *   the previous call ran out of time), resuming where the last call left.
 * - In a database, one loop walks buckets of the expires dict from the
 *   database's cursor (db.expiresCursor, kept across calls) until it has
 *   sampled `keysPerLoop` keys (20, +25% per active-expire-effort step) or
 *   checked 20x that many buckets; expired keys are deleted through
 *   keyspace.deleteExpired (notification "expired", DEL propagated, stats).
 * - The loop repeats on the same database while more than `acceptableStale`
 *   percent (10, -1 per effort step) of the sampled keys were expired.
 * - The whole call is bounded by a time budget: 25% (+2 per effort step)
 *   of the cron period. The clock is read every 16 loops; running out
 *   counts in expired_time_cap_reached_count.
 * - avg_ttl per db is a running average of sampled TTLs; the stale
 *   percentage is an exponential average over calls (expired_stale_perc).
 * - A database whose expires table is almost empty (< 1% fill of its
 *   buckets) is skipped: sampling it would be mostly empty buckets.
 *
 * Redis's "fast" cycle (run before sleeping when the previous slow cycle
 * hit its time limit) is not implemented: the slow cycle alone gives the
 * same guarantees, only with a coarser latency for bursts of expiries.
 *
 * Disabled by server.activeExpireEnabled = false (DEBUG SET-ACTIVE-EXPIRE 0)
 * and on replicas, which wait for their primary's DELs.
 */
import { performance } from 'node:perf_hooks';
import type { Server } from './server';
import type { Database } from '../keyspace/database';

const KEYS_PER_LOOP = 20;
const SLOW_TIME_PERC = 25;
const ACCEPTABLE_STALE = 10;
const DBS_PER_CALL = 16;
const DICT_INITIAL_SIZE = 4;

export class ActiveExpire {
  private readonly server: Server;
  private currentDb = 0;
  private timelimitExit = false;
  /** total time spent, microseconds (expire_cycle_cpu_milliseconds) */
  private usedMicros = 0;
  // per-bucket visit state, kept in fields so the visitor closure is allocated once
  private now = 0;
  private expired = 0;
  private sampled = 0;
  private ttlSum = 0;
  private ttlSamples = 0;
  private readonly dueKeys: string[] = [];
  private readonly visit: (key: string, when: number) => void;

  constructor(server: Server) {
    this.server = server;
    // freeing a big expired value synchronously is sampled as Redis's expire-del event
    server.keyspace.expireDelLatency = (ms: number) =>
      server.latency.addSampleIfNeeded('expire-del', Math.floor(ms), server.config.latencyMonitorThreshold);
    this.visit = (key: string, when: number) => {
      const ttl = when - this.now;
      if (ttl <= 0) this.dueKeys.push(key);
      else {
        this.ttlSum += ttl;
        this.ttlSamples++;
      }
      this.sampled++;
    };
  }

  /** One slow cycle. */
  run(): void {
    const server = this.server;
    if (!server.activeExpireEnabled || server.keyspace.isReplica) return;
    if (server.pauseEnd > 0 && server.clock.now() < server.pauseEnd) return;
    const ks = server.keyspace;
    const effort = Math.max(0, Math.min(9, server.config.activeExpireEffort - 1));
    const keysPerLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * effort;
    const slowTimePerc = SLOW_TIME_PERC + 2 * effort;
    const acceptableStale = ACCEPTABLE_STALE - effort;
    const dbnum = ks.dbs.length;
    // the time cap is a CPU budget: real time, whatever server.clock says
    const start = performance.now();
    let dbsPerCall = DBS_PER_CALL;
    if (dbsPerCall > dbnum || this.timelimitExit) dbsPerCall = dbnum;
    let timelimit = (slowTimePerc * 1000000) / Math.max(1, server.config.hz) / 100; // µs
    if (timelimit <= 0) timelimit = 1;
    this.timelimitExit = false;
    let totalSampled = 0;
    let totalExpired = 0;
    let iteration = 0;
    for (let j = 0; j < dbsPerCall && !this.timelimitExit; j++) {
      const db = ks.dbs[this.currentDb % dbnum];
      this.currentDb++;
      for (;;) {
        iteration++;
        const num = db.expires.size;
        if (num === 0) {
          db.avgTtl = 0;
          break;
        }
        const slots = db.expires.bucketCount;
        if (slots > DICT_INITIAL_SIZE && Math.floor((num * 100) / slots) < 1) break;
        this.sampleDb(db, Math.min(num, keysPerLoop));
        totalExpired += this.expired;
        totalSampled += this.sampled;
        if (this.ttlSamples > 0) {
          const avg = Math.trunc(this.ttlSum / this.ttlSamples);
          if (db.avgTtl === 0) db.avgTtl = avg;
          db.avgTtl = Math.trunc(db.avgTtl / 50) * 49 + Math.trunc(avg / 50);
        }
        if ((iteration & 0xf) === 0) {
          const elapsed = (performance.now() - start) * 1000;
          if (elapsed > timelimit) {
            this.timelimitExit = true;
            ks.stats.expiredTimeCapReachedCount++;
            break;
          }
        }
        if (this.sampled !== 0 && Math.floor((this.expired * 100) / this.sampled) <= acceptableStale) break;
      }
    }
    const elapsedUs = (performance.now() - start) * 1000;
    this.usedMicros += elapsedUs;
    ks.stats.expireCycleCpuMilliseconds = Math.floor(this.usedMicros / 1000);
    const cfg = server.config;
    if (cfg.latencyMonitorThreshold > 0) {
      server.latency.addSampleIfNeeded('expire-cycle', Math.floor(elapsedUs / 1000), cfg.latencyMonitorThreshold);
    }
    const perc = totalSampled > 0 ? totalExpired / totalSampled : 0;
    ks.stats.expiredStalePerc = perc * 0.05 + ks.stats.expiredStalePerc * 0.95;
  }

  /** One sampling loop on a database: walk buckets from its cursor, delete the expired keys. */
  private sampleDb(db: Database, num: number): void {
    const ks = this.server.keyspace;
    this.expired = 0;
    this.sampled = 0;
    this.ttlSum = 0;
    this.ttlSamples = 0;
    this.now = this.server.clock.now();
    const maxBuckets = num * 20;
    let checked = 0;
    const due = this.dueKeys;
    while (this.sampled < num && checked < maxBuckets) {
      checked++;
      db.expiresCursor = db.expires.scan(db.expiresCursor, this.visit);
      if (due.length > 0) {
        for (let i = 0; i < due.length; i++) {
          // the key may have been deleted by a listener of a previous deletion
          if (db.expires.has(due[i])) {
            ks.deleteExpired(db, due[i]);
            this.expired++;
          }
        }
        due.length = 0;
      }
      if (db.expires.size === 0) break;
    }
  }
}
