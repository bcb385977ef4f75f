/*
 * Monitoring commands: SLOWLOG, LATENCY, MONITOR, SHUTDOWN.
 *
 * The data they report is collected elsewhere: dispatch.ts feeds the slow
 * log, the latency monitor (events "command" and "fast-command"; other
 * subsystems add their own events), the per-command latency histograms and
 * the MONITOR stream. This module only presents it, in Redis's formats:
 * - SLOWLOG GET: newest first, [id, unix time, µs, args, peer, name];
 * - LATENCY LATEST/HISTORY: [event, time, latest ms, max ms] / [time, ms];
 * - LATENCY GRAPH: a four-row ASCII sparkline with "time ago" labels;
 * - LATENCY HISTOGRAM: per command {calls, histogram_usec: {µs: cumulative}};
 * - LATENCY DOCTOR: a plain-language report on the recorded events.
 */
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { Command, HandlerMap } from '../command-model/table';
import { isWord, replyHelp } from '../command-model/args';
import { parseInteger } from '../util/numbers';
import type { LatencySeries } from '../server/latency';

/* ---------------------------------------------------------------- SLOWLOG */

function slowlogGet(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try SLOWLOG HELP.`);
    return;
  }
  let count = 10;
  if (argv.length === 3) {
    const v = parseInteger(argv[2]);
    if (v === null || v < -1) {
      c.error('ERR count should be greater than or equal to -1');
      return;
    }
    count = v;
  }
  const entries = c.server.slowlog.entries;
  const n = count === -1 ? entries.length : Math.min(count, entries.length);
  const r = c.reply;
  r.arrayHeader(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    r.arrayHeader(6);
    r.int(e.id);
    r.int(e.time);
    r.int(e.duration);
    r.arrayHeader(e.argv.length);
    for (const a of e.argv) r.bulk(a);
    r.bulk(e.peer);
    r.bulk(e.name);
  }
}

function slowlogLen(c: Client): void {
  c.reply.int(c.server.slowlog.entries.length);
}

function slowlogReset(c: Client): void {
  c.server.slowlog.reset();
  c.reply.ok();
}

function slowlogHelp(c: Client): void {
  replyHelp(c, 'SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

/* ---------------------------------------------------------------- LATENCY */

function latencyLatest(c: Client): void {
  const events = c.server.latency.events;
  const r = c.reply;
  r.arrayHeader(events.size);
  for (const [name, ts] of events) {
    const last = ts.samples[ts.samples.length - 1];
    r.arrayHeader(4);
    r.bulk(name);
    r.int(last ? last.time : 0);
    r.int(last ? last.latency : 0);
    r.int(ts.max);
  }
}

function latencyHistory(c: Client, argv: string[]): void {
  const ts = c.server.latency.events.get(argv[2]);
  const r = c.reply;
  if (ts === undefined) {
    r.emptyArray();
    return;
  }
  r.arrayHeader(ts.samples.length);
  for (const s of ts.samples) {
    r.arrayHeader(2);
    r.int(s.time);
    r.int(s.latency);
  }
}

function latencyReset(c: Client, argv: string[]): void {
  c.reply.int(c.server.latency.reset(argv.slice(2)));
}

/** "12s", "3m", "2h", "1d": how long ago a sample was taken. */
function agoLabel(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.floor(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.floor(elapsed / 3600)}h`;
  return `${Math.floor(elapsed / 86400)}d`;
}

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;
/** the three heights a cell can show within a row; a full cell below the top is '|' */
const FILL_CHARS = '_o#';

/**
 * Render samples as a filled sparkline: each column is one sample scaled
 * between the minimum and maximum into GRAPH_ROWS rows of three levels,
 * followed by a blank line and the sample's label written vertically.
 * Samples wider than the graph wrap into further blocks.
 */
