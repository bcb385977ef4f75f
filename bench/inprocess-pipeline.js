#!/usr/bin/env node
/*
 * In-process micro-benchmark of the request path without sockets: parse a
 * pipelined read of N commands, execute them, take the output. Measures the
 * JS cost per command, which is what we control (the socket syscalls are the
 * same for any server). Usage: node bench/inprocess-pipeline.js [set|get|ping|incr|multi] [--cpu]
 * (multi: MULTI/SET/INCR/EXEC, four transactions per read; --cpu: count
 * process CPU time instead of wall time, steadier on a busy machine)
 */
const { loadConfig } = require('../dist/src/config/config.js');
const { composeServer } = require('../dist/src/compose.js');
const { Client } = require('../dist/src/server/client.js');

const which = process.argv.slice(2).find((a) => !a.startsWith('--')) || 'set';
const cpu = process.argv.includes('--cpu');
const clock = () => (cpu ? (({ user, system }) => BigInt(user + system) * 1000n)(process.cpuUsage()) : process.hrtime.bigint());
const server = composeServer(loadConfig(['--port', '0']));
const c = new Client(server, null, 1, server.keyspace.dbs[0], '127.0.0.1:1', '127.0.0.1:2', -1);
function cmd(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}
const reqs = [];
for (let b = 0; b < 64; b++) {
  let s = '';
  for (let i = 0; i < 16; i++) {
    const key = 'key:' + String(Math.floor(Math.random() * 1e6)).padStart(12, '0');
    if (which === 'set') s += cmd(['SET', key, 'xxx']);
    else if (which === 'get') s += cmd(['GET', key]);
    else if (which === 'incr') s += cmd(['INCR', 'counter']);
    else if (which === 'multi') {
      const step = i & 3;
      s += cmd(step === 0 ? ['MULTI'] : step === 1 ? ['SET', 'key', 'val'] : step === 2 ? ['INCR', 'counter'] : ['EXEC']);
    }
    else s += cmd(['PING']);
  }
  reqs.push(Buffer.from(s, 'latin1'));
}
function run(n) {
  for (let i = 0; i < n; i++) {
    c.parser.append(reqs[i & 63]);
    server.processInput(c);
    c.reply.take();
  }
}
run(20000);
// best of 7 rounds: the machine may be busy, the minimum is the code's cost
const rounds = 50000;
let best = Infinity;
for (let r = 0; r < 7; r++) {
  const t0 = clock();
  run(rounds);
  best = Math.min(best, Number(clock() - t0) / (rounds * 16));
}
console.log(`${which}: ${best.toFixed(1)} ns/command`);
