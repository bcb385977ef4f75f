/*
 * The multi-part AOF end to end: what reaches the INCR file, rewrites and
 * the manifest, loading at startup (including truncated and corrupt files)
 * and DEBUG LOADAOF. Servers run with aof-use-rdb-preamble no where a test
 * reads the base file as commands.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { startNodis, withNodis, runNodisToExit, rewriteDone, type NodisProcess } from '../helpers/server';

const AOF_ARGS = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--enable-debug-command', 'yes', '--appendfsync', 'always'];

function aofDir(srv: NodisProcess): string {
  return path.join(srv.dir, 'appendonlydir');
}

function manifest(dir: string): string {
  return fs.readFileSync(path.join(dir, 'appendonly.aof.manifest'), 'latin1');
}

/** The commands of an AOF file, as arrays of strings (annotations skipped). */
function commands(file: string): string[][] {
  const text = fs.readFileSync(file, 'latin1');
  const out: string[][] = [];
  let pos = 0;
  const line = () => {
    const nl = text.indexOf('\r\n', pos);
    const s = text.slice(pos, nl);
    pos = nl + 2;
    return s;
  };
  while (pos < text.length) {
    const h = line();
    if (h[0] === '#') continue;
    const n = Number(h.slice(1));
    const argv: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(pos, pos + len));
      pos += len + 2;
    }
    out.push(argv);
  }
  return out;
}

