import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, type NodisProcess } from '../helpers/server';
import { cmd, bulkText } from './client-resp';
import { sparkline, latencyReport } from '../../src/commands/monitoring';
import { LatencyMonitor } from '../../src/server/latency';
import { LatencyHistogram } from '../../src/command-model/table';
import type { Server } from '../../src/server/server';
import { realClock } from '../../src/util/clock';

let srv: NodisProcess;
let disabled: NodisProcess;

before(async () => {
  srv = await startNodis(['--latency-monitor-threshold', '100']);
  disabled = await startNodis();
});
after(async () => {
  await srv.stop();
  await disabled.stop();
});

test('LATENCY with no events: LATEST, HISTORY, RESET, GRAPH, DOCTOR', async () => {
  const a = await RawConnection.connect(srv.port);
  assert.equal(await cmd(a, 'LATENCY', 'LATEST'), '*0\r\n');
  assert.equal(await cmd(a, 'LATENCY', 'HISTORY', 'command'), '*0\r\n');
  assert.equal(await cmd(a, 'LATENCY', 'HISTORY', 'blabla'), '*0\r\n');
  assert.equal(await cmd(a, 'LATENCY', 'RESET'), ':0\r\n');
  assert.equal(await cmd(a, 'LATENCY', 'RESET', 'blabla', 'x'), ':0\r\n');
  assert.equal(await cmd(a, 'LATENCY', 'GRAPH', 'command'), "-ERR No samples available for event 'command'\r\n");
  assert.equal(await cmd(a, 'LATENCY', 'HISTORY'), "-ERR wrong number of arguments for 'latency|history' command\r\n");
  assert.equal(await cmd(a, 'LATENCY', 'HELP', 'xxx'), "-ERR wrong number of arguments for 'latency|help' command\r\n");
  const dave = 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  assert.equal(await cmd(a, 'LATENCY', 'DOCTOR'), `$${dave.length}\r\n${dave}\r\n`);
  await cmd(a, 'HELLO', '3');
  assert.equal(await cmd(a, 'LATENCY', 'DOCTOR'), `=${dave.length + 4}\r\ntxt:${dave}\r\n`);
  a.close();
  const b = await RawConnection.connect(disabled.port);
  assert.match(bulkText(await cmd(b, 'LATENCY', 'DOCTOR')), /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled in this Redis instance\. You may use "CONFIG SET latency-monitor-threshold <milliseconds>\." in order to enable it\./);
  b.close();
});

test('LATENCY HELP', async () => {
  const a = await RawConnection.connect(srv.port);
  const r = await cmd(a, 'LATENCY', 'HELP');
  assert.ok(r.startsWith('*17\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DOCTOR\r\n'));
  assert.ok(r.endsWith('+    If no commands are specified then all histograms are replied.\r\n+HELP\r\n+    Prints this help.\r\n'));
  a.close();
});

test('LATENCY HISTOGRAM: calls and power-of-two cumulative buckets', async () => {
  const a = await RawConnection.connect(srv.port);
  await cmd(a, 'ECHO', 'x');
  await cmd(a, 'ECHO', 'y');
  await cmd(a, 'CLIENT', 'ID');
  const r = await cmd(a, 'LATENCY', 'HISTOGRAM', 'echo', 'blabla');
  const m = /^\*2\r\n\$4\r\necho\r\n\*4\r\n\$5\r\ncalls\r\n:2\r\n\$14\r\nhistogram_usec\r\n\*(\d+)\r\n((?::\d+\r\n)+)$/.exec(r);
  assert.ok(m, r);
  const nums = m[2].split('\r\n').filter((s) => s).map((s) => Number(s.slice(1)));
  assert.equal(nums.length, Number(m[1]));
  // keys are floor((2^k * 1024 * 129 / 128 - 1) / 1000), counts cumulative ending at calls
  assert.equal(nums[nums.length - 1], 2);
  for (let i = 0; i < nums.length; i += 2) assert.ok([1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16909, 33818].includes(nums[i]), String(nums[i]));
  // a container name gives its subcommands; RESP3 maps
  await cmd(a, 'HELLO', '3');
  const sub = await cmd(a, 'LATENCY', 'HISTOGRAM', 'client');
  assert.match(sub, /^%2\r\n\$11\r\nclient\|hello|^%\d+\r\n/);
  assert.ok(sub.includes('$9\r\nclient|id\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%1\r\n'), sub);
  assert.equal(await cmd(a, 'LATENCY', 'HISTOGRAM', 'blabla'), '%0\r\n');
  const all = await cmd(a, 'LATENCY', 'HISTOGRAM');
  assert.ok(all.includes('$4\r\necho\r\n') && all.includes('$5\r\nhello\r\n'));
  a.close();
});

test('LatencyHistogram buckets match Redis (hdr, 2 significant digits, 1024 ns .. 1 s)', () => {
  const h = new LatencyHistogram();
  assert.equal(h.active, false);
  assert.deepEqual(h.cumulative(), []);
  h.record(200); // clamped to 1024 ns
  h.record(5000);
  h.record(7000);
  h.record(100e6);
  h.record(5e9); // clamped to 1 s
  assert.equal(h.active, true);
  assert.deepEqual(h.cumulative(), [[1, 1], [8, 3], [135266, 4], [1082130, 5]]);
  assert.equal(h.percentile(50), 7.007);
  assert.equal(h.percentile(100), 1002438.655);
  h.reset();
  assert.equal(h.active, false);
});

test('LATENCY GRAPH sparkline and DOCTOR report with events', () => {
  assert.equal(sparkline([100, 200], ['2s', '0s']), ' #\n |\n |\n_|\n  \n20\nss\n');
  assert.equal(sparkline([5, 5, 5], ['1m', '10s', '0s']), '   \n   \n   \n___\n   \n110\nm0s\n s \n');
  const lm = new LatencyMonitor();
  const now = Math.floor(Date.now() / 1000);
  lm.events.set('command', { idx: 0, max: 300, samples: [{ time: now - 3, latency: 100 }, { time: now - 1, latency: 200 }] });
  const report = latencyReport({ latency: lm, clock: realClock, config: { latencyMonitorThreshold: 50 } } as unknown as Server);
  assert.ok(report.startsWith("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
    '1. command: 2 latency spikes (average 150ms, mean deviation 50ms, period 1.50 sec). Worst all time event 300ms.\n'), report);
  assert.match(report, /SLOWLOG/);
});

test('LatencyMonitor keeps one sample per second (the max) and the all-time max', () => {
  const lm = new LatencyMonitor();
  lm.addSampleIfNeeded('command', 5, 10);
  assert.equal(lm.events.size, 0);
  lm.addSampleIfNeeded('command', 15, 10);
  lm.addSample('command', 12);
  lm.addSample('command', 30);
  const ts = lm.events.get('command')!;
  assert.ok(ts.samples.length <= 2);
  assert.equal(ts.max, 30);
  assert.equal(ts.samples[ts.samples.length - 1].latency >= 12, true);
  assert.equal(lm.reset(['command', 'nope']), 1);
  assert.equal(lm.events.size, 0);
});
