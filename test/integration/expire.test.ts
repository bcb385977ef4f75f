/*
 * Expiry commands over TCP (exact replies and errors as redis-server
 * 7.0.15 gives them) and the active expiry cycle running from the real
 * cron in an in-process server (keys vanish without being accessed).
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';
import { inProcess } from '../helpers/inprocess';
import { sleep } from './client-resp';

let srv: NodisProcess;
let c: RawConnection;

before(async () => {
  srv = await startNodis();
  c = await RawConnection.connect(srv.port);
});
after(async () => {
  c.close();
  await srv.stop();
});

async function expect(args: string[], expected: string): Promise<void> {
  const got = await c.request(resp(...args), expected);
  assert.equal(got, expected, args.join(' '));
}
async function int(args: string[]): Promise<number> {
  const got = await c.request(resp(...args));
  assert.match(got, /^:-?\d+\r\n$/, args.join(' '));
  return Number(got.slice(1, -2));
}

test('EXPIRE option errors', async () => {
  await expect(['SET', 'k', 'v'], '+OK\r\n');
  await expect(['EXPIRE', 'k', '10', 'NX', 'XX'], '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
  await expect(['EXPIRE', 'k', '10', 'NX', 'GT'], '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
  await expect(['EXPIRE', 'k', '10', 'GT', 'LT'], '-ERR GT and LT options at the same time are not compatible\r\n');
  await expect(['EXPIRE', 'k', '10', 'XX', 'AB'], '-ERR Unsupported option AB\r\n');
  await expect(['EXPIRE', 'k', 'abc', 'ab'], '-ERR Unsupported option ab\r\n');
  await expect(['EXPIRE', 'k', ''], '-ERR value is not an integer or out of range\r\n');
  for (const n of ['9223370399119966', '9223372036854776', '10000000000000000', '18446744073709561', '-9223372036854776', '-9999999999999999']) {
    await expect(['EXPIRE', 'k', n], "-ERR invalid expire time in 'expire' command\r\n");
  }
  await expect(['PEXPIRE', 'k', '9223372036854770000'], "-ERR invalid expire time in 'pexpire' command\r\n");
  await expect(['TTL', 'k'], ':-1\r\n');
  await expect(['EXPIRE', 'k'], "-ERR wrong number of arguments for 'expire' command\r\n");
});

test('EXPIRE NX/XX/GT/LT semantics', async () => {
  await expect(['SET', 'k', 'v', 'EX', '100'], '+OK\r\n');
  await expect(['EXPIRE', 'k', '200', 'NX'], ':0\r\n');
  await expect(['EXPIRE', 'k', '200', 'XX'], ':1\r\n');
  await expect(['EXPIRE', 'k', '100', 'GT'], ':0\r\n');
  await expect(['EXPIRE', 'k', '300', 'GT'], ':1\r\n');
  await expect(['EXPIRE', 'k', '400', 'LT'], ':0\r\n');
  await expect(['EXPIRE', 'k', '50', 'LT', 'XX'], ':1\r\n');
  await expect(['TTL', 'k'], ':50\r\n');
  await expect(['SET', 'k', 'v'], '+OK\r\n');
  await expect(['EXPIRE', 'k', '200', 'XX'], ':0\r\n');
  await expect(['EXPIRE', 'k', '200', 'GT'], ':0\r\n');
  await expect(['EXPIRE', 'k', '100', 'LT'], ':1\r\n');
  await expect(['TTL', 'k'], ':100\r\n');
  await expect(['SET', 'k', 'v'], '+OK\r\n');
  await expect(['EXPIRE', 'k', '200', 'NX'], ':1\r\n');
  for (const o of ['NX', 'XX', 'GT', 'LT']) await expect(['EXPIRE', 'none', '100', o], ':0\r\n');
  await expect(['EXPIRE', 'k', '-10', 'LT'], ':1\r\n');
  await expect(['TTL', 'k'], ':-2\r\n');
});

test('TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST', async () => {
  await expect(['SET', 'x', 'hello'], '+OK\r\n');
  for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) await expect([cmd, 'x'], ':-1\r\n');
  for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) await expect([cmd, 'nokey'], ':-2\r\n');
  await expect(['EXPIREAT', 'x', '4102444800'], ':1\r\n');
  await expect(['EXPIRETIME', 'x'], ':4102444800\r\n');
  await expect(['PEXPIRETIME', 'x'], ':4102444800000\r\n');
  await expect(['PEXPIREAT', 'x', '4102444800123'], ':1\r\n');
  await expect(['EXPIRETIME', 'x'], ':4102444800\r\n');
  await expect(['PEXPIREAT', 'x', '4102444800500'], ':1\r\n');
  await expect(['EXPIRETIME', 'x'], ':4102444801\r\n');
  await expect(['SETEX', 'x', '10', 'v'], '+OK\r\n');
  const pttl = await int(['PTTL', 'x']);
  assert.ok(pttl > 9000 && pttl <= 10000, String(pttl));
  await expect(['PERSIST', 'x'], ':1\r\n');
  await expect(['PERSIST', 'x'], ':0\r\n');
  await expect(['PERSIST', 'nokey'], ':0\r\n');
  await expect(['TTL', 'x'], ':-1\r\n');
  await expect(['PEXPIREAT', 'x', '9223372036854770000'], ':1\r\n');
  await expect(['PEXPIREAT', 'x', '-9223372036854770000'], ':1\r\n');
  await expect(['TTL', 'x'], ':-2\r\n');
  await expect(['SET', 'x', 'v'], '+OK\r\n');
  await expect(['EXPIRE', 'x', '0'], ':1\r\n');
  await expect(['GET', 'x'], '$-1\r\n');
});

test('keys expire lazily on access', async () => {
  await expect(['SET', 'lz', 'v', 'PX', '100'], '+OK\r\n');
  await expect(['GET', 'lz'], '$1\r\nv\r\n');
  await sleep(400);
  await expect(['GET', 'lz'], '$-1\r\n');
  await expect(['TTL', 'lz'], ':-2\r\n');
  // EXPIRE must not resurrect an expired key
  await expect(['SET', 'lz', 'v', 'PX', '50'], '+OK\r\n');
  await sleep(300);
  await expect(['EXPIRE', 'lz', '10'], ':0\r\n');
  await expect(['SETNX', 'lz', 'w'], ':1\r\n');
});

test('active expiry removes untouched keys (real cron, in-process)', async () => {
  const { server, run } = inProcess();
  for (let i = 0; i < 300; i++) run('PSETEX', `short${i}`, '200', 'v');
  for (let i = 0; i < 100; i++) run('SETEX', `long${i}`, '3600', 'v');
  run('SELECT', '3');
  for (let i = 0; i < 50; i++) run('PSETEX', `db3-${i}`, '200', 'v');
  server.startCron();
  try {
    const db0 = server.keyspace.dbs[0];
    const db3 = server.keyspace.dbs[3];
    const deadline = Date.now() + 10000;
    while ((db0.size > 100 || db3.size > 0) && Date.now() < deadline) await sleep(100);
    assert.equal(db0.size, 100);
    assert.equal(db3.size, 0);
    assert.equal(server.keyspace.stats.expiredKeys, 350);
    assert.ok(db0.avgTtl > 0);
  } finally {
    await server.close();
  }
});
