/*
 * A BullMQ-style job queue on Nodis with real ioredis clients: jobs are
 * added and moved by Lua scripts registered with defineCommand (EVALSHA,
 * falling back to EVAL), a worker waits on a blocking BRPOPLPUSH/BLMOVE,
 * and progress and completion go out over pub/sub to a listener on a
 * second connection. The assertions check the exact final state.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createHash } from 'crypto';
import { startNodis } from '../helpers/server';

type QueueClient = Redis & {
  addJob(wait: string, jobs: string, events: string, id: string, data: string): Promise<string>;
  moveToActive(wait: string, active: string, jobs: string, id: string): Promise<string | null>;
  completeJob(active: string, done: string, jobs: string, events: string, id: string, result: string): Promise<number>;
};

const ADD_JOB = `
local id = redis.call('INCR', KEYS[2] .. ':id')
local jobKey = KEYS[2] .. ':' .. id
redis.call('HSET', jobKey, 'name', ARGV[1], 'data', ARGV[2], 'state', 'waiting')
redis.call('LPUSH', KEYS[1], id)
redis.call('PUBLISH', KEYS[3], cjson.encode({event = 'added', id = id}))
return tostring(id)`;

const MOVE_TO_ACTIVE = `
local jobKey = KEYS[3] .. ':' .. ARGV[1]
if redis.call('EXISTS', jobKey) == 0 then return false end
redis.call('HSET', jobKey, 'state', 'active')
return redis.call('HGET', jobKey, 'data')`;

const COMPLETE = `
local jobKey = KEYS[3] .. ':' .. ARGV[1]
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 0 then return redis.error_reply('NOTACTIVE job ' .. ARGV[1] .. ' is not active') end
redis.call('HSET', jobKey, 'state', 'completed', 'result', ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3] .. ':seq'), ARGV[1])
redis.call('PUBLISH', KEYS[4], cjson.encode({event = 'completed', id = ARGV[1], result = ARGV[2]}))
return removed`;

function queueClient(port: number): QueueClient {
  const r = new Redis({ port, lazyConnect: true }) as QueueClient;
  r.defineCommand('addJob', { numberOfKeys: 3, lua: ADD_JOB });
  r.defineCommand('moveToActive', { numberOfKeys: 3, lua: MOVE_TO_ACTIVE });
  r.defineCommand('completeJob', { numberOfKeys: 4, lua: COMPLETE });
  return r;
}

test('a job queue: Lua scripts, blocking moves between lists and pub/sub events', async () => {
  const srv = await startNodis();
  const producer = queueClient(srv.port);
  const worker = queueClient(srv.port);
  const listener = new Redis({ port: srv.port, lazyConnect: true });
  try {
    await producer.connect();
    await worker.connect();
    await listener.connect();
    const events: { event: string; id: string; result?: string }[] = [];
    listener.on('message', (_ch, msg) => events.push(JSON.parse(msg)));
    await listener.subscribe('q:events');

    // the worker waits first: its blocking move is served by the first job added
    const N = 20;
    const processed: string[] = [];
    const work = (async () => {
      for (let i = 0; i < N; i++) {
        const id = await worker.blmove('q:wait', 'q:active', 'RIGHT', 'LEFT', 10);
        assert.ok(id !== null);
        const data = await worker.moveToActive('q:wait', 'q:active', 'q:job', id);
        assert.equal(data, `payload-${id}`);
        assert.equal(await worker.completeJob('q:active', 'q:done', 'q:job', 'q:events', id, `result-${id}`), 1);
        processed.push(id);
      }
    })();
    for (let i = 1; i <= N; i++) {
      assert.equal(await producer.addJob('q:wait', 'q:job', 'q:events', 'job', `payload-${i}`), String(i));
    }
    await work;
    assert.deepEqual(processed, Array.from({ length: N }, (_, i) => String(i + 1)));
    assert.equal(await producer.llen('q:wait'), 0);
    assert.equal(await producer.llen('q:active'), 0);
    assert.deepEqual(await producer.zrange('q:done', 0, -1), processed);
    assert.deepEqual(await producer.hgetall('q:job:7'), { name: 'job', data: 'payload-7', state: 'completed', result: 'result-7' });
    // a script error reaches the client with Redis's script suffix
    await assert.rejects(worker.completeJob('q:active', 'q:done', 'q:job', 'q:events', '7', 'x'), /^ReplyError: NOTACTIVE job 7 is not active/);
    for (let i = 0; i < 100 && events.length < 2 * N; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(events.filter((e) => e.event === 'added').length, N);
    assert.deepEqual(events.filter((e) => e.event === 'completed').map((e) => e.result), processed.map((id) => `result-${id}`));
    // EVALSHA was used: the scripts are cached on the server
    const shas = await producer.script('EXISTS', ...[ADD_JOB, MOVE_TO_ACTIVE, COMPLETE].map((s) => createHash('sha1').update(s).digest('hex')));
    assert.deepEqual(shas, [1, 1, 1]);
  } finally {
    producer.disconnect();
    worker.disconnect();
    listener.disconnect();
    await srv.stop();
  }
});
