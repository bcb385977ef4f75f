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

test('a blocked command is logged in SLOWLOG when it is served, not when it blocks', async () => {
  const c = await RawConnection.connect(srv.port);
  const b = await RawConnection.connect(srv.port);
  assert.equal(await c.request(resp('CONFIG', 'SET', 'slowlog-log-slower-than', '0')), '+OK\r\n');
  b.write(resp('BLPOP', 'sl-list', '0'));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await c.request(resp('MULTI')), '+OK\r\n');
  assert.equal(await c.request(resp('LPUSH', 'sl-list', 'foo')), '+QUEUED\r\n');
  assert.equal(await c.request(resp('SLOWLOG', 'RESET')), '+QUEUED\r\n');
  await c.request(resp('EXEC'), '*2\r\n:1\r\n+OK\r\n');
  assert.equal(await b.read(27), '*2\r\n$7\r\nsl-list\r\n$3\r\nfoo\r\n');
  const r = await c.request(resp('SLOWLOG', 'GET', '1'), '*1\r\n*6\r\n');
  const all = r + await c.readUntil((d) => d.includes('$1\r\n0\r\n'));
  assert.ok(all.includes('*3\r\n$5\r\nBLPOP\r\n$7\r\nsl-list\r\n$1\r\n0\r\n'), all);
  assert.equal(await c.request(resp('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')), '+OK\r\n');
  b.close();
  c.close();
});
