/*
 * SETBIT/GETBIT with exact replies (recorded from redis-server 7.0.15):
 * bit numbering from the most significant bit, growth with zero bytes,
 * integer-encoded values turned raw, errors.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, syncSnapshot, type NodisProcess } from '../helpers/server';

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

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const arr = (...items: string[]) => `*${items.length}\r\n${items.join('')}`;
const int = (n: number | bigint) => `:${n}\r\n`;

async function makeList(): Promise<void> {
  await r('DEL', 'blist');
  await r('RPUSH', 'blist', 'a');
}

async function dirty(): Promise<number> {
  const info = await r('INFO', 'persistence');
  return Number((/rdb_changes_since_last_save:(\d+)/.exec(info) as RegExpExecArray)[1]);
}

test('SETBIT counts a change only when a bit changes or the string is created or grown', async () => {
  await r('DEL', 'd1');
  const d0 = await dirty();
  assert.equal(await r('SETBIT', 'd1', '0', '0'), ':0\r\n'); // created
  assert.equal(await r('SETBIT', 'd1', '0', '0'), ':0\r\n'); // no change
  assert.equal(await dirty(), d0 + 1);
  assert.equal(await r('SETBIT', 'd1', '0', '1'), ':0\r\n');
  assert.equal(await r('SETBIT', 'd1', '0', '1'), ':1\r\n');
  assert.equal(await r('SETBIT', 'd1', '90', '0'), ':0\r\n'); // grown only
  assert.equal(await dirty(), d0 + 3);
  assert.equal(await r('STRLEN', 'd1'), ':12\r\n');
});

test('BITCOUNT: whole string, byte and bit ranges, negative indexes', async () => {
  assert.equal(await r('SET', 's', 'foobar'), '+OK\r\n');
  assert.equal(await r('BITCOUNT', 's'), int(26));
  assert.equal(await r('BITCOUNT', 's', '0', '-1'), int(26));
  assert.equal(await r('BITCOUNT', 's', '1', '-2'), int(18)); // "ooba"
  assert.equal(await r('BITCOUNT', 's', '-2', '1'), int(0)); // start > end after conversion
  assert.equal(await r('BITCOUNT', 's', '-6', '-7'), int(0));
  assert.equal(await r('BITCOUNT', 's', '0', '1000'), int(26));
  assert.equal(await r('BITCOUNT', 's', '-100', '-1'), int(26));
  assert.equal(await r('BITCOUNT', 's', '5', '30', 'BIT'), int(17));
  assert.equal(await r('BITCOUNT', 's', '3', '29', 'bit'), int(16));
  assert.equal(await r('BITCOUNT', 's', '3', '-19', 'bit'), int(16));
  assert.equal(await r('BITCOUNT', 's', '10', '14', 'bit'), int(4));
  assert.equal(await r('BITCOUNT', 's', '1', '1', 'bit'), int(1));
  assert.equal(await r('BITCOUNT', 's', '0', '1', 'byte'), int(10));
  assert.equal(await r('BITCOUNT', 's', '-6', '-15', 'bit'), int(0));
  assert.equal(await r('BITCOUNT', 's', '48', '87', 'bit'), int(0));
  assert.equal(await r('BITCOUNT', 's', '0', '4294967296'), int(26));
  assert.equal(await r('BITCOUNT', 's', '0'), SYNTAX);
  assert.equal(await r('BITCOUNT', 's', '0', '1', 'hello'), SYNTAX);
  assert.equal(await r('BITCOUNT', 's', 'x', '1'), NOT_INT);
  // a missing key answers 0 before the arguments are looked at
  assert.equal(await r('BITCOUNT', 'nokey', '0'), int(0));
  assert.equal(await r('BITCOUNT', 'nokey', 'x', 'y', 'z', 'w'), int(0));
  assert.equal(await r('SET', 'empty', ''), '+OK\r\n');
  assert.equal(await r('BITCOUNT', 'empty'), int(0));
  assert.equal(await r('BITCOUNT', 'empty', '0', '-1', 'bit'), int(0));
  assert.equal(await r('SET', 'num', '123'), '+OK\r\n');
  assert.equal(await r('BITCOUNT', 'num'), int(10));
  await makeList();
  assert.equal(await r('BITCOUNT', 'blist'), WRONGTYPE);
  assert.equal(await r('BITCOUNT', 'blist', '0'), WRONGTYPE);
});

test('BITCOUNT on a 1 MB value, as a plain string and as a raw (modified) string', async () => {
  const big = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 13;
  let expected = 0;
  for (const x of big) for (let k = 0; k < 8; k++) expected += (x >> k) & 1;
  const s = big.toString('latin1');
  assert.equal(await r('SET', 'big', s), '+OK\r\n');
  assert.equal(await r('BITCOUNT', 'big'), int(expected));
  assert.equal(await r('SETBIT', 'big', '7', String(big[0] & 1)), int(big[0] & 1)); // now a raw string, unchanged
  assert.equal(await r('BITCOUNT', 'big'), int(expected));
  assert.equal(await r('BITCOUNT', 'big', '1', '-2'), int(expected - countByte(big[0]) - countByte(big[big.length - 1])));
  assert.equal(await r('DEL', 'big'), ':1\r\n');
});

function countByte(x: number): number {
  let n = 0;
  for (let k = 0; k < 8; k++) n += (x >> k) & 1;
  return n;
}

test('BITPOS: bit 0/1, intervals, BIT mode, missing and empty keys', async () => {
  assert.equal(await r('BITPOS', 'nokey', '0'), int(0));
  assert.equal(await r('BITPOS', 'nokey', '1'), int(-1));
  assert.equal(await r('BITPOS', 'nokey', '0', 'x'), int(0)); // missing key answers first
  assert.equal(await r('SET', 'empty', ''), '+OK\r\n');
  assert.equal(await r('BITPOS', 'empty', '0'), int(-1));
  assert.equal(await r('BITPOS', 'empty', '1'), int(-1));
  assert.equal(await r('SET', 'p', '\xff\xf0\x00'), '+OK\r\n');
  assert.equal(await r('BITPOS', 'p', '0'), int(12));
  assert.equal(await r('BITPOS', 'p', '0', '0', '-1', 'bit'), int(12));
  assert.equal(await r('BITPOS', 'p', '1', '2'), int(-1));
  assert.equal(await r('BITPOS', 'p', '1', '-3'), int(0));
  assert.equal(await r('BITPOS', 'p', '0', '3', '11', 'bit'), int(-1));
  assert.equal(await r('BITPOS', 'p', '1', '5', '11', 'BIT'), int(5));
  assert.equal(await r('BITPOS', 'p', '0', '5', '12', 'bit'), int(12));
  assert.equal(await r('BITPOS', 'p', '0', '2', '1'), int(-1)); // start > end
  // bit 0 past the end: the string counts as zero padded only without an explicit end
  assert.equal(await r('SET', 'ones', '\xff\xff\xff'), '+OK\r\n');
  assert.equal(await r('BITPOS', 'ones', '0'), int(24));
  assert.equal(await r('BITPOS', 'ones', '0', '1'), int(24));
  assert.equal(await r('BITPOS', 'ones', '0', '0', '-1'), int(-1));
  assert.equal(await r('BITPOS', 'ones', '0', '0', '100'), int(-1));
  assert.equal(await r('BITPOS', 'ones', '0', '0', '-1', 'bit'), int(-1));
  assert.equal(await r('BITPOS', 'ones', '0', '10'), int(-1)); // start beyond the end
  assert.equal(await r('BITPOS', 'ones', '2'), '-ERR The bit argument must be 1 or 0.\r\n');
  assert.equal(await r('BITPOS', 'ones', 'x'), NOT_INT);
  assert.equal(await r('BITPOS', 'ones', '0', 'x'), NOT_INT);
  assert.equal(await r('BITPOS', 'ones', '0', '0', 'x', 'foo'), SYNTAX); // the unit is checked before end
  assert.equal(await r('BITPOS', 'ones', '0', '0', '1', 'bit', 'x'), SYNTAX);
  await makeList();
  assert.equal(await r('BITPOS', 'blist', '1'), WRONGTYPE);
  // a set bit far into a long run of zero words
  const z = '\x00'.repeat(1000) + '\x08' + '\x00'.repeat(10);
  assert.equal(await r('SET', 'zeros', z), '+OK\r\n');
  assert.equal(await r('BITPOS', 'zeros', '1'), int(8004));
  assert.equal(await r('BITPOS', 'zeros', '1', '3', '-1'), int(8004));
  assert.equal(await r('BITPOS', 'zeros', '1', '8005', '-1', 'bit'), int(-1));
  assert.equal(await r('BITPOS', 'zeros', '0', '8004', '8004', 'bit'), int(-1));
});

test('BITOP: AND/OR/XOR/NOT, zero padding, missing keys, raw result, deletion', async () => {
  assert.equal(await r('SET', 'a', '\x01\x02\xff\xff'), '+OK\r\n');
  assert.equal(await r('SET', 'b', '\x01\x02\xff'), '+OK\r\n');
  assert.equal(await r('BITOP', 'AND', 'd', 'a', 'b'), int(4));
  assert.equal(await r('GET', 'd'), '$4\r\n\x01\x02\xff\x00\r\n');
  assert.equal(await r('BITOP', 'or', 'd', 'a', 'b'), int(4));
  assert.equal(await r('GET', 'd'), '$4\r\n\x01\x02\xff\xff\r\n');
  assert.equal(await r('BITOP', 'Xor', 'd', 'a', 'b'), int(4));
  assert.equal(await r('GET', 'd'), '$4\r\n\x00\x00\x00\xff\r\n');
  assert.equal(await r('BITOP', 'NOT', 'd', 'b'), int(3));
  assert.equal(await r('GET', 'd'), '$3\r\n\xfe\xfd\x00\r\n');
  assert.equal(await r('BITOP', 'AND', 'd', 'nokey', 'a'), int(4));
  assert.equal(await r('GET', 'd'), '$4\r\n\x00\x00\x00\x00\r\n');
  assert.equal(await r('BITOP', 'NOT', 'a', 'a'), int(4)); // destination is the source
  assert.equal(await r('GET', 'a'), '$4\r\n\xfe\xfd\x00\x00\r\n');
  // integer-encoded sources read as text; the result is always raw
  assert.equal(await r('SET', 'i1', '1'), '+OK\r\n');
  assert.equal(await r('SET', 'i2', '2'), '+OK\r\n');
  assert.equal(await r('BITOP', 'XOR', 'd', 'i1', 'i2', 'i1'), int(1));
  assert.equal(await r('GET', 'd'), '$1\r\n2\r\n');
  assert.equal(await r('OBJECT', 'ENCODING', 'd'), '$3\r\nraw\r\n');
  // long inputs go through the word loop: compare with a byte-by-byte computation
  const x = Buffer.alloc(1003);
  const y = Buffer.alloc(777);
  for (let i = 0; i < x.length; i++) x[i] = (i * 37) & 0xff;
  for (let i = 0; i < y.length; i++) y[i] = (i * 91 + 5) & 0xff;
  assert.equal(await r('SET', 'x', x.toString('latin1')), '+OK\r\n');
  assert.equal(await r('SET', 'y', y.toString('latin1')), '+OK\r\n');
  for (const [op, f] of [['AND', (p: number, q: number) => p & q], ['OR', (p: number, q: number) => p | q], ['XOR', (p: number, q: number) => p ^ q]] as const) {
    const want = Buffer.alloc(1003);
    for (let i = 0; i < want.length; i++) want[i] = f(x[i], i < y.length ? y[i] : 0);
    assert.equal(await r('BITOP', op, 'xy', 'x', 'y'), int(1003));
    assert.equal(await r('GET', 'xy'), `$1003\r\n${want.toString('latin1')}\r\n`, op);
  }
  // the result replaces the destination and drops its TTL
  assert.equal(await r('SET', 'd', 'v', 'EX', '100'), '+OK\r\n');
  assert.equal(await r('BITOP', 'OR', 'd', 'b'), int(3));
  assert.equal(await r('TTL', 'd'), int(-1));
  // every input empty or missing: the destination is deleted
  assert.equal(await r('SET', 'empty', ''), '+OK\r\n');
  assert.equal(await r('BITOP', 'OR', 'd', 'empty', 'nokey'), int(0));
  assert.equal(await r('EXISTS', 'd'), int(0));
  assert.equal(await r('BITOP', 'NOT', 'd', 'nokey'), int(0));
  // errors
  assert.equal(await r('BITOP', 'NAND', 'd', 'a'), SYNTAX);
  assert.equal(await r('BITOP', 'NOT', 'd', 'a', 'b'), '-ERR BITOP NOT must be called with a single source key.\r\n');
  await makeList();
  assert.equal(await r('BITOP', 'AND', 'd', 'a', 'blist'), WRONGTYPE);
  assert.equal(await r('BITOP', 'AND', 'd'), "-ERR wrong number of arguments for 'bitop' command\r\n");
});

test('BITFIELD: SET/GET/INCRBY, #N offsets, signed and unsigned extremes', async () => {
  await r('DEL', 'bf');
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'i8', '0', '-100', 'SET', 'i8', '0', '101', 'GET', 'i8', '0'), arr(int(0), int(-100), int(101)));
  assert.equal(await r('BITFIELD', 'bf', 'set', 'u8', '#1', '66', 'set', 'u8', '#2', '67', 'get', 'u16', '#1', 'get', 'u16', '8'), arr(int(0), int(0), int(0x4300), int(0x4243)));
  assert.equal(await r('GET', 'bf'), '$3\r\neBC\r\n');
  assert.equal(await r('BITFIELD', 'bf', 'INCRBY', 'u8', '#0', '100', 'INCRBY', 'u8', '#0', '100'), arr(int(201), int(45)));
  assert.equal(await r('BITFIELD', 'bf', 'GET', 'u4', '0', 'GET', 'i4', '4', 'GET', 'u5', '7', 'GET', 'i1', '2'), arr(int(2), int(-3), int(20), int(-1)));
  await r('DEL', 'bf');
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'i64', '3', '-9223372036854775808', 'GET', 'i64', '3', 'GET', 'u63', '3'),
    arr(int(0), int(-9223372036854775808n), int(4611686018427387904n)));
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'u63', '0', '9223372036854775807', 'GET', 'u63', '0', 'GET', 'i64', '0'),
    arr(int(576460752303423488n), int(9223372036854775807n), int(-2)));
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'i33', '5', '-4294967296', 'GET', 'i33', '5', 'GET', 'u33', '5'),
    arr(int(-1), int(-4294967296), int(4294967296)));
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'u32', '9', '4294967295', 'INCRBY', 'u32', '9', '1', 'GET', 'i32', '9'),
    arr(int(7), int(0), int(0)));
  // GET past the end reads zeros; a regression Redis keeps: u1 at 0 of "1" (0x31) is 0
  assert.equal(await r('SET', 'one', '1'), '+OK\r\n');
  assert.equal(await r('BITFIELD', 'one', 'GET', 'u1', '0', 'GET', 'u8', '1000', 'GET', 'i64', '4'), arr(int(0), int(0), int(1152921504606846976n)));
  assert.equal(await r('BITFIELD', 'bf'), '*0\r\n');
});

test('BITFIELD OVERFLOW: WRAP, SAT and FAIL (RESP2 and RESP3 nulls)', async () => {
  await r('DEL', 'ov');
  assert.equal(await r('BITFIELD', 'ov', 'SET', 'u8', '0', '100', 'INCRBY', 'u8', '0', '257', 'INCRBY', 'u8', '0', '255'), arr(int(0), int(101), int(100)));
  assert.equal(await r('BITFIELD', 'ov', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '257', 'INCRBY', 'u8', '0', '-300'), arr(int(255), int(0)));
  assert.equal(await r('BITFIELD', 'ov', 'SET', 'i8', '0', '100', 'INCRBY', 'i8', '0', '257', 'INCRBY', 'i8', '0', '255'), arr(int(0), int(101), int(100)));
  assert.equal(await r('BITFIELD', 'ov', 'overflow', 'sat', 'incrby', 'i8', '0', '257', 'incrby', 'i8', '0', '-255', 'set', 'i8', '0', '1000'), arr(int(127), int(-128), int(-128)));
  assert.equal(await r('BITFIELD', 'ov', 'GET', 'i8', '0'), arr(int(127)));
  // FAIL: nothing written, a null reply; the mode applies to the operations after it
  assert.equal(await r('BITFIELD', 'ov', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '1', 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '0', '1'), arr('$-1\r\n', int(-128)));
  assert.equal(await r('BITFIELD', 'ov', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '256', 'SET', 'u2', '0', '3'), arr('$-1\r\n', int(2)));
  // a negative SET on an unsigned field: SAT gives the maximum, WRAP the low bits
  assert.equal(await r('BITFIELD', 'ov', 'OVERFLOW', 'SAT', 'SET', 'u8', '8', '-5', 'GET', 'u8', '8', 'OVERFLOW', 'WRAP', 'SET', 'u8', '8', '-5', 'GET', 'u8', '8'),
    arr(int(0), int(255), int(255), int(251)));
  // i64 limits
  await r('DEL', 'ov');
  assert.equal(await r('BITFIELD', 'ov', 'SET', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1',
    'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '-9223372036854775808',
    'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '-9223372036854775808'),
  arr(int(0), int(-9223372036854775808n), int(-9223372036854775808n), int(-9223372036854775808n), int(-1), '$-1\r\n'));
  assert.equal(await r('BITFIELD', 'ov', 'OVERFLOW', 'WRAP', 'SET', 'u63', '0', '-1', 'INCRBY', 'u63', '0', '9223372036854775807'),
    arr(int(9223372036854775807n), int(9223372036854775806n)));
  assert.equal(await r('HELLO', '3').then((s) => s.slice(0, 1)), '%');
  assert.equal(await r('BITFIELD', 'ov', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '100'), arr('_\r\n'));
  assert.equal(await r('HELLO', '2').then((s) => s.slice(0, 1)), '*');
});

test('BITFIELD: only GETs never create the key; writes count changes as Redis', async () => {
  await r('DEL', 'ro', 'w1', 'w2');
  assert.equal(await r('BITFIELD', 'ro', 'GET', 'u8', '0', 'OVERFLOW', 'SAT'), arr(int(0)));
  assert.equal(await r('BITFIELD_RO', 'ro', 'GET', 'i8', '100'), arr(int(0)));
  assert.equal(await r('EXISTS', 'ro'), int(0));
  const d0 = await dirty();
  assert.equal(await r('BITFIELD', 'w1', 'SET', 'i5', '0', '0'), arr(int(0))); // created: 1
  assert.equal(await r('BITFIELD', 'w1', 'SET', 'i5', '0', '0'), arr(int(0))); // unchanged: 0
  assert.equal(await r('BITFIELD', 'w1', 'INCRBY', 'i5', '0', '1', 'INCRBY', 'i5', '0', '1'), arr(int(1), int(2))); // 2
  assert.equal(await r('BITFIELD', 'w1', 'SET', 'i5', '90', '0'), arr(int(0))); // grown: 1
  assert.equal(await dirty(), d0 + 4);
  // a FAILed write still creates the (zeroed) key, without counting a change
  assert.equal(await r('BITFIELD', 'w2', 'OVERFLOW', 'FAIL', 'SET', 'u8', '8', '-5'), arr('$-1\r\n'));
  assert.equal(await r('GET', 'w2'), '$2\r\n\x00\x00\r\n');
  assert.equal(await dirty(), d0 + 4);
});

test('BITFIELD and BITFIELD_RO errors', async () => {
  const type = '-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n';
  const off = '-ERR bit offset is not an integer or out of range\r\n';
  for (const t of ['u64', 'i65', 'i0', 'I8', 'x8', 'i', 'i08', 'u-1']) assert.equal(await r('BITFIELD', 'bf', 'GET', t, '0'), type, t);
  for (const o of ['-1', '#-1', 'x', '#', '4294967296', '#536870912']) assert.equal(await r('BITFIELD', 'bf', 'GET', 'i8', o), off, o);
  assert.equal(await r('BITFIELD', 'bf', 'GET', 'i8', '4294967295'), arr(int(0)));
  assert.equal(await r('BITFIELD', 'bf', 'GET', 'i8'), SYNTAX);
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'i8', '0'), SYNTAX);
  assert.equal(await r('BITFIELD', 'bf', 'FOO', 'i8', '0'), SYNTAX);
  assert.equal(await r('BITFIELD', 'bf', 'OVERFLOW'), SYNTAX);
  assert.equal(await r('BITFIELD', 'bf', 'OVERFLOW', 'BAD'), '-ERR Invalid OVERFLOW type specified\r\n');
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'i8', '0', '1.5'), NOT_INT);
  assert.equal(await r('BITFIELD', 'bf', 'INCRBY', 'i8', '0', '9223372036854775808'), NOT_INT);
  // every operation is validated before anything runs
  assert.equal(await r('BITFIELD', 'bf', 'SET', 'u8', '0', '7', 'GET', 'x1', '0'), type);
  assert.equal(await r('BITFIELD_RO', 'bf', 'SET', 'i8', '0', '1'), '-ERR BITFIELD_RO only supports the GET subcommand\r\n');
  assert.equal(await r('BITFIELD_RO', 'bf', 'GET', 'x', '0', 'SET', 'i8', '0', '1'), type);
  assert.equal(await r('BITFIELD_RO', 'bf'), '*0\r\n');
  await makeList();
  assert.equal(await r('BITFIELD', 'blist', 'GET', 'i8', '0'), WRONGTYPE);
  assert.equal(await r('BITFIELD', 'blist', 'SET', 'i8', '0', '1'), WRONGTYPE);
  assert.equal(await r('BITFIELD_RO', 'blist', 'SET', 'i8', '0', '1'), '-ERR BITFIELD_RO only supports the GET subcommand\r\n');
});

test('propagation: BITOP and BITFIELD as sent, no-op writes and reads not propagated', async () => {
  const rep = await RawConnection.connect(srv.port);
  await syncSnapshot(rep);
  await r('SET', 'pa', 'ab');
  await r('SETBIT', 'pa', '0', '0'); // unchanged
  await r('BITFIELD', 'pa', 'GET', 'u8', '0'); // read
  await r('BITFIELD', 'pa', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '9'); // failed
  await r('BITOP', 'NOT', 'pb', 'pa');
  await r('BITFIELD', 'pa', 'INCRBY', 'u8', '0', '1');
  await r('BITOP', 'AND', 'pb', 'nokey');
  await r('SET', 'pend', 'x');
  const stream = await rep.readUntil((d) => d.includes('pend'));
  assert.ok(stream.endsWith(
    resp('SET', 'pa', 'ab') + resp('BITOP', 'NOT', 'pb', 'pa') + resp('BITFIELD', 'pa', 'INCRBY', 'u8', '0', '1') +
    resp('BITOP', 'AND', 'pb', 'nokey') + resp('SET', 'pend', 'x')), JSON.stringify(stream));
  rep.close();
});
