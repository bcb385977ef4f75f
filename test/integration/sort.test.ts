/*
 * SORT and SORT_RO over TCP with the types that exist on every build
 * (missing keys, strings): option parsing and its errors, WRONGTYPE, STORE
 * of an empty result (deletes the destination, touches WATCH), key
 * extraction. Sorting of lists, sets and sorted sets is covered in-process
 * by sort-adapters.test.ts; replies checked against redis-server 7.0.15.
 */
import { test, before, after } from 'node:test';
import { startNodis, RawConnection, resp, expectReplies, type NodisProcess } from '../helpers/server';

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

const expect = (cmds: string[][], expected: string) => expectReplies(c, cmds, expected);

const SYNTAX = '-ERR syntax error\r\n';
const NOTINT = '-ERR value is not an integer or out of range\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

test('SORT of a missing key is an empty list, whatever the options', async () => {
  await expect([['FLUSHALL']], '+OK\r\n');
  await expect([['SORT', 'nokey']], '*0\r\n');
  await expect([['SORT', 'nokey', 'LIMIT', '0', '10', 'DESC', 'ALPHA']], '*0\r\n');
  await expect([['SORT', 'nokey', 'BY', 'w_*', 'GET', '#', 'GET', 'x_*->f']], '*0\r\n');
  await expect([['SORT_RO', 'nokey', 'BY', 'nosort']], '*0\r\n');
  await expect([['SORT', 'nokey', 'LIMIT', '99999999999999999999', '1']], NOTINT);
  await expect([['SORT', 'nokey', 'LIMIT', '9223372036854775807', '-9223372036854775808']], '*0\r\n');
});

test('SORT option errors come before the key lookup', async () => {
  await expect([['SET', 'str', 'v']], '+OK\r\n');
  await expect([['SORT', 'str']], WRONGTYPE);
  await expect([['SORT', 'str', 'BY', 'w_*', 'GET', '#']], WRONGTYPE);
  await expect([['SORT', 'str', 'LIMIT', 'x', '1']], NOTINT);
  await expect([['SORT', 'str', 'LIMIT', '1', 'x']], NOTINT);
  await expect([['SORT', 'str', 'LIMIT', '1']], SYNTAX);
  await expect([['SORT', 'str', 'FOO']], SYNTAX);
  await expect([['SORT', 'str', 'GET']], SYNTAX);
  await expect([['SORT', 'str', 'BY']], SYNTAX);
  await expect([['SORT', 'str', 'STORE']], SYNTAX);
  await expect([['SORT_RO', 'str', 'STORE', 'dst']], SYNTAX);
  await expect([['SORT_RO', 'nokey', 'STORE', 'dst']], SYNTAX);
  await expect([['SORT', 'str', 'STORE', 'dst']], WRONGTYPE);
  await expect([['SORT']], "-ERR wrong number of arguments for 'sort' command\r\n");
  await expect([['SORT_RO']], "-ERR wrong number of arguments for 'sort_ro' command\r\n");
});

test('SORT ... STORE of an empty result stores nothing and deletes the destination', async () => {
  await expect([['FLUSHALL']], '+OK\r\n');
  await expect([['SORT', 'nokey', 'STORE', 'dst']], ':0\r\n');
  await expect([['EXISTS', 'dst']], ':0\r\n');
  await expect([['SET', 'dst', 'x'], ['SORT', 'nokey', 'BY', 'nosort', 'GET', '#', 'STORE', 'dst'], ['EXISTS', 'dst']],
    '+OK\r\n:0\r\n:0\r\n');
  // the deletion touches a WATCHed destination
  await expect([['SET', 'foo', 'bar'], ['WATCH', 'foo'], ['SORT', 'emptylist', 'STORE', 'foo'], ['MULTI'], ['PING'], ['EXEC']],
    '+OK\r\n+OK\r\n:0\r\n+OK\r\n+QUEUED\r\n*-1\r\n');
});

test('SORT inside MULTI, and in RESP3', async () => {
  await expect([['MULTI'], ['SORT', 'nokey'], ['SORT', 'nokey', 'STORE', 'd'], ['EXEC']],
    '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n*0\r\n:0\r\n');
  await c.request(resp('HELLO', '3'));
  await expect([['SORT', 'nokey']], '*0\r\n');
  await c.request(resp('HELLO', '2'));
});

test('COMMAND GETKEYS for SORT and SORT_RO', async () => {
  await expect([['COMMAND', 'GETKEYS', 'sort', 'abc', 'store', 'def']], '*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n');
  await expect([['COMMAND', 'GETKEYS', 'sort_ro', 'abc']], '*1\r\n$3\r\nabc\r\n');
  await expect([['COMMAND', 'GETKEYS', 'sort', 'abc', 'store', 'invalid', 'store', 'stillbad', 'store', 'def']],
    '*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n');
});