test('startup with appendonly yes creates a base, an INCR file and the manifest', async () => {
  const srv = await startNodis(AOF_ARGS);
  try {
    assert.equal(manifest(aofDir(srv)),
      'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    assert.match(srv.output(), /Creating AOF base file appendonly.aof.1.base.aof on server start/);
    assert.match(srv.output(), /Creating AOF incr file appendonly.aof.1.incr.aof on server start/);
  } finally {
    await srv.stop();
  }
});

test('writes reach the INCR file as Redis propagates them: SELECT, absolute TTLs, MULTI/EXEC', async () => {
  await withNodis(AOF_ARGS, async (srv, r) => {
    await r.set('a', '1', 'EX', 100);
    await r.get('a');
    await r.select(2);
    await r.multi().incr('n').rpush('l', 'x', 'y').exec();
    await r.del('missing');
    await r.expire('n', 50);
    const cmds = commands(path.join(aofDir(srv), 'appendonly.aof.1.incr.aof'));
    assert.deepEqual(cmds.map((c) => c[0].toLowerCase()), ['select', 'set', 'select', 'multi', 'incr', 'rpush', 'exec', 'pexpireat']);
    assert.deepEqual(cmds[0], ['SELECT', '0']);
    assert.equal(cmds[1][3], 'PXAT');
    assert.deepEqual(cmds[2], ['SELECT', '2']);
    assert.ok(Number(cmds[7][2]) > Date.now());
    const info = await r.info('persistence');
    assert.match(info, /aof_enabled:1/);
    assert.match(info, /aof_current_size:\d+/);
    assert.match(info, /aof_last_write_status:ok/);
  });
});

test('BGREWRITEAOF writes a new base, keeps the new INCR file and deletes the history', async () => {
  await withNodis(AOF_ARGS, async (srv, r) => {
    await r.set('s', 'v');
    await r.pexpire('s', 100000);
    await r.rpush('l', ...Array.from({ length: 70 }, (_, i) => `e${i}`));
    await r.hset('h', 'f', 'v');
    await r.sadd('set', 'm');
    await r.zadd('z', '1.5', 'a');
    await r.select(3);
    await r.set('k3', 'x');
    assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
    await rewriteDone(r);
    await r.set('after', '1');
    assert.equal(manifest(aofDir(srv)),
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    assert.deepEqual(fs.readdirSync(aofDir(srv)).sort(),
      ['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    const base = commands(path.join(aofDir(srv), 'appendonly.aof.2.base.aof'));
    const names = base.map((c) => `${c[0]} ${c[1]}`);
    assert.deepEqual(names[0], 'SELECT 0');
    // 70 list elements: RPUSH batches of 64
    assert.equal(base.filter((c) => c[0] === 'RPUSH').map((c) => c.length - 2).join(','), '64,6');
    assert.ok(names.includes('PEXPIREAT s'));
    assert.ok(names.includes('HMSET h'));
    assert.ok(names.includes('SADD set'));
    assert.deepEqual(base.find((c) => c[0] === 'ZADD'), ['ZADD', 'z', '1.5', 'a']);
    assert.deepEqual(base.slice(-2), [['SELECT', '3'], ['SET', 'k3', 'x']]);
    assert.deepEqual(commands(path.join(aofDir(srv), 'appendonly.aof.2.incr.aof')), [['SELECT', '3'], ['set', 'after', '1']]);
    assert.match(srv.output(), /Background AOF rewrite finished successfully/);
  });
});

test('a restart loads base and INCR files; DEBUG LOADAOF reloads them', async () => {
  const dir = await withNodis(AOF_ARGS, async (srv, r) => {
    await r.set('k', 'v');
    await r.bgrewriteaof();
    await rewriteDone(r);
    await r.incrby('counter', 5);
    await r.zadd('z', '2', 'b');
    await r.pexpire('k', 1000000);
    return srv.dir;
  });
  await withNodis(AOF_ARGS, async (again, r2) => {
    assert.equal(await r2.get('k'), 'v');
    assert.equal(await r2.get('counter'), '5');
    assert.deepEqual(await r2.zrange('z', 0, -1, 'WITHSCORES'), ['b', '2']);
    assert.ok((await r2.pttl('k')) > 900000);
    assert.match(again.output(), /DB loaded from base file appendonly.aof.2.base.aof/);
    assert.match(again.output(), /DB loaded from incr file appendonly.aof.2.incr.aof/);
    assert.match(again.output(), /DB loaded from append only file/);
    assert.match(again.output(), /Opening AOF incr file appendonly.aof.2.incr.aof on server start/);
    // keys written after the restart are appended to the same INCR file
    await r2.set('later', '1');
    await r2.flushall();
    await r2.set('only', '1');
    assert.equal(await r2.debug('loadaof'), 'OK');
    assert.deepEqual(await r2.keys('*'), ['only']);
    assert.equal(await r2.dbsize(), 1);
  }, { dir });
});

test('CONFIG SET appendonly yes at runtime writes a base of the dataset, then logs writes', async () => {
  await withNodis(['--aof-use-rdb-preamble', 'no'], async (srv, r) => {
    await r.set('before', '1');
    assert.equal(await r.config('SET', 'appendonly', 'yes'), 'OK');
    await rewriteDone(r);
    await r.set('after', '2');
    assert.equal(manifest(aofDir(srv)),
      'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    assert.deepEqual(commands(path.join(aofDir(srv), 'appendonly.aof.1.base.aof')), [['SELECT', '0'], ['SET', 'before', '1']]);
    assert.deepEqual(commands(path.join(aofDir(srv), 'appendonly.aof.1.incr.aof')), [['SELECT', '0'], ['set', 'after', '2']]);
    assert.equal(await r.config('SET', 'appendonly', 'no'), 'OK');
    await r.set('off', '3');
    assert.equal(commands(path.join(aofDir(srv), 'appendonly.aof.1.incr.aof')).length, 2);
    assert.match(await r.info('persistence'), /aof_enabled:0/);
  });
});

function aofFixture(files: Record<string, string>, manifestText: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-aof-'));
  fs.mkdirSync(path.join(dir, 'appendonlydir'));
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'appendonlydir', name), body, 'latin1');
  fs.writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), manifestText);
  return dir;
}

const ONE_INCR = 'file appendonly.aof.1.incr.aof seq 1 type i\n';

test('a truncated last file is cut at its last complete command with aof-load-truncated yes', async () => {
  const body = '*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1';
  const dir = aofFixture({ 'appendonly.aof.1.incr.aof': body }, ONE_INCR);
  await withNodis(AOF_ARGS, async (srv, r) => {
    assert.deepEqual(await r.keys('*'), ['a']);
    assert.match(srv.output(), /!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!/);
    assert.match(srv.output(), /!!! Truncating the AOF appendonly.aof.1.incr.aof at offset 27 !!!/);
    assert.equal(fs.statSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof')).size, 27);
  }, { dir });
});

test('an unfinished MULTI at the end is reverted', async () => {
  const body = '*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n1\r\n';
  const dir = aofFixture({ 'appendonly.aof.1.incr.aof': body }, ONE_INCR);
  await withNodis(AOF_ARGS, async (srv, r) => {
    assert.deepEqual(await r.keys('*'), ['a']);
    assert.match(srv.output(), /Revert incomplete MULTI\/EXEC transaction in AOF file appendonly.aof.1.incr.aof/);
  }, { dir });
});

test('fatal AOF problems stop startup with exit 1 and Redis log lines', async () => {
  const truncated = aofFixture({ 'appendonly.aof.1.incr.aof': '*3\r\n$3\r\nset\r\n$1\r\na\r\n$1' }, ONE_INCR);
  let r = await runNodisToExit(['--port', '0', '--appendonly', 'yes', '--aof-load-truncated', 'no'], truncated);
  assert.equal(r.code, 1);
  assert.match(r.output, /Unexpected end of file reading the append only file appendonly.aof.1.incr.aof/);

  const bad = aofFixture({ 'appendonly.aof.1.incr.aof': '*3\r\n$3\r\nset\r\nxx\r\n' }, ONE_INCR);
  r = await runNodisToExit(['--port', '0', '--appendonly', 'yes'], bad);
  assert.equal(r.code, 1);
  assert.match(r.output, /Bad file format reading the append only file appendonly.aof.1.incr.aof/);

  const unknown = aofFixture({ 'appendonly.aof.1.incr.aof': '*1\r\n$7\r\nnocmdxx\r\n' }, ONE_INCR);
  r = await runNodisToExit(['--port', '0', '--appendonly', 'yes'], unknown);
  assert.equal(r.code, 1);
  assert.match(r.output, /Unknown command 'nocmdxx' reading the append only file appendonly.aof.1.incr.aof/);

  const badManifest = aofFixture({}, 'file appendonly.aof.1.incr.aof seq 1 type q\n');
  r = await runNodisToExit(['--port', '0', '--appendonly', 'yes'], badManifest);
  assert.equal(r.code, 1);
  assert.match(r.output, /FATAL AOF MANIFEST FILE ERROR/);
  assert.match(r.output, /Unknown AOF file type/);

  const missing = aofFixture({}, ONE_INCR);
  r = await runNodisToExit(['--port', '0', '--appendonly', 'yes'], missing);
  assert.equal(r.code, 1);
  assert.match(r.output, /The append log file appendonly.aof.1.incr.aof doesn't exist/);
});

test('an old single-file appendonly.aof is moved into the AOF directory and loaded', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-aof-'));
  fs.writeFileSync(path.join(dir, 'appendonly.aof'), '*3\r\n$3\r\nset\r\n$3\r\nold\r\n$1\r\n1\r\n');
  await withNodis(AOF_ARGS, async (srv, r) => {
    assert.equal(await r.get('old'), '1');
    assert.match(srv.output(), /Successfully migrated an old-style AOF file \(appendonly.aof\) into the AOF directory \(appendonlydir\)/);
    assert.equal(manifest(path.join(dir, 'appendonlydir')),
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  }, { dir });
});
