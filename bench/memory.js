#!/usr/bin/env node
/*
 * Memory comparison with redis-server: run the same redis-benchmark load
 * against both (default: `-t set -r 1000000 -n 2000000 -d 10`), let them
 * settle, then compare resident set size (VmRSS) and key counts. Not a test.
 *
 *   node bench/memory.js [--load "-t set -r 1000000 -n 2000000 -d 10"] [--settle 5]
 */
const { execFileSync } = require('child_process');
const fs = require('fs');

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const load = opt('--load', '-t set -r 1000000 -n 2000000 -d 10').split(' ');
const settle = Number(opt('--settle', '5'));

const { startServer } = require('./lib');
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cli = (port, ...a) => execFileSync('redis-cli', ['-p', String(port), ...a], { encoding: 'utf8' }).trim();

/** Start a server without persistence (lib.startServer), load it, let it settle, read RSS and DBSIZE; stop it. */
async function measure(name, bin) {
  const srv = await startServer(name, bin);
  try {
    const before = rssKb(srv.proc.pid);
    execFileSync('redis-benchmark', ['-p', String(srv.port), '-q', '--csv', '-c', '50', ...load], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, settle * 1000));
    const keys = Number(cli(srv.port, 'dbsize'));
    const after = rssKb(srv.proc.pid);
    return { name, keys, before, after };
  } finally {
    srv.stop();
  }
}

(async () => {
  const nodis = await measure('nodis');
  const redis = await measure('redis', opt('--redis-server', 'redis-server'));
  console.log(`load: redis-benchmark ${load.join(' ')}`);
  console.log('| server | keys | RSS empty (MB) | RSS loaded (MB) | bytes/key over empty |');
  console.log('|---|---|---|---|---|');
  for (const r of [nodis, redis]) {
    console.log(`| ${r.name} | ${r.keys} | ${(r.before / 1024).toFixed(1)} | ${(r.after / 1024).toFixed(1)} | ${(((r.after - r.before) * 1024) / r.keys).toFixed(0)} |`);
  }
  console.log(`RSS ratio nodis/redis: ${(nodis.after / redis.after).toFixed(2)}`);
})().catch((e) => { console.error(e); process.exit(1); });
