/*
 * SCAN over TCP: complete iterations with COUNT, MATCH and TYPE, the
 * guarantee under concurrent writes and deletes, and argument errors with
 * Redis's exact replies.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let redis: Redis;

before(async () => {
  srv = await startNodis();
  redis = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await redis.connect();
});
after(async () => {
  redis.disconnect();
  await srv.stop();
});

async function populate(n: number, prefix = 'key:'): Promise<void> {
  const p = redis.pipeline();
  for (let i = 0; i < n; i++) p.set(`${prefix}${i}`, String(i));
  await p.exec();
}

/** Run a full SCAN; `between` runs after every call. */
async function scanAll(args: string[] = [], between?: () => Promise<void>): Promise<{ keys: string[]; calls: number }> {
  let cursor = '0';
  const keys: string[] = [];
  let calls = 0;
  do {
    const [next, batch] = (await redis.call('SCAN', cursor, ...args)) as [string, string[]];
    cursor = next;
    keys.push(...batch);
    calls++;
    if (between) await between();
    assert.ok(calls < 100000);
  } while (cursor !== '0');
  return { keys, calls };
}

test('SCAN basic and COUNT', async () => {
  await redis.flushall();
  await populate(1000);
  const all = await scanAll();
  assert.equal(new Set(all.keys).size, 1000);
  const small = await scanAll(['COUNT', '5']);
  assert.equal(new Set(small.keys).size, 1000);
  assert.ok(small.calls > all.calls);
  const big = await scanAll(['COUNT', '100000']);
  assert.equal(big.calls, 1);
  assert.equal(big.keys.length, 1000, 'nothing is reported twice in a single call');
});

test('SCAN MATCH and TYPE', async () => {
  await redis.flushall();
  await populate(1000);
  const m = await scanAll(['MATCH', 'key:1??']);
  assert.equal(new Set(m.keys).size, 100);
  assert.equal((await scanAll(['TYPE', 'list'])).keys.length, 0);
  assert.equal(new Set((await scanAll(['TYPE', 'string'])).keys).size, 1000);
  assert.equal(new Set((await scanAll(['type', 'STRING', 'match', 'key:*', 'count', '10'])).keys).size, 1000);
  assert.equal((await scanAll(['TYPE', 'nosuchtype'])).keys.length, 0);
  assert.equal((await scanAll(['MATCH', 'nomatch*'])).keys.length, 0);
});

test('SCAN MATCH * also reports the empty key name', async () => {
  await redis.flushall();
  await redis.set('', 'empty');
  await redis.set('x', '1');
  assert.deepEqual((await scanAll(['MATCH', '*'])).keys.sort(), ['', 'x']);
  assert.deepEqual((await scanAll(['MATCH', '**'])).keys.sort(), ['x']);
});

test('SCAN guarantees under write load: keys present throughout are all reported', async () => {
  await redis.flushall();
  await populate(100, 'k');
  const { keys } = await scanAll([], async () => {
    const p = redis.pipeline();
    for (let j = 0; j < 10; j++) p.set(`addedkey:${Math.floor(Math.random() * 1000)}`, 'foo');
    await p.exec();
  });
  const base = new Set(keys.filter((k) => k.length <= 6));
  assert.equal(base.size, 100);
});

test('SCAN guarantees while most keys are deleted and the table shrinks', async () => {
  for (let round = 0; round < 5; round++) {
    await redis.flushall();
    await populate(100, 'keep:');
    await populate(2000, 'drop:');
    let calls = 0;
    const deleteAt = 1 + round;
    const { keys } = await scanAll([], async () => {
      if (++calls === deleteAt) {
        const p = redis.pipeline();
        for (let i = 0; i < 2000; i++) p.del(`drop:${i}`);
        await p.exec();
      }
    });
    const kept = new Set(keys.filter((k) => k.startsWith('keep:')));
    assert.equal(kept.size, 100, `round ${round}`);
  }
});

test('SCAN on an empty database', async () => {
  await redis.flushall();
  assert.deepEqual(await redis.call('SCAN', '0'), ['0', []]);
  assert.deepEqual(await redis.call('SCAN', '12345'), ['0', []]);
});

test('SCAN cursor and option errors', async () => {
  await redis.flushall();
  await redis.set('a', '1');
  const c = await RawConnection.connect(srv.port);
  const cases: [string[], string][] = [
    [['SCAN', 'x'], '-ERR invalid cursor\r\n'],
    [['SCAN', '-'], '-ERR invalid cursor\r\n'],
    [['SCAN', ' 5'], '-ERR invalid cursor\r\n'],
    [['SCAN', '5 '], '-ERR invalid cursor\r\n'],
    [['SCAN', '0x1'], '-ERR invalid cursor\r\n'],
    [['SCAN', '18446744073709551616'], '-ERR invalid cursor\r\n'],
    [['SCAN', '0', 'COUNT', '0'], '-ERR syntax error\r\n'],
    [['SCAN', '0', 'COUNT', '-1'], '-ERR syntax error\r\n'],
    [['SCAN', '0', 'COUNT', 'x'], '-ERR value is not an integer or out of range\r\n'],
    [['SCAN', '0', 'COUNT'], '-ERR syntax error\r\n'],
    [['SCAN', '0', 'MATCH'], '-ERR syntax error\r\n'],
    [['SCAN', '0', 'TYPE'], '-ERR syntax error\r\n'],
    [['SCAN', '0', 'foo', 'bar'], '-ERR syntax error\r\n'],
    [['SCAN'], "-ERR wrong number of arguments for 'scan' command\r\n"],
    // strtoul's rules: empty is 0, signs and leading zeros are accepted
    [['SCAN', ''], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
    [['SCAN', '-0'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
    [['SCAN', '+0'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
    [['SCAN', '000'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
    [['SCAN', '0', 'count', '10', 'match', 'a', 'type', 'string'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
  ];
  for (const [args, want] of cases) {
    assert.equal(await c.request(resp(...args), want), want, JSON.stringify(args));
  }
  // any syntactically valid cursor works, up to 2^64-1
  for (const cur of ['18446744073709551615', '4294967296', '-1']) {
    const reply = await c.request(resp('SCAN', cur));
    assert.match(reply, /^\*2\r\n\$\d+\r\n\d+\r\n\*/);
  }
  c.close();
});
