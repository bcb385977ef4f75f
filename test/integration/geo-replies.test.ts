/*
 * Geo commands over TCP, compared byte for byte with the replies
 * redis-server 7.0.15 gave for the same command sequence (geo-cases.ts):
 * GEOADD options and errors, GEOPOS/GEOHASH/GEODIST formats (coordinates
 * as "human" long doubles, distances with 4 decimals), GEORADIUS*,
 * GEOSEARCH BYRADIUS/BYBOX with WITHDIST/WITHCOORD/WITHHASH, COUNT [ANY],
 * ASC/DESC (including the order among equal distances), STORE/STOREDIST and
 * GEOSEARCHSTORE, in RESP2 and RESP3.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';
import { geoCases } from './geo-cases';

let srv: NodisProcess;
before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

for (const proto of [2, 3]) {
  test(`recorded Redis replies, RESP${proto}`, async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.request(resp('FLUSHALL')), '+OK\r\n');
    if (proto === 3) {
      c.write(resp('HELLO', '3'));
      await c.readUntil((d) => d.includes('modules'));
      await new Promise((r) => setTimeout(r, 50));
      await c.read(0);
    }
    for (const [argv, r2, r3] of geoCases) {
      const want = proto === 2 ? r2 : r3;
      const got = await c.request(resp(...argv), want);
      assert.equal(got, want, `${argv.slice(0, 12).join(' ')}`);
    }
    c.close();
  });
}