export function sparkline(values: number[], labels: string[]): string {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min === 0 ? 1 : max - min;
  const levels = FILL_CHARS.length * GRAPH_ROWS;
  let out = '';
  for (let start = 0; start < values.length; start += GRAPH_COLS) {
    const end = Math.min(values.length, start + GRAPH_COLS);
    const heights: number[] = [];
    for (let j = start; j < end; j++) {
      const h = Math.trunc(((values[j] - min) * levels) / range);
      heights.push(Math.min(levels - 1, Math.max(0, h)));
    }
    for (let row = 0; row < GRAPH_ROWS; row++) {
      const base = (GRAPH_ROWS - row - 1) * FILL_CHARS.length;
      let line = '';
      for (const h of heights) {
        const k = h - base;
        line += k < 0 ? ' ' : k < FILL_CHARS.length ? FILL_CHARS[k] : '|';
      }
      out += line + '\n';
    }
    out += ' '.repeat(end - start) + '\n';
    let longest = 0;
    for (let j = start; j < end; j++) longest = Math.max(longest, labels[j].length);
    for (let k = 0; k < longest; k++) {
      let line = '';
      for (let j = start; j < end; j++) line += k < labels[j].length ? labels[j][k] : ' ';
      out += line + '\n';
    }
  }
  return out;
}

function latencyGraph(c: Client, argv: string[]): void {
  const event = argv[2];
  const ts = c.server.latency.events.get(event);
  if (ts === undefined || ts.samples.length === 0) {
    c.error(`ERR No samples available for event '${event}'`);
    return;
  }
  const now = Math.floor(c.server.clock.now() / 1000);
  const values: number[] = [];
  const labels: string[] = [];
  let lo = Infinity;
  let hi = 0;
  for (const s of ts.samples) {
    values.push(s.latency);
    labels.push(agoLabel(now - s.time));
    if (s.latency < lo) lo = s.latency;
    if (s.latency > hi) hi = s.latency;
  }
  const text = `${event} - high ${hi} ms, low ${lo} ms (all time high ${ts.max} ms)\n` +
    '-'.repeat(GRAPH_COLS) + '\n' + sparkline(values, labels);
  c.reply.verbatim(text, 'txt');
}

interface EventAnalysis {
  samples: number;
  avg: number;
  mad: number;
  /** seconds between spikes on average */
  period: number;
  max: number;
}

function analyze(ts: LatencySeries, nowSec: number): EventAnalysis {
  let sum = 0;
  let oldest = Infinity;
  for (const s of ts.samples) {
    sum += s.latency;
    if (s.time < oldest) oldest = s.time;
  }
  const n = ts.samples.length;
  const avg = n > 0 ? Math.floor(sum / n) : 0;
  let dev = 0;
  for (const s of ts.samples) dev += Math.abs(s.latency - avg);
  const span = n > 0 ? Math.max(1, nowSec - oldest) : 0;
  return { samples: n, avg, mad: n > 0 ? Math.floor(dev / n) : 0, period: n > 0 ? span / n : 0, max: ts.max };
}

/** What to look at for each kind of event (our own words). */
function adviceFor(event: string): string[] {
  if (event === 'command' || event === 'fast-command') {
    return [
      '- Look at the Slow Log (SLOWLOG GET) to find which commands take long: O(N) commands on big values (KEYS, SMEMBERS, LRANGE of long ranges, ...) run to completion and block every other client meanwhile.',
    ];
  }
  if (event.startsWith('expire') || event.startsWith('eviction') || event.includes('del')) {
    return [
      '- Deleting, expiring or evicting large values takes time proportional to their size; splitting big values into several smaller keys, or enabling lazyfree, keeps these pauses short.',
    ];
  }
  if (event.startsWith('aof') || event.startsWith('rdb') || event === 'fork') {
    return [
      '- Persistence is competing for the disk or the CPU: check the disk speed, and consider a less frequent appendfsync policy or fewer snapshots.',
    ];
  }
  return [`- Events of kind "${event}" were slow: check what the server was doing at those times (INFO, the log file).`];
}

