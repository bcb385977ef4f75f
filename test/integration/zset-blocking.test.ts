/*
 * Blocking sorted set pops over TCP: a client blocked in BZPOPMIN/BZMPOP is
 * woken by another client's ZADD and then goes on with its pipelined
 * commands; timeouts reply with a null array; argument errors as Redis.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

test('BZPOPMIN wakes on ZADD and the pipeline continues', async () => {
  const a = await RawConnection.connect(srv.port);
  const b = await RawConnection.connect(srv.port);
  a.write(resp('BZPOPMIN', 'bk1', 'bk2', '0') + resp('PING'));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await b.request(resp('ZADD', 'bk2', '3', 'x', '4', 'y'), ':2\r\n'), ':2\r\n');
  const want = '*3\r\n$3\r\nbk2\r\n$1\r\nx\r\n$1\r\n3\r\n+PONG\r\n';
  assert.equal(await a.readUntil((d) => d.length >= want.length), want);
  await a.read(0);
  a.write(resp('BZMPOP', '0', '1', 'bk2', 'MAX', 'COUNT', '3'));
  const want2 = '*2\r\n$3\r\nbk2\r\n*1\r\n*2\r\n$1\r\ny\r\n$1\r\n4\r\n';
  assert.equal(await a.readUntil((d) => d.length >= want2.length), want2);
  assert.equal(await b.request(resp('EXISTS', 'bk2'), ':0\r\n'), ':0\r\n');
  a.close();
  b.close();
});

test('timeouts and argument errors', async () => {
  const a = await RawConnection.connect(srv.port);
  assert.equal(await a.request(resp('BZPOPMAX', 'none', '0.05'), '*-1\r\n'), '*-1\r\n');
  assert.equal(await a.request(resp('BZMPOP', '0.05', '1', 'none', 'MIN'), '*-1\r\n'), '*-1\r\n');
  assert.equal(await a.request(resp('BZPOPMIN', 'none', '-1')), '-ERR timeout is negative\r\n');
  assert.equal(await a.request(resp('BZPOPMIN', 'none', 'abc')), '-ERR timeout is not a float or out of range\r\n');
  assert.equal(await a.request(resp('BZMPOP', '0', '0', 'none', 'MIN')), '-ERR numkeys should be greater than 0\r\n');
  assert.equal(await a.request(resp('BZMPOP', '0', '1', 'none', 'MIN', 'COUNT', '0')), '-ERR count should be greater than 0\r\n');
  assert.equal(await a.request(resp('BZMPOP', '0', '1', 'none', 'LEFT')), '-ERR syntax error\r\n');
  assert.equal(await a.request(resp('HELLO', '3')).then((s) => s.length > 0), true);
  assert.equal(await a.request(resp('BZPOPMIN', 'none', '0.05'), '_\r\n'), '_\r\n');
  a.close();
});
