/*
 * Reads land in one buffer shared by every connection (server/socket-reads.ts).
 * These tests interleave partial requests of several clients so that any
 * reference kept into that buffer after a read would corrupt a request,
 * and check the 'data'-event fallback (NODIS_STREAM_READS=1) too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, waitBlocked, type NodisProcess } from '../helpers/server';

async function interleavedRequests(port: number): Promise<void> {
  const a = await RawConnection.connect(port);
  const b = await RawConnection.connect(port);
  try {
    // A's SET arrives in three reads; B's traffic reuses the buffer in between
    const set = resp('SET', 'split:key', 'hello world, split across reads');
    a.write(set.slice(0, 20));
    await b.request(resp('SET', 'other', 'x'.repeat(3000)), '+OK\r\n');
    a.write(set.slice(20, 40));
    const big = resp('MSET', ...Array.from({ length: 200 }, (_, i) => [`k${i}`, 'y'.repeat(50)]).flat());
    await b.request(big, '+OK\r\n');
    a.write(set.slice(40));
    assert.equal(await a.read(5), '+OK\r\n');
    assert.equal(await a.request(resp('GET', 'split:key')), '$31\r\nhello world, split across reads\r\n');

    // a client blocked mid-pipeline keeps the rest of that read until it is served
    a.write(resp('BLPOP', 'split:list', '0') + resp('SET', 'after', 'blocked') + resp('GET', 'after'));
    // let the server read A's pipeline and block on it before B's traffic reuses the buffer
    await waitBlocked(b);
    for (let i = 0; i < 5; i++) await b.request(big, '+OK\r\n');
    assert.equal(await b.request(resp('LPUSH', 'split:list', 'v')), ':1\r\n');
    const expected = '*2\r\n$10\r\nsplit:list\r\n$1\r\nv\r\n+OK\r\n$7\r\nblocked\r\n';
    assert.equal(await a.read(expected.length), expected);
  } finally {
    a.close();
    b.close();
  }
}

let srv: NodisProcess;
before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

test('requests split across reads survive other clients reusing the read buffer', async () => {
  await interleavedRequests(srv.port);
});

test('the stream-reads fallback (NODIS_STREAM_READS=1) serves the same requests', async () => {
  const prev = process.env.NODIS_STREAM_READS;
  process.env.NODIS_STREAM_READS = '1';
  const fallback = await startNodis();
  if (prev === undefined) delete process.env.NODIS_STREAM_READS;
  else process.env.NODIS_STREAM_READS = prev;
  try {
    await interleavedRequests(fallback.port);
  } finally {
    await fallback.stop();
  }
});
