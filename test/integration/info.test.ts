/*
 * INFO: sections, field names and order as Redis 7.0.15
 * (shared/fixtures/redis-7.0.15/info-fields.json), section selection
 * rules, the formats of the statistics lines, RESP3 verbatim reply.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, SHARED, type NodisProcess } from '../helpers/server';

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

function sections(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) {
      cur = [];
      m.set(line.slice(2), cur);
    } else if (line !== '' && cur !== null) {
      cur.push(line);
    }
  }
  return m;
}

test('INFO everything has every section and field of Redis 7.0.15, in order', async () => {
  const fx = JSON.parse(fs.readFileSync(path.join(SHARED, 'fixtures', 'redis-7.0.15', 'info-fields.json'), 'utf8')) as { sections: Record<string, string[]> };
  const text = (await redis.info('everything')) as string;
  const got = sections(text);
  assert.deepEqual([...got.keys()], Object.keys(fx.sections));
  const dynamic = new Set(['Commandstats', 'Errorstats', 'Latencystats', 'Keyspace', 'Modules']);
  for (const [name, fields] of Object.entries(fx.sections)) {
    if (dynamic.has(name)) continue;
    const names = (got.get(name) ?? []).map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(names, fields, `section ${name}`);
  }
  for (const lines of got.values()) for (const l of lines) assert.match(l, /^[a-z0-9_|.-]+:/i);
});

test('INFO section selection: default, all, everything, several names, unknown names, any case', async () => {
  const def = sections((await redis.info()) as string);
  assert.deepEqual([...def.keys()], ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace']);
  const all = sections((await redis.call('info', 'all')) as string);
  assert.ok(all.has('Commandstats') && all.has('Latencystats'));
  const two = sections((await redis.call('info', 'cpu', 'sentinel', 'CommandSTATS')) as string);
  assert.deepEqual([...two.keys()], ['CPU', 'Commandstats']);
  assert.equal(await redis.call('info', 'sentinel'), '');
  const cpuAll = (await redis.call('info', 'cpu', 'all')) as string;
  assert.equal(cpuAll.split('used_cpu_user_children').length, 2, 'no section twice');
  assert.deepEqual([...sections((await redis.call('info', 'cpu', 'default')) as string).keys()], [...def.keys()]);
  const text = (await redis.call('info', 'server', 'clients')) as string;
  assert.ok(text.startsWith('# Server\r\nredis_version:7.0.15\r\n'));
  assert.ok(text.includes('\r\n\r\n# Clients\r\nconnected_clients:'));
  assert.ok(text.endsWith('\r\n'));
});

test('INFO values: server, clients, replication, cluster, keyspace', async () => {
  const info = (await redis.info('everything')) as string;
  const field = (k: string) => new RegExp(`^${k}:(.*)$`, 'm').exec(info)?.[1];
  assert.equal(field('tcp_port'), String(srv.port));
  assert.equal(field('process_id'), String(srv.proc.pid));
  assert.match(field('run_id') ?? '', /^[0-9a-f]{40}$/);
  assert.match(field('master_replid') ?? '', /^[0-9a-f]{40}$/);
  assert.equal(field('role'), 'master');
  assert.equal(field('connected_slaves'), '0');
  assert.equal(field('cluster_enabled'), '0');
  assert.equal(field('maxmemory_policy'), 'noeviction');
  assert.equal(field('maxmemory_human'), '0B');
  assert.match(field('used_memory_human') ?? '', /^\d+\.\d\d[KMG]$/);
  assert.match(field('used_memory_peak_perc') ?? '', /^\d+\.\d\d%$/);
  assert.match(field('used_cpu_user') ?? '', /^\d+\.\d{6}$/);
  assert.equal(field('loading'), '0');
  assert.equal(field('mem_allocator'), 'libc');
  assert.ok(Number(field('connected_clients')) >= 1);
  await redis.flushall();
  await redis.set('k1', 'v');
  await redis.set('k2', 'v');
  const ks = (await redis.info('keyspace')) as string;
  assert.match(ks, /^# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\n$/);
  const persistence = (await redis.info('persistence')) as string;
  assert.match(persistence, /rdb_changes_since_last_save:\d+\r\n/);
});

test('INFO keyspace counts keys with a TTL', async (t) => {
  if (await supportsTtl(t)) return;
  await redis.flushall();
  await redis.set('k1', 'v');
  await redis.set('k2', 'v', 'EX', 100);
  const ks = (await redis.info('keyspace')) as string;
  assert.match(ks, /^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n$/);
});

/** True (and the test skipped) when the server has no TTLs yet (another family's commands). */
async function supportsTtl(t: { skip(msg: string): void }): Promise<boolean> {
  try {
    await redis.call('pttl', 'x');
    return false;
  } catch {
    t.skip('PTTL/SET EX not available in this build');
    return true;
  }
}

test('commandstats, errorstats and latencystats lines', async () => {
  const c = await RawConnection.connect(srv.port);
  await c.request(resp('SET', 'a', 'b'));
  await c.request(resp('GET', 'a'), '$1\r\nb\r\n');
  await c.request(resp('NOSUCHCOMMAND'));
  await c.request(resp('GET'));
  c.close();
  const cs = (await redis.info('commandstats')) as string;
  assert.match(cs, /^cmdstat_get:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r$/m);
  const es = (await redis.info('errorstats')) as string;
  assert.match(es, /^errorstat_ERR:count=\d+\r$/m);
  const ls = (await redis.info('latencystats')) as string;
  assert.match(ls, /^latency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r$/m);
  await redis.call('config', 'resetstat').catch(() => undefined);
});

test('INFO in RESP3 is a verbatim string', async () => {
  const c = await RawConnection.connect(srv.port);
  await c.request(resp('HELLO', '3'), '%7');
  await c.readUntil((d) => d.includes('modules'));
  await c.read(0);
  c.write(resp('INFO', 'cluster'));
  const r = await c.readUntil((d) => d.endsWith('cluster_enabled:0\r\n\r\n'));
  assert.equal(r, '=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
  c.close();
});