export function latencyReport(server: Server): string {
  const events = server.latency.events;
  if (events.size === 0 && server.config.latencyMonitorThreshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  if (events.size === 0) {
    return 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  const now = Math.floor(server.clock.now() / 1000);
  let report = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  const advice = new Set<string>();
  let i = 1;
  for (const [name, ts] of events) {
    const a = analyze(ts, now);
    report += `${i++}. ${name}: ${a.samples} latency spikes (average ${a.avg}ms, mean deviation ${a.mad}ms, period ${a.period.toFixed(2)} sec). Worst all time event ${a.max}ms.\n`;
    for (const line of adviceFor(name)) advice.add(line);
  }
  report += '\nI have a few advices for you:\n\n';
  const threshold = server.config.latencyMonitorThreshold;
  if (threshold > 0 && threshold < 5) {
    advice.add(`- latency-monitor-threshold is ${threshold} ms: at such a low threshold ordinary scheduling noise is recorded too; a few tens of milliseconds is usually more telling.`);
  }
  for (const line of advice) report += line + '\n';
  return report;
}

function latencyDoctor(c: Client): void {
  c.reply.verbatim(latencyReport(c.server), 'txt');
}

function replyHistogram(c: Client, cmd: Command): void {
  const r = c.reply;
  const h = cmd.stats.latency;
  r.bulk(cmd.fullName);
  r.mapHeader(2);
  r.bulk('calls');
  r.int(cmd.stats.calls);
  r.bulk('histogram_usec');
  const cdf = h.cumulative();
  r.mapHeader(cdf.length);
  for (const [usec, count] of cdf) {
    r.int(usec);
    r.int(count);
  }
}

function latencyHistogram(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const picked: Command[] = [];
  if (argv.length === 2) {
    for (const cmd of table.all()) if (cmd.stats.latency.active) picked.push(cmd);
  } else {
    for (let j = 2; j < argv.length; j++) {
      const cmd = table.lookupFull(argv[j]);
      if (cmd === undefined) continue;
      if (cmd.stats.latency.active) picked.push(cmd);
      if (cmd.subcommands !== null) {
        for (const sub of cmd.subcommands.values()) if (sub.stats.latency.active) picked.push(sub);
      }
    }
  }
  c.reply.mapHeader(picked.length);
  for (const cmd of picked) replyHistogram(c, cmd);
}

function latencyHelp(c: Client): void {
  replyHelp(c, 'LATENCY', [
    'DOCTOR',
    '    Return a human readable latency analysis report.',
    'GRAPH <event>',
    '    Return an ASCII latency graph for the <event> class.',
    'HISTORY <event>',
    '    Return time-latency samples for the <event> class.',
    'LATEST',
    '    Return the latest latency samples for all events.',
    'RESET [<event> ...]',
    '    Reset latency data of one or more <event> classes.',
    '    (default: reset all data for all event classes)',
    'HISTOGRAM [COMMAND ...]',
    '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
    '    If no commands are specified then all histograms are replied.',
  ]);
}

/* ---------------------------------------------------------------- MONITOR */

function monitor(c: Client): void {
  if (c.denyBlocking) {
    c.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // a replica link or a client already monitoring: silently ignored, as Redis does
  if (c.isReplica || c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.reply.ok();
}

/* --------------------------------------------------------------- SHUTDOWN */

function shutdown(c: Client, argv: string[]): void {
  let nosave = false;
  let save = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (isWord(a, 'nosave')) nosave = true;
    else if (isWord(a, 'save')) save = true;
    else if (isWord(a, 'now')) now = true;
    else if (isWord(a, 'force')) force = true;
    else if (isWord(a, 'abort')) abort = true;
    else {
      c.syntaxError();
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    c.syntaxError();
    return;
  }
  if (abort) {
    // without replicas to wait for, a shutdown never stays in progress
    c.error('ERR No shutdown in progress.');
    return;
  }
  if (!now && c.denyBlocking) {
    c.error("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
    return;
  }
  const err = c.server.shutdown({ save, nosave, now, force });
  if (err !== null) c.error(err);
}

export const handlers: HandlerMap = {
  'slowlog|get': slowlogGet,
  'slowlog|len': slowlogLen,
  'slowlog|reset': slowlogReset,
  'slowlog|help': slowlogHelp,
  'latency|latest': latencyLatest,
  'latency|history': latencyHistory,
  'latency|reset': latencyReset,
  'latency|doctor': latencyDoctor,
  'latency|graph': latencyGraph,
  'latency|histogram': latencyHistogram,
  'latency|help': latencyHelp,
  monitor,
  shutdown,
};
