/*
 * Three Nodis servers in one process, through the embedding API, each with
 * its own settings: A with the AOF on, B with a maxmemory it is always over
 * (every write is refused with OOM) and a password, C a replica of A. Every
 * check asserts that a server answers for itself: INFO (persistence,
 * replication, memory, stats), CONFIG GET, DEBUG LOADAOF and the command
 * gates. Then A and B are closed: C keeps working, and A and B are released
 * (their objects collected). Run as its own process (with --expose-gc) by
 * test/integration/servers-in-one-process.test.ts, which also checks that
 * the process exits by itself once C is closed: nothing left behind.
 *
 * Prints one line per step ("ok <step>") and "done" at the end; any failed
 * assertion throws and exits non-zero.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';
import { startServer, type RunningServer } from '../../src/index';
import { infoField, waitFor } from './server';

function step(name: string): void {
  process.stdout.write(`ok ${name}\n`);
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-3srv-'));
  const dirA = path.join(base, 'a');
  const dirB = path.join(base, 'b');
  const dirC = path.join(base, 'c');
  for (const d of [dirA, dirB, dirC]) fs.mkdirSync(d);
  const common = { save: '', 'enable-debug-command': 'yes' };
  let a: RunningServer | null = await startServer({ config: { ...common, dir: dirA, appendonly: 'yes' } });
  let b: RunningServer | null = await startServer({
    config: { ...common, dir: dirB, maxmemory: '1mb', 'maxmemory-policy': 'noeviction', requirepass: 'secret-b' },
  });
  const c = await startServer({ config: { ...common, dir: dirC, replicaof: `127.0.0.1 ${a.port}` } });
  const ra = new Redis(a.port, a.host, { maxRetriesPerRequest: 0 });
  const rb = new Redis(b.port, b.host, { maxRetriesPerRequest: 0, password: 'secret-b' });
  const rc = new Redis(c.port, c.host, { maxRetriesPerRequest: 0 });
  const rbNoAuth = new Redis(b.port, b.host, { maxRetriesPerRequest: 0, lazyConnect: true, enableReadyCheck: false });
  try {
    // ACL: only B wants a password
    await rbNoAuth.connect();
    await assert.rejects(rbNoAuth.get('x'), /^ReplyError: NOAUTH Authentication required\./);
    assert.equal(await ra.ping(), 'PONG');
    assert.equal(await rc.ping(), 'PONG');
    step('acl');

    // command gates: OOM on B only, READONLY on the replica only
    assert.equal(await ra.set('k', 'from-a'), 'OK');
    await assert.rejects(rb.set('k', 'from-b'), /^ReplyError: OOM command not allowed when used memory > 'maxmemory'\./);
    await assert.rejects(rc.set('k', 'from-c'), /^ReplyError: READONLY You can't write against a read only replica\./);
    assert.equal(await rb.get('k'), null);
    step('gates');

    // replication: C follows A, B is a master of nobody
    await waitFor(async () => infoField(await rc.info('replication'), 'master_link_status') === 'up', 'the replica link');
    await waitFor(async () => (await rc.get('k')) === 'from-a', 'the key on the replica');
    const replA = await ra.info('replication');
    assert.equal(infoField(replA, 'role'), 'master');
    assert.equal(infoField(replA, 'connected_slaves'), '1');
    const replB = await rb.info('replication');
    assert.equal(infoField(replB, 'role'), 'master');
    assert.equal(infoField(replB, 'connected_slaves'), '0');
    const replC = await rc.info('replication');
    assert.equal(infoField(replC, 'role'), 'slave');
    assert.equal(infoField(replC, 'master_port'), String(a.port));
    assert.notEqual(infoField(replA, 'master_replid'), infoField(replB, 'master_replid'));
    step('info replication');

    // persistence: the AOF is A's alone
    assert.equal(infoField(await ra.info('persistence'), 'aof_enabled'), '1');
    assert.equal(infoField(await rb.info('persistence'), 'aof_enabled'), '0');
    assert.equal(infoField(await rc.info('persistence'), 'aof_enabled'), '0');
    assert.deepEqual(await ra.config('GET', 'appendonly'), ['appendonly', 'yes']);
    assert.deepEqual(await rb.config('GET', 'appendonly'), ['appendonly', 'no']);
    assert.deepEqual(await rc.config('GET', 'appendonly'), ['appendonly', 'no']);
    assert.deepEqual(await ra.config('GET', 'dir'), ['dir', dirA]);
    assert.deepEqual(await rb.config('GET', 'dir'), ['dir', dirB]);
    assert.ok(fs.existsSync(path.join(dirA, 'appendonlydir')), 'A writes its AOF in its own dir');
    assert.ok(!fs.existsSync(path.join(dirB, 'appendonlydir')) && !fs.existsSync(path.join(dirC, 'appendonlydir')));
    step('info persistence');

    // memory: each its own maxmemory
    assert.equal(infoField(await ra.info('memory'), 'maxmemory'), '0');
    assert.equal(infoField(await rb.info('memory'), 'maxmemory'), '1048576');
    assert.equal(infoField(await rb.info('memory'), 'maxmemory_policy'), 'noeviction');
    assert.deepEqual(await rb.config('GET', 'maxmemory'), ['maxmemory', '1048576']);
    assert.deepEqual(await rc.config('GET', 'maxmemory'), ['maxmemory', '0']);
    step('info memory');

    // stats: commands and connections counted per server
    const before = Number(infoField(await rb.info('stats'), 'total_commands_processed'));
    for (let i = 0; i < 20; i++) await ra.ping();
    const after = Number(infoField(await rb.info('stats'), 'total_commands_processed'));
    assert.equal(after - before, 1, "A's commands are not B's (only B's own INFO counts)");
    assert.equal(infoField(await rb.info('stats'), 'total_connections_received'), '2');
    step('info stats');

    // DEBUG LOADAOF: A reloads its own AOF; B (AOF off) reloads nothing, as Redis does
    assert.equal(await ra.set('k2', 'v2'), 'OK');
    assert.equal(await ra.call('DEBUG', 'LOADAOF'), 'OK');
    assert.equal(await ra.get('k'), 'from-a');
    assert.equal(await ra.get('k2'), 'v2');
    await rb.config('SET', 'maxmemory', '0');
    assert.equal(await rb.set('kb', 'vb'), 'OK');
    assert.equal(await rb.call('DEBUG', 'LOADAOF'), 'OK');
    assert.equal(await rb.dbsize(), 0);
    assert.equal(await ra.dbsize(), 2);
    step('debug loadaof');

    // DEBUG CONFIG-REWRITE-FORCE-ALL answers (no config file: fopen(NULL) fails as in Redis)
    await assert.rejects(ra.call('DEBUG', 'CONFIG-REWRITE-FORCE-ALL'), /^ReplyError: ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address/);
    step('debug config-rewrite-force-all');

    // close A and B: C keeps working, A and B are released
    ra.disconnect();
    rb.disconnect();
    rbNoAuth.disconnect();
    const refs = [new WeakRef(a.server), new WeakRef(b.server)];
    await a.close();
    await b.close();
    a = null;
    b = null;
    await waitFor(async () => infoField(await rc.info('replication'), 'master_link_status') === 'down', 'the replica to see its master gone');
    assert.equal(await rc.get('k'), 'from-a');
    assert.equal(await rc.ping(), 'PONG');
    step('third server still works');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run with --expose-gc');
    await waitFor(async () => {
      gc();
      await new Promise((r) => setImmediate(r));
      return refs.every((r) => r.deref() === undefined);
    }, 'the closed servers to be collected');
    step('closed servers released');
  } finally {
    ra.disconnect();
    rb.disconnect();
    rbNoAuth.disconnect();
    rc.disconnect();
    if (a !== null) await a.close();
    if (b !== null) await b.close();
    await c.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
  process.stdout.write('done\n');
  // nothing else: the process must now exit by itself (no timers, sockets or workers left)
}

// node --test runs every file under test/: only the test's child (which sets this) runs the scenario
if (process.env.NODIS_SERVERS_SCENARIO === '1') {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
