/*
 * HyperLogLog over TCP, against values recorded from redis-server 7.0.15:
 * the HLLs of the all-types fixture count as in Redis, the bytes left by
 * the same PFADD/PFCOUNT/PFMERGE sequences equal Redis's (hex, or SHA-256
 * for long ones), errors are Redis's texts, the cache byte behaves as in
 * Redis, and corrupt strings only ever give INVALIDOBJ or a number.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, SHARED, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let r: Redis;

before(async () => {
  srv = await startNodis(['--enable-debug-command', 'yes']);
  r = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await r.connect();
});
after(async () => {
  r.disconnect();
  await srv.stop();
});

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const range = (p: string, n: number) => Array.from({ length: n }, (_, i) => p + i);
async function err(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** Recorded from redis-server 7.0.15 for the sequence in the test below. */
const REDIS = {
  s_abc: '48594c4c01000000000000000000008060f38050b1844bfb80425a',
  s_count: 3,
  s_after: '48594c4c01000000030000000000000060f38050b1844bfb80425a',
  s2_count: 302,
  s2_sha: 'ab79ebe4610713608b23a3804528ae5599497cc1c3c75823949c82ce2c86a485',
  bin: '48594c4c010000000000000000000080158040868440998440bf88411f803f80416880417580417584415888404b88419d8040498441ad8040598c405b8043c18041ca84410f844236801a840e84408084158440678440d3804047800e88404f9c414d80198044f0842d84439e84408d903280407d8840d684378441a280338841e38442958040c78040ac9440f68040568040fb800880407f803c80398041429840998040d9803e8044d680408088409280411b8442978c4294',
  bin_count: 61,
  d_len: 12304,
  d_sha: 'fcf4cccaaeea5f93db22b38218ed82e4d5c05c3234c60376f84c46c1af999e2b',
  d_count: 4970,
  d_sha_cached: 'b838ba9b24e2dbe65070d2b2d585afcb8be2509d92f110f95fe6b6d738e0d0ab',
  u_sha: '1f48c2dd54afb1991df6f3f6a873b828e194adbfad7452b7f1f3fdef8124cf0f',
  u_count: 365,
  multi: 5322,
  ud_sha: 'c6a7778c5d635050cf30b10fac5a99af3fc88dc8333e9d2d5d9463cb85e5b95e',
  ud_count: 4974,
  p_len: 12304,
  p_sha: 'b695a363d3436ef6be5c303744c6561f29d853bb648fd294833838cc67f02706',
  t_sha: '1e645c30d6566588d1972226330db2b0eb6628f775584e022f9d12544a2f6af1',
  t_count: 101,
};

test('HLLs written by Redis (all-types fixture) count as in Redis', async () => {
  const file = path.join(SHARED, 'fixtures', 'redis-7.0.15', 'all-types.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    databases: Record<string, Record<string, { type: string; value: unknown; pfcount?: number }>>;
  };
  let seen = 0;
  for (const db of Object.values(data.databases)) {
    for (const [key, e] of Object.entries(db)) {
      if (e.pfcount === undefined) continue;
      const bytes = Buffer.from(e.value as string, 'latin1');
      await r.set(key, bytes);
      assert.equal(await r.pfcount(key), e.pfcount, key);
      // the estimate is now cached in the header; a second count reads it back
      assert.equal(await r.pfcount(key), e.pfcount, key);
      const enc = await r.call('PFDEBUG', 'ENCODING', key);
      assert.equal(enc, bytes[4] === 0 ? 'dense' : 'sparse');
      seen++;
    }
  }
  assert.equal(seen, 2);
});

