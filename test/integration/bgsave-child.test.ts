/*
 * BGSAVE in a child process: the server spawns a real child (visible as a
 * child of the server's pid, as Redis's forked child is) that writes
 * temp-<child pid>.rdb and renames it over dbfilename. Killing that child
 * is a failed save (rdb_last_bgsave_status:err, "terminated by signal 9")
 * and the next BGSAVE works; rdb-key-save-delay keeps the child writing;
 * FLUSHALL and SHUTDOWN stop it and leave no temp file nor process behind.
 * The file a BGSAVE writes loads in Nodis and in the real Redis 7.0.15,
 * function libraries included. BGREWRITEAOF uses the same kind of child,
 * and only one child runs at a time (scheduling as in Redis).
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';
import { startNodis, startRedis, withNodis, waitFor, infoField, bgsaveDone, REDIS_SERVER, type NodisProcess } from '../helpers/server';

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

async function persistence(c: Redis, name: string): Promise<string> {
  return infoField(await c.info('persistence'), name);
}

/** Pids whose parent is `ppid` (what the suite's `pgrep -P` finds). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === ppid && fields[0] !== 'Z') out.push(Number(name));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** The save child, once BGSAVE has started it. */
async function saveChild(server: NodisProcess): Promise<number> {
  let kids: number[] = [];
  await waitFor(() => (kids = childrenOf(server.proc.pid!)).length > 0);
  assert.equal(kids.length, 1);
  return kids[0];
}

async function fill(c: Redis): Promise<void> {
  await c.flushall();
  await c.set('s', 'hello');
  await c.set('big', 'ab'.repeat(500));
  await c.set('ttl', 'v', 'PX', 1000000);
  await c.rpush('l', 'a', 'b', '1', 'x'.repeat(200));
  await c.hset('h', 'f1', 'v1', 'f2', '2');
  await c.sadd('si', '1', '2', '-300000');
  await c.zadd('z', '1', 'a', '2.5', 'b');
  await c.select(2);
  await c.set('in2', 'x');
  await c.select(0);
}

