/*
 * Persistence on a running server: SAVE and BGSAVE write dbfilename in dir
 * (temp file then rename), a restart loads it back (with Redis's log lines),
 * DEBUG RELOAD and its options, SHUTDOWN's final save, save points in the
 * cron, MISCONF after a failed background save, INFO persistence, LASTSAVE.
 * When /usr/bin/redis-server exists, DUMP payloads and RDB files are also
 * exchanged with the real Redis 7.0.15 in both directions.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';
import { startNodis, startRedis, freePort, waitFor, infoField, bgsaveDone, REDIS_SERVER, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let r: Redis;

before(async () => {
  srv = await startNodis(['--enable-debug-command', 'yes', '--save', '']);
  r = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await r.connect();
});
after(async () => {
  r.disconnect();
  await srv.stop();
});

async function fill(c: Redis): Promise<void> {
  await c.flushall();
  await c.set('s', 'hello');
  await c.set('big', 'ab'.repeat(500));
  await c.set('n', '12345');
  await c.set('ttl', 'v', 'PX', 1000000);
  await c.rpush('l', 'a', 'b', '1', '-2', 'x'.repeat(200));
  await c.hset('h', 'f1', 'v1', 'f2', '2');
  await c.sadd('si', '1', '2', '-300000');
  await c.sadd('ss', 'a', 'b');
  await c.zadd('z', '1', 'a', '2.5', 'b', '-inf', 'c');
  await c.select(3);
  await c.set('in3', 'x');
  await c.select(0);
}

test('SAVE writes dbfilename; INFO persistence, LASTSAVE; DEBUG RELOAD keeps everything', async () => {
  await fill(r);
  const before = Number(infoField(await r.info('persistence'), 'rdb_changes_since_last_save'));
  assert.ok(before > 0);
  const saves = Number(infoField(await r.info('persistence'), 'rdb_saves'));
  assert.equal(await r.save(), 'OK');
  assert.ok(fs.existsSync(path.join(srv.dir, 'dump.rdb')));
  assert.ok(!fs.existsSync(path.join(srv.dir, `temp-${srv.proc.pid}.rdb`)));
  const info = await r.info('persistence');
  assert.equal(infoField(info, 'rdb_changes_since_last_save'), '0');
  assert.equal(infoField(info, 'rdb_saves'), String(saves + 1));
  assert.equal(infoField(info, 'rdb_last_bgsave_status'), 'ok');
  assert.ok(Math.abs((await r.lastsave()) - Date.now() / 1000) < 5);
  const digest = await r.call('DEBUG', 'DIGEST');
  assert.equal(await r.call('DEBUG', 'RELOAD'), 'OK');
  assert.equal(await r.call('DEBUG', 'DIGEST'), digest);
  const pttl = await r.pttl('ttl');
  assert.ok(pttl > 900000 && pttl <= 1000000);
  assert.equal(await r.object('ENCODING', 'h'), 'listpack');
  assert.equal(await r.object('ENCODING', 'si'), 'intset');
  assert.equal(await r.object('ENCODING', 'z'), 'listpack');
  assert.equal(infoField(await r.info('persistence'), 'rdb_last_load_keys_loaded'), '10');
  // NOSAVE NOFLUSH MERGE: the file's keys replace existing ones, others stay
  await r.set('s', 'changed');
  await r.set('extra', '1');
  assert.equal(await r.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'), 'OK');
  assert.equal(await r.get('s'), 'hello');
  assert.equal(await r.get('extra'), '1');
  // NOFLUSH without MERGE: duplicated keys are an error
  await assert.rejects(r.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH'), /ERR Error trying to load the RDB dump/);
  await assert.rejects(r.call('DEBUG', 'RELOAD', 'BOGUS'), /ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options./);
  assert.match(srv.output(), /Loading RDB produced by version 7\.0\.15/);
  assert.match(srv.output(), /DB reloaded by DEBUG RELOAD/);
});

test('BGSAVE: started, in progress until written, then ok; arguments', async () => {
  await fill(r);
  assert.equal(await r.bgsave(), 'Background saving started');
  await bgsaveDone(r);
  const info = await r.info('persistence');
  assert.equal(infoField(info, 'rdb_last_bgsave_status'), 'ok');
  assert.equal(infoField(info, 'rdb_changes_since_last_save'), '0');
  assert.notEqual(infoField(info, 'rdb_last_bgsave_time_sec'), '-1');
  await assert.rejects(r.call('BGSAVE', 'FOO'), /ERR syntax error/);
  assert.equal(await r.call('BGSAVE', 'SCHEDULE'), 'Background saving started');
  await bgsaveDone(r);
  // inside MULTI the save is scheduled, and the cron runs it
  const res = await r.multi().bgsave().exec();
  assert.deepEqual(res, [[null, 'Background saving scheduled']]);
});

test('a restart loads dbfilename from dir; SHUTDOWN saves when save points are set', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-rdb-'));
  const a = await startNodis(['--dir', dir, '--save', '3600 1']);
  const ca = new Redis({ port: a.port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
  await ca.connect();
  await fill(ca);
  const digest = await ca.call('DEBUG', 'DIGEST').catch(() => null);
  await ca.call('SHUTDOWN').catch(() => undefined);
  ca.disconnect();
  await a.stop();
  assert.ok(fs.existsSync(path.join(dir, 'dump.rdb')));
  const b = await startNodis(['--dir', dir, '--enable-debug-command', 'yes', '--save', '']);
  const cb = new Redis({ port: b.port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
  await cb.connect();
  try {
    assert.equal(await cb.dbsize(), 9);
    assert.equal(await cb.get('big'), 'ab'.repeat(500));
    assert.deepEqual(await cb.lrange('l', 0, -1), ['a', 'b', '1', '-2', 'x'.repeat(200)]);
    if (digest !== null) assert.equal(await cb.call('DEBUG', 'DIGEST'), digest);
    await cb.select(3);
    assert.equal(await cb.get('in3'), 'x');
    assert.match(b.output(), /Loading RDB produced by version 7\.0\.15/);
    assert.match(b.output(), /Done loading RDB, keys loaded: 10, keys expired: 0\./);
    assert.match(b.output(), /DB loaded from disk: \d+\.\d{3} seconds/);
    // SHUTDOWN NOSAVE leaves the file alone
    await cb.flushall();
    await cb.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  } finally {
    cb.disconnect();
    await b.stop();
  }
  const c = await startNodis(['--dir', dir]);
  const cc = new Redis({ port: c.port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
  await cc.connect();
  try {
    assert.equal(await cc.dbsize(), 9);
  } finally {
    cc.disconnect();
    await c.stop();
  }
});

test('save points: the cron saves after enough changes and time', async () => {
  await r.flushall();
  assert.equal(await r.save(), 'OK');
  await r.config('SET', 'save', '1 2');
  try {
    await r.set('a', '1');
    await r.set('b', '2');
    await waitFor(async () => infoField(await r.info('persistence'), 'rdb_changes_since_last_save') === '0', 'the save point', 5000);
    assert.match(srv.output(), /2 changes in 1 seconds\. Saving\.\.\./);
    assert.match(srv.output(), /Background saving terminated with success/);
  } finally {
    await r.config('SET', 'save', '');
  }
});

test('a failed BGSAVE sets the error status and MISCONF refuses writes while save points exist', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-rdb-'));
  const a = await startNodis(['--dir', dir, '--save', '3600 1']);
  const ca = new Redis({ port: a.port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
  await ca.connect();
  // the target is a directory: the rename fails
  fs.mkdirSync(path.join(dir, 'dump.rdb'));
  try {
    await ca.set('k', 'v');
    assert.equal(await ca.bgsave(), 'Background saving started');
    await bgsaveDone(ca);
    assert.equal(infoField(await ca.info('persistence'), 'rdb_last_bgsave_status'), 'err');
    const misconf = /MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails \(stop-writes-on-bgsave-error option\)\. Please check the Redis logs for details about the RDB error\.$/;
    await assert.rejects(ca.set('k', 'w'), misconf);
    await assert.rejects(ca.ping(), misconf);
    assert.equal(await ca.get('k'), 'v');
    await ca.config('SET', 'stop-writes-on-bgsave-error', 'no');
    assert.equal(await ca.set('k', 'w'), 'OK');
    await ca.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    await assert.rejects(ca.save(), (e: Error) => e.message === 'ERR');
    fs.rmdirSync(path.join(dir, 'dump.rdb'));
    assert.equal(await ca.save(), 'OK');
    assert.equal(await ca.set('k', 'x'), 'OK');
    assert.match(a.output(), /Background saving error/);
  } finally {
    ca.disconnect();
    await a.stop();
  }
});

/* ------------------------------------------------- with the real Redis */

