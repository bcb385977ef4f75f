/*
 * SETBIT/GETBIT with exact replies (recorded from redis-server 7.0.15):
 * bit numbering from the most significant bit, growth with zero bytes,
 * integer-encoded values turned raw, errors.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

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

const r = (...argv: string[]) => c.request(resp(...argv));

test('SETBIT sets from the most significant bit and grows the string', async () => {
  assert.equal(await r('SETBIT', 'k', '7', '1'), ':0\r\n');
  assert.equal(await r('GET', 'k'), '$1\r\n\x01\r\n');
  assert.equal(await r('SETBIT', 'k', '100', '1'), ':0\r\n');
  assert.equal(await r('STRLEN', 'k'), ':13\r\n');
  assert.equal(await r('SETBIT', 'k', '100', '0'), ':1\r\n');
  assert.equal(await r('GETBIT', 'k', '7'), ':1\r\n');
  assert.equal(await r('GETBIT', 'k', '100'), ':0\r\n');
  assert.equal(await r('GETBIT', 'k', '100000'), ':0\r\n');
  assert.equal(await r('GETBIT', 'missing', '5'), ':0\r\n');
});

test('SETBIT on an integer-encoded value reads its text and leaves it raw', async () => {
  assert.equal(await r('SET', 'n', '12'), '+OK\r\n');
  assert.equal(await r('GETBIT', 'n', '2'), ':1\r\n');
  assert.equal(await r('SETBIT', 'n', '1', '1'), ':0\r\n');
  assert.equal(await r('OBJECT', 'ENCODING', 'n'), '$3\r\nraw\r\n');
  assert.equal(await r('GET', 'n'), '$2\r\nq2\r\n');
});

test('SETBIT/GETBIT errors', async () => {
  const off = '-ERR bit offset is not an integer or out of range\r\n';
  assert.equal(await r('SETBIT', 'k', '-1', '1'), off);
  assert.equal(await r('SETBIT', 'k', '4294967296', '1'), off);
  assert.equal(await r('GETBIT', 'k', 'x'), off);
  assert.equal(await r('SETBIT', 'k', '0', '2'), '-ERR bit is not an integer or out of range\r\n');
  assert.equal(await r('RPUSH', 'l', 'a'), ':1\r\n');
  assert.equal(await r('SETBIT', 'l', '0', '1'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
});
