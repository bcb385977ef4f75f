/*
 * What stream commands send to replicas, compared with redis-server 7.0.15
 * running the same sequence (its replication stream recorded through
 * SYNC): XADD with the generated ID, approximate trims as "=" with the
 * result, XREADGROUP as XCLAIM ... FORCE JUSTID LASTID, NOACK reads as
 * XGROUP CREATECONSUMER + SETID in MULTI/EXEC, XCLAIM LASTID alone as
 * XGROUP SETID, XAUTOCLAIM of deleted entries as XCLAIM, and nothing for
 * reads that changed nothing. Delivery times vary: they read "TIME t".
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, syncSnapshot, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
before(async () => { srv = await startNodis(); });
after(async () => { await srv.stop(); });

const COMMANDS: string[][] = [["XADD", "s", "5-*", "a", "1"], ["XADD", "s", "MAXLEN", "~", "1", "6-1", "a", "1"], ["XGROUP", "CREATE", "s", "g", "0"], ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"], ["XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "1", "STREAMS", "s", ">"], ["XCLAIM", "s", "g", "carol", "0", "5-0", "JUSTID"], ["XCLAIM", "s", "g", "carol", "0", "9-9", "LASTID", "7-0"], ["XDEL", "s", "5-0"], ["XAUTOCLAIM", "s", "g", "dave", "0", "0"], ["XTRIM", "s", "MINID", "~", "7"], ["XADD", "s2", "MAXLEN", "0", "1-1", "a", "b"], ["XADD", "s3", "1-1", "a", "b"], ["XADD", "s3", "2-1", "a", "b"], ["XTRIM", "s3", "MINID", "~", "2"], ["XTRIM", "s3", "MINID", "2"], ["XGROUP", "CREATE", "s3", "g3", "$"], ["XREADGROUP", "GROUP", "g3", "zed", "NOACK", "STREAMS", "s3", ">"], ["XSETID", "s3", "9-9"], ["XGROUP", "DELCONSUMER", "s3", "g3", "zed"], ["XGROUP", "DESTROY", "s3", "g3"]];

const EXPECTED: string[] = [
  "SELECT 0",
  "XADD s 5-0 a 1",
  "XADD s MAXLEN = 2 6-1 a 1",
  "XGROUP CREATE s g 0",
  "XCLAIM s g alice 0 5-0 TIME t RETRYCOUNT 1 FORCE JUSTID LASTID 5-0",
  "MULTI",
  "XGROUP CREATECONSUMER s g bob",
  "XGROUP SETID s g 6-1 ENTRIESREAD 2",
  "EXEC",
  "XCLAIM s g carol 0 5-0 TIME t RETRYCOUNT 1 FORCE JUSTID LASTID 6-1",
  "XGROUP SETID s g 7-0 ENTRIESREAD 2",
  "XDEL s 5-0",
  "XCLAIM s g carol 0 5-0 TIME t RETRYCOUNT 1 FORCE JUSTID LASTID 7-0",
  "XTRIM s MINID = 18446744073709551615-18446744073709551615",
  "XADD s2 MAXLEN 0 1-1 a b",
  "XADD s3 1-1 a b",
  "XADD s3 2-1 a b",
  "XTRIM s3 MINID 2",
  "XGROUP CREATE s3 g3 $",
  "XSETID s3 9-9",
  "XGROUP DESTROY s3 g3"
];

/** Decode the multibulk commands of a replication stream into space-joined lines. */
function decode(s: string): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < s.length) {
    if (s[p] !== '*') break;
    let nl = s.indexOf('\r\n', p);
    const n = Number(s.slice(p + 1, nl));
    p = nl + 2;
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      nl = s.indexOf('\r\n', p);
      const len = Number(s.slice(p + 1, nl));
      args.push(s.slice(nl + 2, nl + 2 + len));
      p = nl + 2 + len + 2;
    }
    out.push(args.join(' ').replace(/TIME \d+/, 'TIME t'));
  }
  return out;
}

test('stream effects reach replicas as Redis sends them', async () => {
  const c = await RawConnection.connect(srv.port);
  const r = await RawConnection.connect(srv.port);
  await syncSnapshot(r);
  for (const argv of COMMANDS) await c.request(resp(...argv));
  const last = resp('XGROUP', 'DESTROY', 's3', 'g3');
  const stream = await r.readUntil((d) => d.endsWith(last));
  assert.deepEqual(decode(stream.replace(/^(\r\n|\n)+/, '')).filter((l) => l !== 'PING'), EXPECTED);
  c.close();
  r.close();
});
