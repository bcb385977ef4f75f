#!/usr/bin/env node
/*
 * PUBLISH fan-out: Nodis against the reference redis-server. Each server gets
 * --subs raw subscriber connections (SUBSCRIBE to one channel, then reading
 * and discarding everything), and redis-benchmark sends PUBLISH to that
 * channel. The servers are alternated round by round; each figure is the
 * best of --rounds. At the end every subscriber must have received exactly
 * the messages published (checked by counting bytes), so a server that drops
 * or truncates messages cannot win. Not a test: prints requests/s and the
 * Nodis/Redis ratio.
 *
 *   node bench/pubsub.js [--subs 50] [-n 100000] [-c 50] [-P 1] [--rounds 3]
 *                        [--size 16] [--redis-server PATH]
 */
const { execFile } = require('child_process');
const net = require('net');

const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
}
const subs = Number(opt('--subs', '50'));
const n = Number(opt('-n', '100000'));
const clients = opt('-c', '50');
const pipeline = opt('-P', '1');
const rounds = Number(opt('--rounds', '3'));
const size = Number(opt('--size', '16'));
const { startServer } = require('./lib');
const redisBin = opt('--redis-server', 'redis-server');
const CHANNEL = 'bench-channel';
const MESSAGE = 'x'.repeat(size);

/** Open the subscribers; resolves once every SUBSCRIBE was confirmed. Returns byte counters. */
async function subscribe(port) {
  const confirm = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`;
  const socks = [];
  await Promise.all(Array.from({ length: subs }, () => new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`SUBSCRIBE ${CHANNEL}\r\n`));
    s.bytes = 0;
    s.on('data', (d) => {
      s.bytes += d.length;
      if (s.bytes === confirm.length) resolve();
    });
    s.on('error', reject);
    socks.push(s);
  })));
  for (const s of socks) s.bytes = 0;
  return socks;
}

function bench(port) {
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', ['-p', String(port), '-q', '-n', String(n), '-c', clients, '-P', pipeline, '--csv', 'PUBLISH', CHANNEL, MESSAGE],
      { encoding: 'utf8' }, (err, out) => {
        if (err) return reject(err);
        const rows = out.trim().split('\n').filter((l) => !l.startsWith('"test"'));
        resolve(Number(JSON.parse(`[${rows[rows.length - 1]}]`)[1]));
      });
  });
}

/** Wait until every subscriber received `count` messages (or give up after 30 s). */
async function drained(socks, count) {
  const frame = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${size}\r\n${MESSAGE}\r\n`.length;
  const want = frame * count;
  for (let i = 0; i < 3000 && socks.some((s) => s.bytes < want); i++) await new Promise((r) => setTimeout(r, 10));
  const bad = socks.filter((s) => s.bytes !== want).length;
  if (bad > 0) throw new Error(`${bad} subscribers did not receive exactly ${count} messages`);
}

(async () => {
  const nodis = await startServer('nodis');
  try {
    const redis = await startServer('redis', redisBin);
    try {
      const nodisSubs = await subscribe(nodis.port);
      const redisSubs = await subscribe(redis.port);
      let bn = 0;
      let br = 0;
      for (let r = 0; r < rounds; r++) {
        bn = Math.max(bn, await bench(nodis.port));
        await drained(nodisSubs, n * (r + 1));
        br = Math.max(br, await bench(redis.port));
        await drained(redisSubs, n * (r + 1));
        process.stderr.write(`round ${r + 1}: nodis ${bn.toFixed(0)} redis ${br.toFixed(0)}\n`);
      }
      console.log(`PUBLISH to ${subs} subscribers, ${size}-byte messages, redis-benchmark -n ${n} -c ${clients} -P ${pipeline}, best of ${rounds}`);
      console.log(`nodis ${bn.toFixed(0)} req/s, redis ${br.toFixed(0)} req/s, ratio ${(bn / br).toFixed(2)}`);
      for (const s of [...nodisSubs, ...redisSubs]) s.destroy();
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
