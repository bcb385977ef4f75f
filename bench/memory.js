#!/usr/bin/env node
/*
 * Memory comparison with redis-server: run the same redis-benchmark load
 * against both (default: `-t set -r 1000000 -n 2000000 -d 10`), let them
 * settle, then compare resident set size (VmRSS) and key counts. Not a test.
 *
 *   node bench/memory.js [--load "-t set -r 1000000 -n 2000000 -d 10"] [--settle 5]
 */
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const load = opt('--load', '-t set -r 1000000 -n 2000000 -d 10').split(' ');
const settle = Number(opt('--settle', '5'));

const { freePort, waitPort } = require('./lib');
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cli = (port, ...a) => execFileSync('redis-cli', ['-p', String(port), ...a], { encoding: 'utf8' }).trim();

async function measure(name, cmd, argv) {
  const port = await freePort();
  const proc = spawn(cmd, [...argv, '--port', String(port), '--save', ''], { stdio: 'ignore' });
  await waitPort(port);
  const before = rssKb(proc.pid);
  execFileSync('redis-benchmark', ['-p', String(port), '-q', '--csv', '-c', '50', ...load], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, settle * 1000));
  const keys = Number(cli(port, 'dbsize'));
  const after = rssKb(proc.pid);
  proc.kill('SIGTERM');
  return { name, keys, before, after };
}

(async () => {
  const nodis = await measure('nodis', path.join(__dirname, '..', 'bin', 'nodis-server'), []);
  const redis = await measure('redis', opt('--redis-server', 'redis-server'), ['--appendonly', 'no']);
  console.log(`load: redis-benchmark ${load.join(' ')}`);
  console.log('| server | keys | RSS empty (MB) | RSS loaded (MB) | bytes/key over empty |');
  console.log('|---|---|---|---|---|');
  for (const r of [nodis, redis]) {
    console.log(`| ${r.name} | ${r.keys} | ${(r.before / 1024).toFixed(1)} | ${(r.after / 1024).toFixed(1)} | ${(((r.after - r.before) * 1024) / r.keys).toFixed(0)} |`);
  }
  console.log(`RSS ratio nodis/redis: ${(nodis.after / redis.after).toFixed(2)}`);
})().catch((e) => { console.error(e); process.exit(1); });