test('payloads and files exchanged with the real Redis 7.0.15', { skip: !fs.existsSync(REDIS_SERVER) }, async () => {
  const red = await startRedis(['--enable-debug-command', 'yes']);
  const cr = new Redis({ port: red.port, lazyConnect: true, enableReadyCheck: false });
  await cr.connect();
  try {
    await fill(cr);
    await fill(r);
    const keys = ['s', 'big', 'n', 'l', 'h', 'si', 'ss', 'z'];
    for (const k of keys) {
      const fromRedis = await cr.dumpBuffer(k);
      const fromNodis = await r.dumpBuffer(k);
      if (k !== 'ss') assert.equal(fromNodis.toString('hex'), fromRedis.toString('hex'), k);
      // each side restores the other's payload
      assert.equal(await r.restore(`${k}:r`, 0, fromRedis), 'OK');
      assert.equal(await cr.restore(`${k}:n`, 0, fromNodis), 'OK');
      assert.deepEqual(await r.call('DEBUG', 'DIGEST-VALUE', `${k}:r`), await r.call('DEBUG', 'DIGEST-VALUE', k));
      assert.deepEqual(await cr.call('DEBUG', 'DIGEST-VALUE', `${k}:n`), await cr.call('DEBUG', 'DIGEST-VALUE', k));
    }
    // Nodis's RDB file loads in Redis: same dataset digest
    await fill(r);
    await fill(cr);
    assert.equal(await r.save(), 'OK');
    fs.copyFileSync(path.join(srv.dir, 'dump.rdb'), path.join(red.dir, 'dump.rdb'));
    assert.equal(await cr.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
    assert.equal(await cr.dbsize(), 9);
    const rd = await cr.call('DEBUG', 'DIGEST');
    assert.equal(await r.call('DEBUG', 'DIGEST'), rd);
    // and Redis's file loads in Nodis
    await cr.set('fromredis', 'yes');
    assert.equal(await cr.save(), 'OK');
    fs.copyFileSync(path.join(red.dir, 'dump.rdb'), path.join(srv.dir, 'dump.rdb'));
    assert.equal(await r.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
    assert.equal(await r.get('fromredis'), 'yes');
    assert.equal(await r.call('DEBUG', 'DIGEST'), await cr.call('DEBUG', 'DIGEST'));
  } finally {
    cr.disconnect();
    await red.stop();
  }
});

test('FLUSHALL saves when save points exist (dirty back to 0) and stops a running BGSAVE', async () => {
  await r.set('x', '1');
  await r.flushall();
  assert.ok(Number(infoField(await r.info('persistence'), 'rdb_changes_since_last_save')) > 0);
  await r.config('SET', 'save', '3600 1');
  try {
    await r.set('x', '1');
    await r.flushall();
    assert.equal(infoField(await r.info('persistence'), 'rdb_changes_since_last_save'), '0');
    // rdb-key-save-delay keeps the save in progress (a testing knob: microseconds per key)
    await r.config('SET', 'save', '');
    await r.config('SET', 'rdb-key-save-delay', '1000000');
    await r.set('k', 'v');
    assert.equal(await r.bgsave(), 'Background saving started');
    assert.equal(infoField(await r.info('persistence'), 'rdb_bgsave_in_progress'), '1');
    await assert.rejects(r.bgsave(), /ERR Background save already in progress/);
    await assert.rejects(r.save(), /ERR Background save already in progress/);
    await r.flushall();
    assert.equal(infoField(await r.info('persistence'), 'rdb_bgsave_in_progress'), '0');
  } finally {
    await r.config('SET', 'save', '');
    await r.config('SET', 'rdb-key-save-delay', '0');
  }
});

test('MIGRATE between two servers: move, COPY, REPLACE, KEYS, NOKEY, AUTH, TTL, timeout, cached sockets', async () => {
  const b = await startNodis(['--save', '', '--enable-debug-command', 'yes']);
  const cb = new Redis({ port: b.port, lazyConnect: true, enableReadyCheck: false, db: 9 });
  await cb.connect();
  try {
    await r.flushall();
    await r.set('key', 'Some Value');
    assert.equal(infoField(await r.info('stats'), 'migrate_cached_sockets'), '0');
    assert.equal(await r.migrate('127.0.0.1', b.port, 'key', 9, 1000), 'OK');
    assert.equal(infoField(await r.info('stats'), 'migrate_cached_sockets'), '1');
    assert.equal(await r.exists('key'), 0);
    assert.equal(await cb.get('key'), 'Some Value');
    assert.equal(await cb.ttl('key'), -1);
    await r.rpush('list', 'a', 'b');
    await cb.set('list', 'x');
    await assert.rejects(r.migrate('127.0.0.1', b.port, 'list', 9, 1000, 'COPY'), /^ReplyError: ERR Target instance replied with error: BUSYKEY Target key name already exists\.$/);
    assert.equal(await r.migrate('127.0.0.1', b.port, 'list', 9, 1000, 'COPY', 'REPLACE'), 'OK');
    assert.deepEqual(await cb.lrange('list', 0, -1), ['a', 'b']);
    assert.equal(await r.exists('list'), 1);
    await r.mset('k1', '1', 'k2', '2');
    await r.expire('k2', 100);
    assert.equal(await r.migrate('127.0.0.1', b.port, '', 9, 1000, 'KEYS', 'nokey', 'k1', 'k2'), 'OK');
    assert.equal(await r.exists('k1', 'k2'), 0);
    assert.ok((await cb.ttl('k2')) > 90);
    assert.equal(await r.migrate('127.0.0.1', b.port, '', 9, 1000, 'KEYS', 'nokey'), 'NOKEY');
    await assert.rejects(r.migrate('127.0.0.1', b.port, 'x', 9, 1000, 'KEYS', 'a'), /When using MIGRATE KEYS option, the key argument must be set to the empty string/);
    await assert.rejects(r.migrate('127.0.0.1', b.port, 'x', 9, 1000, 'AUTH'), /ERR syntax error/);
    await cb.config('SET', 'requirepass', 'foobar');
    await cb.auth('foobar');
    await r.set('a', '1');
    await r.set('a2', '1');
    // (the cached connection stays authenticated: the RESTORE itself still succeeds, as with Redis)
    await assert.rejects(r.migrate('127.0.0.1', b.port, 'a', 9, 1000, 'AUTH', 'wrong'), /WRONGPASS/);
    assert.equal(await r.exists('a'), 1);
    assert.equal(await r.migrate('127.0.0.1', b.port, 'a2', 9, 1000, 'AUTH', 'foobar'), 'OK');
    assert.equal(await r.migrate('127.0.0.1', b.port, 'a2', 9, 1000, 'AUTH2', 'default', 'foobar', 'COPY'), 'NOKEY');
    await cb.config('SET', 'requirepass', '');
    // a target that does not answer in time
    await r.set('slow', 'v');
    const sleeper = new Redis({ port: b.port, lazyConnect: true, enableReadyCheck: false });
    await sleeper.connect();
    const sleeping = sleeper.call('DEBUG', 'SLEEP', '1');
    await new Promise((res) => setTimeout(res, 50));
    await assert.rejects(r.migrate('127.0.0.1', b.port, 'slow', 9, 300), /IOERR error or timeout reading to target instance/);
    await sleeping;
    sleeper.disconnect();
    assert.equal(await r.exists('slow'), 1);
    // nobody listening
    const dead = await freePort();
    await assert.rejects(r.migrate('127.0.0.1', dead, 'slow', 0, 300), /IOERR error or timeout connecting to the client/);
  } finally {
    cb.disconnect();
    await b.stop();
  }
});

test('with an LRU or LFU policy the idle time / frequency survive a save and reload', async () => {
  await r.flushall();
  const payload = await (async () => {
    await r.set('tmp', 'bar');
    const p = await r.dumpBuffer('tmp');
    await r.del('tmp');
    return p;
  })();
  await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
  try {
    assert.equal(await r.restore('idle', 0, payload, 'IDLETIME', 5000), 'OK');
    assert.equal(await r.call('DEBUG', 'RELOAD'), 'OK');
    const idle = Number(await r.object('IDLETIME', 'idle'));
    assert.ok(idle >= 5000 && idle <= 5003, String(idle));
    await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    assert.equal(await r.restore('freq', 0, payload, 'FREQ', 77), 'OK');
    assert.equal(await r.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await r.object('FREQ', 'freq'), 77);
  } finally {
    await r.config('SET', 'maxmemory-policy', 'noeviction');
  }
});
