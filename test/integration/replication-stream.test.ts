/*
 * Primary side of replication: SYNC answers with an RDB snapshot (valid
 * header and CRC-64) and then streams every change as Redis does: SELECT
 * when the database changes, relative expiries as absolute PXAT, a
 * transaction wrapped in MULTI/EXEC, reads not propagated, expired keys
 * deleted by lookups propagated as DEL.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, syncSnapshot, type NodisProcess } from '../helpers/server';
import { crc64LE } from '../../src/persistence/crc64';

let srv: NodisProcess;
before(async () => { srv = await startNodis(); });
after(async () => { await srv.stop(); });

function command(...argv: string[]): string {
  return resp(...argv);
}

test('SYNC: snapshot then the stream of effects', async () => {
  const c = await RawConnection.connect(srv.port);
  assert.equal(await c.request(resp('SET', 'before', 'x')), '+OK\r\n');
  const r = await RawConnection.connect(srv.port);
  const rdb = await syncSnapshot(r);
  assert.equal(rdb.subarray(0, 9).toString('latin1'), 'REDIS0010');
  assert.ok(crc64LE(rdb.subarray(0, rdb.length - 8)).equals(rdb.subarray(rdb.length - 8)), 'CRC-64 matches');
  assert.ok(rdb.includes(Buffer.from('before')), 'the snapshot holds the existing key');

  await c.request(resp('SELECT', '2'));
  await c.request(resp('SET', 'k', 'v', 'EX', '100'));
  await c.request(resp('GET', 'k'));
  await c.request(resp('MULTI'));
  await c.request(resp('INCR', 'n'));
  await c.request(resp('RPUSH', 'l', 'a'));
  await c.request(resp('EXEC'), '*2\r\n:1\r\n:1\r\n');
  await c.request(resp('SET', 'gone', 'v', 'PX', '1'));
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(await c.request(resp('GET', 'gone')), '$-1\r\n');

  const stream = await r.readUntil((d) => d.includes('$4\r\ngone\r\n') && d.endsWith('$3\r\nDEL\r\n$4\r\ngone\r\n'));
  const pxat = /PXAT\r\n\$13\r\n(\d{13})\r\n/.exec(stream);
  assert.ok(pxat !== null, 'EX is sent as an absolute PXAT');
  assert.ok(stream.startsWith(
    command('SELECT', '2') +
    command('SET', 'k', 'v', 'PXAT', (pxat as RegExpExecArray)[1]) +
    command('MULTI') + command('INCR', 'n') + command('RPUSH', 'l', 'a') + command('EXEC')), stream);
  assert.ok(!stream.includes('GET'), 'reads are not propagated');
  assert.ok(stream.endsWith(command('DEL', 'gone')));
  const info = await c.request(resp('INFO', 'replication'));
  assert.match(info, /connected_slaves:1\r\n/);
  c.close();
  r.close();
});
