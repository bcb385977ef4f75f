#!/usr/bin/env node
/*
 * Benchmarks of issue 5 against redis-server, alternating in one run:
 *   - EVALSHA of a script doing one INCR (redis-benchmark, 50 clients);
 *   - MULTI / SET / INCR / EXEC pipelined: 50 connections, each sending
 *     batches of 16 transactions and waiting for their replies (a small
 *     load generator here: redis-benchmark repeats a single command);
 *   - PUBLISH to a channel with 50 subscribers is bench/pubsub.js.
 * Usage: node bench/issue5.js [rounds]   (best of `rounds`, default 3)
 */
const net = require('net');
const { startServer, runBenchmark, RespClient } = require('./lib');

const ROUNDS = Number(process.argv[2] || 3);
const SCRIPT = "return redis.call('INCR', KEYS[1])";

async function evalsha(port) {
  const c = await RespClient.connect(port);
  const [sha] = await c.send([['SCRIPT', 'LOAD', SCRIPT]]);
  c.close();
  // a first pass warms up the JIT of both threads (main and Lua worker)
  runBenchmark(port, ['-n', '30000', '-c', '50', 'EVALSHA', sha, '1', 'counter']);
  return runBenchmark(port, ['-n', '200000', '-c', '50', 'EVALSHA', sha, '1', 'counter']);
}

/** Transactions per second with `conns` connections pipelining `batch` transactions each. */
function multiExec(port, conns = 50, batch = 16, seconds = 3) {
  let tx = '';
  for (let i = 0; i < batch; i++) {
    tx += '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nval\r\n*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n*1\r\n$4\r\nEXEC\r\n';
  }
  const payload = Buffer.from(tx);
  const marker = '*2\r\n';
  return new Promise((resolve) => {
    let done = 0;
    let stop = false;
    const sockets = [];
    const start = Date.now();
    for (let i = 0; i < conns; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.setNoDelay(true);
      sockets.push(s);
      let pending = 0;
      let tail = '';
      const send = () => {
        if (stop) return;
        pending = batch;
        s.write(payload);
      };
      s.on('connect', send);
      s.on('data', (d) => {
        const text = tail + d.toString('latin1');
        let at = 0;
        for (;;) {
          const j = text.indexOf(marker, at);
          if (j < 0) break;
          pending--;
          done++;
          at = j + marker.length;
        }
        tail = text.slice(Math.max(at, text.length - 3));
        if (pending === 0) send();
      });
      s.on('error', () => {});
    }
    setTimeout(() => {
      stop = true;
      const secs = (Date.now() - start) / 1000;
      for (const s of sockets) s.destroy();
      resolve(done / secs);
    }, seconds * 1000);
  });
}

async function main() {
  const results = { evalsha: { nodis: 0, redis: 0 }, 'multi/set/incr/exec -P16': { nodis: 0, redis: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['nodis', 'redis']) {
      const srv = await startServer(kind);
      try {
        const e = await evalsha(srv.port);
        results.evalsha[kind] = Math.max(results.evalsha[kind], e);
        // a first second warms up the JIT (both servers get it)
        await multiExec(srv.port, 50, 16, 1);
        const m = await multiExec(srv.port);
        results['multi/set/incr/exec -P16'][kind] = Math.max(results['multi/set/incr/exec -P16'][kind], m);
      } finally {
        srv.stop();
      }
    }
  }
  console.log('| test | Nodis/s | Redis/s | ratio |');
  console.log('|---|---|---|---|');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${Math.round(r.nodis)} | ${Math.round(r.redis)} | ${(r.nodis / r.redis).toFixed(2)} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