test('BGSAVE runs in a child process of the server, which writes temp-<child pid>.rdb and renames it', async () => {
  await fill(r);
  await r.config('SET', 'rdb-key-save-delay', '1000000'); // one second per key: 8 keys
  try {
    assert.equal(await r.bgsave(), 'Background saving started');
    const pid = await saveChild(srv);
    assert.notEqual(pid, srv.proc.pid);
    assert.match(srv.output(), new RegExp(`Background saving started by pid ${pid}\\b`));
    const temp = path.join(srv.dir, `temp-${pid}.rdb`);
    await waitFor(() => fs.existsSync(temp));
    assert.equal(await persistence(r, 'rdb_bgsave_in_progress'), '1');
    assert.equal(await persistence(r, 'current_save_keys_total'), '8');
    await assert.rejects(r.bgsave(), /^ReplyError: ERR Background save already in progress$/);
    await assert.rejects(r.save(), /^ReplyError: ERR Background save already in progress$/);
    // the snapshot is the dataset at BGSAVE time: later writes are not in the file
    await r.set('after', '1');
  } finally {
    await r.config('SET', 'rdb-key-save-delay', '0');
  }
  // the delay already given to the child still applies: wait for it to finish (~8 s)
  await bgsaveDone(r, 60000);
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
  assert.equal(await persistence(r, 'rdb_changes_since_last_save'), '1');
  assert.match(srv.output(), /DB saved on disk\n.*Background saving terminated with success/);
  assert.deepEqual(fs.readdirSync(srv.dir).filter((f) => f.startsWith('temp-')), []);
  await waitFor(() => childrenOf(srv.proc.pid!).length === 0);
  // the file holds the dataset as it was
  const digest = await r.call('DEBUG', 'DIGEST');
  await r.del('after');
  const saved = await r.call('DEBUG', 'DIGEST');
  assert.notEqual(saved, digest);
  assert.equal(await r.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
  assert.equal(await r.call('DEBUG', 'DIGEST'), saved);
  assert.equal(await r.dbsize(), 7);
});

test('a save child killed with SIGKILL fails the save; the next BGSAVE works', async () => {
  await fill(r);
  await r.config('SET', 'rdb-key-save-delay', '10000000');
  let pid: number;
  try {
    assert.equal(await r.bgsave(), 'Background saving started');
    pid = await saveChild(srv);
    await waitFor(() => fs.existsSync(path.join(srv.dir, `temp-${pid}.rdb`)));
    process.kill(pid, 'SIGKILL');
    await bgsaveDone(r);
  } finally {
    await r.config('SET', 'rdb-key-save-delay', '0');
  }
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'err');
  assert.match(srv.output(), /# Background saving terminated by signal 9\n/);
  assert.equal(fs.existsSync(path.join(srv.dir, `temp-${pid}.rdb`)), false);
  // no save points: writes are still accepted
  assert.equal(await r.set('k', 'v'), 'OK');
  assert.equal(await r.bgsave(), 'Background saving started');
  await bgsaveDone(r);
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
  assert.equal(await persistence(r, 'rdb_changes_since_last_save'), '0');
});

test('after a failed save, with save points, writes and writing scripts get MISCONF; reads and no-writes scripts run', async () => {
  await fill(r);
  await r.config('SET', 'save', '3600 1');
  try {
    await r.config('SET', 'rdb-key-save-delay', '10000000');
    try {
      assert.equal(await r.bgsave(), 'Background saving started');
      const pid = await saveChild(srv);
      process.kill(pid, 'SIGKILL');
      await bgsaveDone(r);
    } finally {
      await r.config('SET', 'rdb-key-save-delay', '0');
    }
    const misconf = /ReplyError: MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\. Commands that may modify the data set are disabled/;
    assert.equal(await r.get('s'), 'hello');
    await assert.rejects(r.set('s', 'y'), misconf);
    await assert.rejects(r.eval("return redis.call('set', KEYS[1], 1)", 1, 's'), misconf);
    await assert.rejects(r.eval("#!lua\nreturn redis.call('set', KEYS[1], 1)", 1, 's'), misconf);
    assert.equal(await r.eval("return redis.call('get', KEYS[1])", 1, 's'), 'hello');
    assert.equal(await r.eval("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", 1, 's'), 'hello');
  } finally {
    await r.config('SET', 'save', '');
  }
  assert.equal(await r.set('s', 'writable'), 'OK');
  // a good save clears the error for the tests that follow
  assert.equal(await r.bgsave(), 'Background saving started');
  await bgsaveDone(r);
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
});

test('FLUSHALL stops a running save child (not an error) and removes its temp file', async () => {
  await fill(r);
  await r.config('SET', 'rdb-key-save-delay', '10000000');
  try {
    assert.equal(await r.bgsave(), 'Background saving started');
    const pid = await saveChild(srv);
    const temp = path.join(srv.dir, `temp-${pid}.rdb`);
    await waitFor(() => fs.existsSync(temp));
    await r.flushall();
    assert.equal(await persistence(r, 'rdb_bgsave_in_progress'), '0');
    assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
    await waitFor(() => !alive(pid));
    assert.equal(fs.existsSync(temp), false);
    assert.match(srv.output(), /Background saving terminated by signal 10\n/);
  } finally {
    await r.config('SET', 'rdb-key-save-delay', '0');
  }
});

test('SHUTDOWN NOSAVE during a BGSAVE leaves neither the child nor its temp file', async () => {
  await withNodis(['--save', ''], async (s, c) => {
    for (let i = 0; i < 20; i++) await c.set(`k${i}`, String(i));
    await c.config('SET', 'rdb-key-save-delay', '100000');
    assert.equal(await c.bgsave(), 'Background saving started');
    const pid = await saveChild(s);
    const temp = path.join(s.dir, `temp-${pid}.rdb`);
    await waitFor(() => fs.existsSync(temp));
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await new Promise<void>((res) => {
      if (s.proc.exitCode !== null) res();
      else s.proc.once('exit', () => res());
    });
    await waitFor(() => !alive(pid));
    assert.equal(fs.existsSync(temp), false);
    assert.equal(fs.existsSync(path.join(s.dir, 'dump.rdb')), false);
  }, { client: { enableReadyCheck: false, retryStrategy: () => null } });
});

test('a save child whose server was killed with SIGKILL stops by itself and removes its temp file', async () => {
  await withNodis(['--save', ''], async (s, c) => {
    await c.set('a', '1');
    await c.set('b', '2');
    await c.config('SET', 'rdb-key-save-delay', '10000000');
    assert.equal(await c.bgsave(), 'Background saving started');
    const pid = await saveChild(s);
    const temp = path.join(s.dir, `temp-${pid}.rdb`);
    await waitFor(() => fs.existsSync(temp));
    c.disconnect();
    s.proc.kill('SIGKILL');
    await waitFor(() => !alive(pid));
    assert.equal(fs.existsSync(temp), false);
  }, { client: { enableReadyCheck: false, retryStrategy: () => null } });
});

/**
 * Copy `file` as dump.rdb into a fresh temp dir, start a server there with
 * `start`, and check that it loaded the dataset (DEBUG DIGEST) and the bglib
 * library (FCALL bgf); the client and the server are stopped whatever happens.
 */
async function checkLoadedBy(start: (dir: string) => Promise<NodisProcess>, prefix: string, file: string, digest: unknown): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.copyFileSync(file, path.join(dir, 'dump.rdb'));
  const s = await start(dir);
  const c = new Redis({ port: s.port, lazyConnect: true, enableReadyCheck: false });
  try {
    await c.connect();
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    assert.equal(await c.call('FCALL', 'bgf', '0'), 7);
  } finally {
    c.disconnect();
    await s.stop();
  }
}