test('PFADD / PFCOUNT / PFMERGE leave the same bytes as Redis', async () => {
  await r.flushall();
  await r.config('SET', 'hll-sparse-max-bytes', '3000');
  await r.pfadd('s', 'a', 'b', 'c');
  assert.equal((await r.getBuffer('s'))!.toString('hex'), REDIS.s_abc);
  assert.equal(await r.pfcount('s'), REDIS.s_count);
  assert.equal((await r.getBuffer('s'))!.toString('hex'), REDIS.s_after);
  await r.pfadd('s2', ...range('e', 300));
  assert.equal(sha((await r.getBuffer('s2'))!), REDIS.s2_sha);
  assert.equal(await r.pfcount('s2'), REDIS.s2_count);
  const bin: Buffer[] = [];
  for (let i = 0; i < 64; i++) bin.push(Buffer.from(Array.from({ length: i % 17 }, (_, j) => (i * 31 + j * 7) & 255)));
  await r.pfadd('b', ...bin);
  assert.equal((await r.getBuffer('b'))!.toString('hex'), REDIS.bin);
  assert.equal(await r.pfcount('b'), REDIS.bin_count);
  await r.pfadd('d', ...range('x', 5000));
  const d = (await r.getBuffer('d'))!;
  assert.equal(d.length, REDIS.d_len);
  assert.equal(sha(d), REDIS.d_sha);
  assert.equal(await r.pfcount('d'), REDIS.d_count);
  assert.equal(sha((await r.getBuffer('d'))!), REDIS.d_sha_cached);
  assert.equal(await r.pfmerge('u', 's', 's2', 'b'), 'OK');
  assert.equal(sha((await r.getBuffer('u'))!), REDIS.u_sha);
  assert.equal(await r.pfcount('u'), REDIS.u_count);
  assert.equal(await r.pfcount('s', 's2', 'b', 'd', 'nokey'), REDIS.multi);
  await r.pfmerge('ud', 's', 'd');
  assert.equal(sha((await r.getBuffer('ud'))!), REDIS.ud_sha);
  assert.equal(await r.pfcount('ud'), REDIS.ud_count);
  await r.config('SET', 'hll-sparse-max-bytes', '60');
  await r.pfadd('p', ...range('p', 40));
  const p = (await r.getBuffer('p'))!;
  assert.equal(p.length, REDIS.p_len);
  assert.equal(sha(p), REDIS.p_sha);
  await r.config('SET', 'hll-sparse-max-bytes', '3000');
  await r.pfadd('t', 'a');
  assert.equal(await r.call('PFDEBUG', 'TODENSE', 't'), 1);
  await r.pfadd('t', ...range('q', 100));
  assert.equal(sha((await r.getBuffer('t'))!), REDIS.t_sha);
  assert.equal(await r.pfcount('t'), REDIS.t_count);
});

test('PFADD replies, key creation without elements, cache byte as in Redis', async () => {
  await r.flushall();
  assert.equal(await r.pfadd('h'), 1);
  assert.equal(await r.exists('h'), 1);
  assert.equal(await r.pfadd('h'), 0);
  assert.equal(await r.pfcount('h'), 0);
  assert.equal(await r.pfadd('h', 'a', 'b', 'c'), 1);
  assert.equal(await r.pfadd('h', 'a', 'b', 'c'), 0);
  assert.equal(await r.pfcount('h'), 3);
  assert.equal((await r.getrangeBuffer('h', 15, 15)).toString('hex'), '00');
  await r.pfadd('h', 'a');
  assert.equal((await r.getrangeBuffer('h', 15, 15)).toString('hex'), '00');
  await r.pfadd('h', '1', '2', '3');
  assert.equal((await r.getrangeBuffer('h', 15, 15)).toString('hex'), '80');
  assert.equal(await r.pfadd('h', ''), 1);
  assert.equal(await r.call('OBJECT', 'ENCODING', 'h'), 'raw');
  // a value SET from Redis's bytes is a valid HLL
  await r.set('copy', (await r.getBuffer('h'))!);
  assert.equal(await r.pfcount('copy'), await r.pfcount('h'));
  assert.equal(await r.call('OBJECT', 'ENCODING', 'copy'), 'raw');
  assert.equal(await r.pfmerge('none'), 'OK');
  assert.equal((await r.getBuffer('none'))!.toString('hex'), '48594c4c010000000000000000000080' + '7fff');
});

