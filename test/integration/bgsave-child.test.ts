/*
 * BGSAVE in a child process: the server spawns a real child (visible as a
 * child of the server's pid, as Redis's forked child is) that writes
 * temp-<child pid>.rdb and renames it over dbfilename. Killing that child
 * is a failed save (rdb_last_bgsave_status:err, "terminated by signal 9")
 * and the next BGSAVE works; rdb-key-save-delay keeps the child writing;
 * FLUSHALL and SHUTDOWN stop it and leave no temp file nor process behind.
 * The file a BGSAVE writes loads in Nodis and in the real Redis 7.0.15.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import Redis from 'ioredis';
import { startNodis, freePort, type NodisProcess } from '../helpers/server';

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

function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info);
  assert.ok(m, name);
  return m[1];
}

async function persistence(c: Redis, name: string): Promise<string> {
  return infoField(await c.info('persistence'), name);
}

async function waitFor(cond: () => Promise<boolean> | boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((res) => setTimeout(res, 20));
  }
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
  await waitFor(async () => (await persistence(r, 'rdb_bgsave_in_progress')) === '0', 60000);
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
  assert.equal(await persistence(r, 'rdb_changes_since_last_save'), '1');
  assert.match(srv.output(), /DB saved on disk\n.*Background saving terminated with success/);
  assert.deepEqual(fs.readdirSync(srv.dir).filter((f) => f.startsWith('temp-')), []);
  await waitFor(() => childrenOf(srv.proc.pid!).length === 0);
  // the file holds the dataset as it was
  const digest = await r.call('DEBUG', 'DIGEST');
  await r.del('after');
  const before = await r.call('DEBUG', 'DIGEST');
  assert.notEqual(before, digest);
  assert.equal(await r.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
  assert.equal(await r.call('DEBUG', 'DIGEST'), before);
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
    await waitFor(async () => (await persistence(r, 'rdb_bgsave_in_progress')) === '0');
  } finally {
    await r.config('SET', 'rdb-key-save-delay', '0');
  }
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'err');
  assert.match(srv.output(), /# Background saving terminated by signal 9\n/);
  assert.equal(fs.existsSync(path.join(srv.dir, `temp-${pid}.rdb`)), false);
  // no save points: writes are still accepted
  assert.equal(await r.set('k', 'v'), 'OK');
  assert.equal(await r.bgsave(), 'Background saving started');
  await waitFor(async () => (await persistence(r, 'rdb_bgsave_in_progress')) === '0');
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
  assert.equal(await persistence(r, 'rdb_changes_since_last_save'), '0');
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
  const s = await startNodis(['--save', '']);
  const c = new Redis({ port: s.port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
  await c.connect();
  try {
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
  } finally {
    c.disconnect();
    await s.stop();
  }
});

const REDIS = '/usr/bin/redis-server';

test('the file BGSAVE writes loads in a restarted Nodis and in Redis 7.0.15', async () => {
  await fill(r);
  const digest = await r.call('DEBUG', 'DIGEST');
  assert.equal(await r.bgsave(), 'Background saving started');
  await waitFor(async () => (await persistence(r, 'rdb_bgsave_in_progress')) === '0');
  assert.equal(await persistence(r, 'rdb_last_bgsave_status'), 'ok');
  const file = path.join(srv.dir, 'dump.rdb');

  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-bgsave-'));
  fs.copyFileSync(file, path.join(dir2, 'dump.rdb'));
  const n2 = await startNodis(['--save', '', '--enable-debug-command', 'yes'], { dir: dir2 });
  const c2 = new Redis({ port: n2.port, lazyConnect: true, enableReadyCheck: false });
  await c2.connect();
  try {
    assert.equal(await c2.call('DEBUG', 'DIGEST'), digest);
  } finally {
    c2.disconnect();
    await n2.stop();
  }

  if (!fs.existsSync(REDIS)) return;
  const dir3 = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-bgsave-redis-'));
  fs.copyFileSync(file, path.join(dir3, 'dump.rdb'));
  const port = await freePort();
  const proc = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir3, '--enable-debug-command', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    await waitFor(() => out.includes('Ready to accept connections'));
    const cr = new Redis({ port, lazyConnect: true, enableReadyCheck: false });
    await cr.connect();
    try {
      assert.equal(await cr.call('DEBUG', 'DIGEST'), digest);
    } finally {
      cr.disconnect();
    }
  } finally {
    proc.kill('SIGKILL');
  }
});
