#!/usr/bin/env node
/*
 * Issue 4 benchmark: the commands of the HyperLogLog, geo, stream and bitmap
 * families against the reference redis-server, with redis-benchmark, both
 * servers alternated test by test in one run (see bench/compare.js).
 *
 *   node bench/types-issue4.js [--tests pfadd,pfcount,geosearch,xadd,bitcount]
 *                              [-c 50] [--pipeline 1] [--rounds 3] [--scale 1]
 *                              [--redis-server PATH] [--nodis-server PATH]
 *
 * Each test first loads identical data into both servers (pipelined), then
 * probes its command once: if Nodis does not have the command yet (or the
 * data could not be loaded, or the server died) the row says "n/a" and the
 * run goes on. Each cell is the best of --rounds runs. --scale multiplies
 * the request counts.
 *   pfadd     PFADD of one random element into one key
 *   pfcount   PFCOUNT of a dense HLL holding 100k elements
 *   geosearch GEOSEARCH FROMLONLAT ... BYRADIUS 50 km over a zset of 100k points
 *   xadd      XADD key * f v
 *   bitcount  BITCOUNT of a 1 MB string
 */
const { startServer, runBenchmark, RespClient, ReplyError } = require('./lib');

const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
}
const clients = opt('-c', '50');
const pipelines = opt('--pipeline', '1').split(',');
const rounds = Number(opt('--rounds', '3'));
const scale = Number(opt('--scale', '1'));
const redisBin = opt('--redis-server', 'redis-server');
const nodisBin = opt('--nodis-server', undefined);

/** An error reply made short for the table. */
const short = (msg) => msg.replace(/, with args beginning with:.*$/s, '');

/** Deterministic pseudo-random numbers in [0, 1): both servers get the same data. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function* pfLoad() {
  for (let i = 0; i < 100000; i += 1000) {
    const a = ['PFADD', 'bench:hll'];
    for (let j = i; j < i + 1000; j++) a.push(`element:${j}`);
    yield a;
  }
}

function* geoLoad() {
  const rnd = prng(42);
  for (let i = 0; i < 100000; i += 500) {
    const a = ['GEOADD', 'bench:geo'];
    for (let j = i; j < i + 500; j++) {
      // a band over Europe: about 100 points in a 50 km radius
      a.push((-10 + 40 * rnd()).toFixed(6), (35 + 25 * rnd()).toFixed(6), `point:${j}`);
    }
    yield a;
  }
}

function* bitLoad() {
  const rnd = prng(7);
  const b = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  yield ['SET', 'bench:bitmap', b.toString('latin1')];
}

const TESTS = {
  pfadd: { load: null, cleanup: ['DEL', 'bench:hll1'], n: 100000, cmd: ['PFADD', 'bench:hll1', 'element:__rand_int__'] },
  pfcount: { load: pfLoad, n: 100000, cmd: ['PFCOUNT', 'bench:hll'] },
  geosearch: { load: geoLoad, n: 20000, cmd: ['GEOSEARCH', 'bench:geo', 'FROMLONLAT', '13.4', '52.5', 'BYRADIUS', '50', 'km', 'ASC'] },
  xadd: { load: null, cleanup: ['DEL', 'bench:stream'], n: 100000, cmd: ['XADD', 'bench:stream', '*', 'f', 'v'] },
  bitcount: { load: bitLoad, n: 3000, cmd: ['BITCOUNT', 'bench:bitmap'] },
};
const tests = opt('--tests', Object.keys(TESTS).join(',')).split(',');
for (const t of tests) if (!TESTS[t]) throw new Error(`unknown test ${t}`);

/** Load a test's data and probe its command; null when ready, else the reason it cannot run. */
async function prepare(server, test) {
  let client;
  try {
    client = await RespClient.connect(server.port);
    const cmds = [];
    if (test.cleanup) cmds.push(test.cleanup);
    if (test.load) for (const c of test.load()) cmds.push(c);
    // in slices, so that a missing command fails fast and memory stays bounded
    for (let i = 0; i < cmds.length; i += 50) {
      const replies = await client.send(cmds.slice(i, i + 50));
      const err = replies.find((r) => r instanceof ReplyError);
      if (err) return short(err.message);
    }
    const [probe] = await client.send([test.cmd.map((a) => a.replace('__rand_int__', '0'))]);
    if (probe instanceof ReplyError) return short(probe.message);
    return null;
  } catch (e) {
    return e.message;
  } finally {
    if (client) client.close();
  }
}

function bench(port, test, pipeline) {
  return runBenchmark(port, ['-n', String(Math.round(test.n * scale)), '-c', clients, '-P', pipeline, '-r', '1000000', ...test.cmd]);
}

(async () => {
  let nodis = await startServer('nodis', nodisBin);
  const redis = await startServer('redis', redisBin);
  const rows = [];
  try {
    for (const name of tests) {
      const test = TESTS[name];
      if (!nodis.alive()) nodis = await startServer('nodis', nodisBin);
      const [whyNodis, whyRedis] = [await prepare(nodis, test), await prepare(redis, test)];
      for (const p of pipelines) {
        if (whyNodis !== null || whyRedis !== null) {
          rows.push({ name, p, nodis: null, redis: null, note: whyNodis !== null ? `Nodis: ${whyNodis}` : `Redis: ${whyRedis}` });
          process.stderr.write(`${name} -P ${p}: n/a (${rows[rows.length - 1].note})\n`);
          continue;
        }
        let bn = 0;
        let br = 0;
        try {
          for (let r = 0; r < rounds; r++) {
            bn = Math.max(bn, bench(nodis.port, test, p));
            br = Math.max(br, bench(redis.port, test, p));
          }
          rows.push({ name, p, nodis: bn, redis: br, note: '' });
          process.stderr.write(`${name} -P ${p}: nodis ${bn.toFixed(0)} redis ${br.toFixed(0)} ratio ${(bn / br).toFixed(2)}\n`);
        } catch (e) {
          rows.push({ name, p, nodis: null, redis: null, note: `failed: ${nodis.alive() ? e.message.split('\n')[0] : 'Nodis exited'}` });
          process.stderr.write(`${name} -P ${p}: n/a (${rows[rows.length - 1].note})\n`);
        }
      }
    }
  } finally {
    nodis.stop();
    redis.stop();
  }
  console.log(`redis-benchmark -c ${clients}, best of ${rounds} rounds, servers alternated\n`);
  console.log('| test | command | pipeline | Nodis req/s | Redis req/s | ratio |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const cmd = TESTS[r.name].cmd.join(' ');
    if (r.nodis === null) console.log(`| ${r.name} | ${cmd} | ${r.p} | n/a | n/a | n/a (${r.note}) |`);
    else console.log(`| ${r.name} | ${cmd} | ${r.p} | ${r.nodis.toFixed(0)} | ${r.redis.toFixed(0)} | ${(r.nodis / r.redis).toFixed(2)} |`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
