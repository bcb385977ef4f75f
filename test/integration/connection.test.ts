import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

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

test('PING and ECHO through ioredis', async () => {
  assert.equal(await redis.ping(), 'PONG');
  assert.equal(await redis.ping('hi'), 'hi');
  assert.equal(await redis.echo('a\x00b'), 'a\x00b');
});

test('unknown command error previews its arguments', async () => {
  const c = await RawConnection.connect(srv.port);
  assert.equal(await c.request(resp('FOO', 'bar', 'baz')),
    "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n");
  assert.equal(await c.request(resp('GET')), "-ERR wrong number of arguments for 'get' command\r\n");
  c.close();
});

test('HELLO 3 switches to RESP3 and replies with a map', async () => {
  const c = await RawConnection.connect(srv.port);
  const r = await c.request(resp('HELLO', '3'), '%7\r\n');
  const all = await c.readUntil((d) => d.includes('modules'));
  assert.ok((r + all).startsWith('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n'));
  assert.equal(await c.request(resp('HELLO', '4')), '-NOPROTO unsupported protocol version\r\n');
  c.close();
});

test('SELECT range and QUIT closes the connection', async () => {
  const c = await RawConnection.connect(srv.port);
  assert.equal(await c.request(resp('SELECT', '16')), '-ERR DB index is out of range\r\n');
  assert.equal(await c.request(resp('SELECT', 'x')), '-ERR value is not an integer or out of range\r\n');
  assert.equal(await c.request(resp('QUIT')), '+OK\r\n');
  assert.equal(await c.waitClosed(), true);
});
