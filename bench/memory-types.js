#!/usr/bin/env node
/*
 * Memory of collection types against redis-server: the same data is loaded
 * into each server (pipelined over one connection), then RSS is compared,
 * both in total and as growth over the empty server. Not a test.
 *   node bench/memory-types.js [zset|hashes|list ...]
 * zset:   one sorted set of 1M members
 * hashes: 1M hashes of 5 small fields
 * list:   one list of 1M small elements
 */
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const scenarios = {
  zset: function* () {
    for (let i = 0; i < 1000000; i += 1000) {
      const a = ['ZADD', 'bigzset'];
      for (let j = i; j < i + 1000; j++) a.push(String(j), `member:${j}`);
      yield a;
    }
  },
  hashes: function* () {
    for (let i = 0; i < 1000000; i++) yield ['HSET', `hash:${i}`, 'f1', 'v1', 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', String(i)];
  },
  list: function* () {
    for (let i = 0; i < 1000000; i += 1000) {
      const a = ['RPUSH', 'biglist'];
      for (let j = i; j < i + 1000; j++) a.push(`e${j}`);
      yield a;
    }
  },
};

const { freePort } = require('./lib');
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const encode = (a) => `*${a.length}\r\n` + a.map((x) => `$${x.length}\r\n${x}\r\n`).join('');

async function connect(port) {
  for (let i = 0; i < 200; i++) {
    const s = await new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => r(c)); c.on('error', () => r(null)); });
    if (s) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no server');
}

/** Send every command, pipelined in chunks, and wait for as many replies. */
async function load(sock, gen) {
  let sent = 0;
  let lines = 0;
  let pending = '';
  sock.on('data', (d) => {
    const s = d.toString('latin1');
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) lines++;
  });
  let batch = [];
  for (const cmd of gen()) {
    batch.push(encode(cmd));
    sent++;
    if (batch.length >= 1000) {
      pending = batch.join('');
      batch = [];
      if (!sock.write(pending)) await new Promise((r) => sock.once('drain', r));
      while (sent - lines > 20000) await new Promise((r) => setTimeout(r, 5));
    }
  }
  if (batch.length) sock.write(batch.join(''));
  while (lines < sent) await new Promise((r) => setTimeout(r, 10));
}

async function measure(cmd, args, scenario) {
  const port = await freePort();
  const proc = spawn(cmd, [...args, '--port', String(port), '--save', ''], { stdio: 'ignore' });
  const sock = await connect(port);
  await new Promise((r) => setTimeout(r, 300));
  const empty = rssKb(proc.pid);
  await load(sock, scenarios[scenario]);
  await new Promise((r) => setTimeout(r, 3000));
  const loaded = rssKb(proc.pid);
  sock.destroy();
  proc.kill('SIGTERM');
  return { empty: empty / 1024, loaded: loaded / 1024 };
}

(async () => {
  const which = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(scenarios);
  console.log('| data | Nodis RSS MB (growth) | Redis RSS MB (growth) | ratio total | ratio growth |');
  console.log('|---|---|---|---|---|');
  for (const s of which) {
    const n = await measure(path.join(__dirname, '..', 'bin', 'nodis-server'), [], s);
    const r = await measure('redis-server', ['--appendonly', 'no'], s);
    const gn = n.loaded - n.empty;
    const gr = r.loaded - r.empty;
    console.log(`| ${s} | ${n.loaded.toFixed(0)} (${gn.toFixed(0)}) | ${r.loaded.toFixed(0)} (${gr.toFixed(0)}) | ${(n.loaded / r.loaded).toFixed(2)} | ${(gn / gr).toFixed(2)} |`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
