#!/usr/bin/env node
/*
 * Benchmark Nodis against the reference redis-server with redis-benchmark,
 * alternating the two servers test by test in one run so that both see the
 * same machine conditions. Not a test: it prints a table of requests/s and
 * the Nodis/Redis ratio.
 *
 *   node bench/compare.js [--tests ping,set,get,incr,mset] [-n 200000] [-c 50]
 *                         [--pipeline 1,16] [--rounds 3] [--redis-server PATH]
 *
 * Each cell is the best of --rounds runs (the least disturbed one).
 * Requires redis-server and redis-benchmark (Debian: redis-server, redis-tools).
 */
const { startServer, runBenchmark } = require('./lib');

const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
}
const tests = opt('--tests', 'ping,set,get,incr,mset').split(',');
const n = opt('-n', '200000');
const clients = opt('-c', '50');
const pipelines = opt('--pipeline', '1,16').split(',');
const rounds = Number(opt('--rounds', '3'));
const redisBin = opt('--redis-server', 'redis-server');
const extra = opt('--extra', '');

function bench(port, test, pipeline) {
  // mset's row is "MSET (10 keys)"; ping gives PING_INLINE and PING_MBULK: the last (MBULK) is used
  return runBenchmark(port, ['-n', n, '-c', clients, '-P', pipeline, '-t', test, ...(extra ? extra.split(' ') : [])]);
}

(async () => {
  const nodis = await startServer('nodis');
  try {
    const redis = await startServer('redis', redisBin);
    try {
      const rows = [];
      for (const p of pipelines) {
        for (const t of tests) {
          let bn = 0;
          let br = 0;
          for (let r = 0; r < rounds; r++) {
            bn = Math.max(bn, bench(nodis.port, t, p));
            br = Math.max(br, bench(redis.port, t, p));
          }
          rows.push({ test: t, pipeline: p, nodis: bn, redis: br, ratio: bn / br });
          process.stderr.write(`${t} -P ${p}: nodis ${bn.toFixed(0)} redis ${br.toFixed(0)} ratio ${(bn / br).toFixed(2)}\n`);
        }
      }
      console.log(`redis-benchmark -n ${n} -c ${clients}, best of ${rounds} rounds, servers alternated\n`);
      console.log('| test | pipeline | Nodis req/s | Redis req/s | ratio |');
      console.log('|---|---|---|---|---|');
      for (const r of rows) {
        console.log(`| ${r.test} | ${r.pipeline} | ${r.nodis.toFixed(0)} | ${r.redis.toFixed(0)} | ${r.ratio.toFixed(2)} |`);
      }
    } finally {
      redis.stop();
    }
  } finally {
    nodis.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
