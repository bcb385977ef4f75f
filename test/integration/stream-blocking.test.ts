/*
 * Blocking stream reads over TCP: XREAD BLOCK / XREADGROUP BLOCK woken by
 * another client's XADD (then the pipeline goes on), the 7.0 rules when
 * the key or group goes away while an XREADGROUP waits (-UNBLOCKED,
 * -NOGROUP), XREAD ignoring deletions and type changes, timeouts, and
 * BLOCK inside MULTI replying at once. Each test waits until the server
 * reports the client as blocked before acting, so no timing margin is
 * involved.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, receives, waitBlocked, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

test('XREAD BLOCK $ is woken by XADD and the pipeline continues', async () => {
  const a = await RawConnection.connect(srv.port);
  const b = await RawConnection.connect(srv.port);
  await b.request(resp('DEL', 's1'));
  await b.request(resp('XADD', 's1', '1-1', 'old', 'x'));
  a.write(resp('XREAD', 'BLOCK', '0', 'STREAMS', 's1', '$') + resp('PING'));
  await waitBlocked(b, 1);
  assert.equal(await b.request(resp('XADD', 's1', '2-1', 'f', 'v')), '$3\r\n2-1\r\n');
  await receives(a, '*1\r\n*2\r\n$2\r\ns1\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n+PONG\r\n');
  a.close();
  b.close();
});

test('XREAD keeps waiting through DEL and a type change, then serves the new stream', async () => {
  const a = await RawConnection.connect(srv.port);
  const b = await RawConnection.connect(srv.port);
  await b.request(resp('DEL', 's2'));
  await b.request(resp('XADD', 's2', '5-0', 'f', 'v'));
  a.write(resp('XREAD', 'BLOCK', '0', 'STREAMS', 's2', '$'));
  await waitBlocked(b, 1);
  await b.request(resp('SET', 's2', 'str'));
  await b.request(resp('DEL', 's2'));
  await waitBlocked(b, 1);
  await b.request(resp('XADD', 's2', '6-0', 'g', 'w'));
  await receives(a, '*1\r\n*2\r\n$2\r\ns2\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\ng\r\n$1\r\nw\r\n');
  a.close();
  b.close();
});

test('XREADGROUP BLOCK > is served by XADD and records the entry as pending', async () => {
  const a = await RawConnection.connect(srv.port);
  const b = await RawConnection.connect(srv.port);
  await b.request(resp('DEL', 's3'));
  await b.request(resp('XGROUP', 'CREATE', 's3', 'g', '$', 'MKSTREAM'));
  a.write(resp('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's3', '>'));
  await waitBlocked(b, 1);
  await b.request(resp('XADD', 's3', '7-0', 'f', 'v'));
  await receives(a, '*1\r\n*2\r\n$2\r\ns3\r\n*1\r\n*2\r\n$3\r\n7-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
  assert.equal(
    await b.request(resp('XPENDING', 's3', 'g'), '*4\r\n:1\r\n$3\r\n7-0\r\n$3\r\n7-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n'),
    '*4\r\n:1\r\n$3\r\n7-0\r\n$3\r\n7-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n',
  );
  a.close();
  b.close();
});

test('XREADGROUP fails with -UNBLOCKED when the key is deleted, -NOGROUP when the group is destroyed', async () => {
  const a = await RawConnection.connect(srv.port);
  const b = await RawConnection.connect(srv.port);
  await b.request(resp('DEL', 's4'));
  await b.request(resp('XGROUP', 'CREATE', 's4', 'g', '$', 'MKSTREAM'));
  a.write(resp('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's4', '>'));
  await waitBlocked(b, 1);
  await b.request(resp('DEL', 's4'));
  await receives(a, '-UNBLOCKED the stream key no longer exists\r\n');
  await b.request(resp('XGROUP', 'CREATE', 's4', 'g', '$', 'MKSTREAM'));
  a.write(resp('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's4', '>'));
  await waitBlocked(b, 1);
  assert.equal(await b.request(resp('XGROUP', 'DESTROY', 's4', 'g')), ':1\r\n');
  await receives(a, '-NOGROUP the consumer group this client was blocked on no longer exists\r\n');
  a.close();
  b.close();
});

test('timeouts reply with a null array; BLOCK inside MULTI does not block', async () => {
  const a = await RawConnection.connect(srv.port);
  assert.equal(await a.request(resp('XREAD', 'BLOCK', '30', 'STREAMS', 'none', '$'), '*-1\r\n'), '*-1\r\n');
  await a.request(resp('MULTI'));
  await a.request(resp('XREAD', 'BLOCK', '0', 'STREAMS', 'none', '$'));
  assert.equal(await a.request(resp('EXEC'), '*1\r\n*-1\r\n'), '*1\r\n*-1\r\n');
  assert.equal(await a.request(resp('XREAD', 'BLOCK', 'x', 'STREAMS', 'none', '$')), '-ERR timeout is not an integer or out of range\r\n');
  assert.equal(await a.request(resp('XREAD', 'BLOCK', '-1', 'STREAMS', 'none', '$')), '-ERR timeout is negative\r\n');
  a.close();
});