test('PFDEBUG subcommands and errors', async () => {
  await r.flushall();
  await r.pfadd('h', 'a');
  assert.equal(await r.call('PFDEBUG', 'ENCODING', 'h'), 'sparse');
  assert.equal(await r.call('PFDEBUG', 'DECODE', 'h'), 'Z:12711 v:2,1 Z:3672');
  const regs = await r.call('PFDEBUG', 'GETREG', 'h') as number[];
  assert.equal(regs.length, 16384);
  assert.equal(regs[12711], 2);
  assert.equal(regs.reduce((a, b) => a + b, 0), 2);
  assert.equal(await r.call('PFDEBUG', 'ENCODING', 'h'), 'dense');
  assert.equal(await r.call('PFDEBUG', 'TODENSE', 'h'), 0);
  assert.equal(await err(r.call('PFDEBUG', 'DECODE', 'h')), 'ERR HLL encoding is not sparse');
  assert.equal(await err(r.call('PFDEBUG', 'FOO', 'h')), "ERR Unknown PFDEBUG subcommand 'FOO'");
  assert.equal(await err(r.call('PFDEBUG', 'ENCODING', 'nokey')), 'ERR The specified key does not exist');
});

test('type errors: WRONGTYPE for other types, HLL WRONGTYPE for other strings', async () => {
  await r.flushall();
  await r.rpush('l', 'a');
  await r.set('str', 'hello world, not an hll');
  const wt = 'WRONGTYPE Operation against a key holding the wrong kind of value';
  const nothll = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
  assert.equal(await err(r.pfadd('l', 'x')), wt);
  assert.equal(await err(r.pfcount('l')), wt);
  assert.equal(await err(r.pfmerge('d', 'l')), wt);
  assert.equal(await err(r.pfadd('str', 'x')), nothll);
  assert.equal(await err(r.pfcount('str')), nothll);
  assert.equal(await err(r.pfcount('nokey', 'str')), nothll);
  assert.equal(await err(r.pfmerge('str', 'nokey')), nothll);
  assert.equal(await err(r.pfmerge('x', 'str')), nothll);
  await r.pfadd('h', 'a', 'b', 'c');
  await r.setrange('h', 4, '\x00'); // claims dense with a sparse length
  assert.equal(await err(r.pfcount('h')), nothll);
  await r.del('h');
  await r.pfadd('h', 'a', 'b', 'c');
  await r.append('h', 'hello');
  assert.equal(await err(r.pfcount('h')), 'INVALIDOBJ Corrupted HLL object detected');
  // the estimate of forged registers that overflows llroundl is LLONG_MIN, as in Redis
  const dense = Buffer.alloc(12304, 0xff);
  dense.write('HYLL\x00\x00\x00\x00', 0, 'latin1');
  await r.set('f', dense);
  const raw = await RawConnection.connect(srv.port);
  assert.equal(await raw.request(resp('PFCOUNT', 'f')), ':-9223372036854775808\r\n');
  raw.close();
});

test('fuzz: corrupted HLLs give INVALIDOBJ or a number, never a crash', async () => {
  await r.flushall();
  let seed = 99;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  for (let j = 0; j < 300; j++) {
    await r.del('hll');
    const n = Math.floor(rnd() * (rnd() < 0.2 ? 3000 : 200));
    await r.pfadd('hll', ...range(`${j}:`, n));
    for (let i = 0; i < 5; i++) {
      const len = await r.strlen('hll');
      await r.setrange('hll', Math.floor(rnd() * len), Buffer.from([Math.floor(rnd() * 256)]));
      if (rnd() < 0.5) break;
    }
    for (const cmd of [['PFCOUNT', 'hll'], ['PFADD', 'hll', 'x', 'y', String(j)], ['PFCOUNT', 'hll', 'nokey'], ['PFMERGE', 'dst', 'hll']]) {
      try {
        const v = await r.call(cmd[0], ...cmd.slice(1));
        assert.ok(typeof v === 'number' || v === 'OK', String(v));
      } catch (e) {
        assert.match((e as Error).message, /^(INVALIDOBJ Corrupted HLL object detected|WRONGTYPE Key is not a valid HyperLogLog string value\.)$/);
      }
    }
    await r.del('dst');
  }
  assert.equal(await r.ping(), 'PONG');
});