test('the file BGSAVE writes loads in a restarted Nodis and in Redis 7.0.15', async () => {
  await fill(r);
  await r.call('FUNCTION', 'LOAD', 'REPLACE', "#!lua name=bglib\nredis.register_function('bgf', function() return 7 end)");
  try {
    const digest = await r.call('DEBUG', 'DIGEST');
    assert.equal(await r.bgsave(), 'Background saving started');
    await bgsaveDone(r);
    assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
    const file = path.join(srv.dir, 'dump.rdb');

    await checkLoadedBy((dir) => startNodis(['--save', '', '--enable-debug-command', 'yes'], { dir }), 'nodis-bgsave-', file, digest);

    if (!fs.existsSync(REDIS_SERVER)) return;
    await checkLoadedBy((dir) => startRedis(['--enable-debug-command', 'yes'], { dir }), 'nodis-bgsave-redis-', file, digest);
  } finally {
    await r.call('FUNCTION', 'FLUSH');
  }
});

test('DEBUG RELOAD brings the function libraries back from the file (and drops those not in it)', async () => {
  await r.flushall();
  await r.call('FUNCTION', 'FLUSH');
  await r.call('FUNCTION', 'LOAD', "#!lua name=keep\nredis.register_function('keepf', function() return 1 end)");
  assert.equal(await r.save(), 'OK');
  await r.call('FUNCTION', 'LOAD', "#!lua name=extra\nredis.register_function('extraf', function() return 2 end)");
  assert.equal(await r.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
  assert.equal(await r.call('FCALL', 'keepf', '0'), 1);
  await assert.rejects(r.call('FCALL', 'extraf', '0'), /^ReplyError: ERR Function not found$/);
  await r.call('FUNCTION', 'FLUSH');
});

test('BGREWRITEAOF in a child; one child at a time: a rewrite waits for BGSAVE, BGSAVE needs SCHEDULE during a rewrite', async () => {
  await withNodis(['--save', '', '--appendonly', 'yes', '--auto-aof-rewrite-percentage', '0', '--enable-debug-command', 'yes'], async (s, c) => {
    const stat = async (name: string) => infoField(await c.info(), name);
    await c.call('FUNCTION', 'LOAD', "#!lua name=aoflib\nredis.register_function('aoff', function() return 3 end)");
    for (let i = 0; i < 5; i++) await c.set(`k${i}`, String(i));
    const forks = Number(await stat('total_forks'));
    // a rewrite asked for during a BGSAVE is scheduled, and starts once the save child is gone
    await c.config('SET', 'rdb-key-save-delay', '10000000');
    assert.equal(await c.bgsave(), 'Background saving started');
    const savePid = await saveChild(s);
    assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting scheduled');
    assert.equal(await stat('aof_rewrite_scheduled'), '1');
    await c.config('SET', 'rdb-key-save-delay', '0');
    process.kill(savePid, 'SIGKILL');
    await waitFor(async () => (await stat('aof_rewrite_scheduled')) === '0' && (await stat('aof_rewrite_in_progress')) === '0');
    assert.equal(await stat('aof_last_bgrewrite_status'), 'ok');
    assert.equal(Number(await stat('total_forks')), forks + 2);
    assert.match(s.output(), /Background append only file rewriting started by pid \d+\n(.*\n)*.*Background AOF rewrite finished successfully/);

    // during a rewrite BGSAVE is refused, or scheduled with SCHEDULE
    await c.config('SET', 'rdb-key-save-delay', '10000000');
    assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
    const aofPid = await saveChild(s);
    const temp = path.join(s.dir, `temp-rewriteaof-bg-${aofPid}.aof`);
    await waitFor(() => fs.existsSync(temp));
    await assert.rejects(c.call('BGREWRITEAOF'), /^ReplyError: ERR Background append only file rewriting already in progress$/);
    await assert.rejects(c.bgsave(), /^ReplyError: ERR Another child process is active \(AOF\?\): can't BGSAVE right now\. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible\.$/);
    assert.equal(await c.call('BGSAVE', 'SCHEDULE'), 'Background saving scheduled');
    await c.config('SET', 'rdb-key-save-delay', '0');
    process.kill(aofPid, 'SIGKILL');
    await waitFor(async () => (await stat('aof_rewrite_in_progress')) === '0');
    assert.equal(await stat('aof_last_bgrewrite_status'), 'err');
    assert.match(s.output(), /# Background AOF rewrite terminated by signal 9\n/);
    assert.equal(fs.existsSync(temp), false);
    // the scheduled BGSAVE runs once the rewrite child is gone
    const killedAt = s.output().indexOf('Background AOF rewrite terminated by signal 9');
    await waitFor(() => /Background saving started by pid \d+\n(.*\n)*.*Background saving terminated with success/.test(s.output().slice(killedAt)));
    assert.equal(await persistence(c, 'rdb_last_bgsave_status'), 'ok');

    // a successful rewrite in AOF format: the libraries and keys come back from the files
    await c.config('SET', 'aof-use-rdb-preamble', 'no');
    const digest = await c.call('DEBUG', 'DIGEST');
    assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
    await waitFor(async () => (await stat('aof_rewrite_in_progress')) === '0');
    assert.equal(await stat('aof_last_bgrewrite_status'), 'ok');
    // (DEBUG LOADAOF empties the dataset and the libraries before loading)
    assert.equal(await c.call('DEBUG', 'LOADAOF'), 'OK');
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    assert.equal(await c.call('FCALL', 'aoff', '0'), 3);
  }, { client: { enableReadyCheck: false } });
});
