/*
 * ReplyWriter: the bytes of every reply type in RESP2 and RESP3, buffer
 * growth and take().
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReplyWriter, type ProtocolVersion } from '../../src/protocol/reply-writer';

function out(resp: ProtocolVersion, fn: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter();
  w.resp = resp;
  fn(w);
  return w.take().toString('latin1');
}

function both(fn: (w: ReplyWriter) => void): [string, string] {
  return [out(2, fn), out(3, fn)];
}

test('types that are the same in RESP2 and RESP3', () => {
  assert.deepEqual(both((w) => w.ok()), ['+OK\r\n', '+OK\r\n']);
  assert.deepEqual(both((w) => w.simple('PONG')), ['+PONG\r\n', '+PONG\r\n']);
  assert.deepEqual(both((w) => w.int(0)), [':0\r\n', ':0\r\n']);
  assert.deepEqual(both((w) => w.int(511)), [':511\r\n', ':511\r\n']);
  assert.deepEqual(both((w) => w.int(512)), [':512\r\n', ':512\r\n']);
  assert.deepEqual(both((w) => w.int(-1)), [':-1\r\n', ':-1\r\n']);
  assert.deepEqual(both((w) => w.int(-9223372036854775808n)), [':-9223372036854775808\r\n', ':-9223372036854775808\r\n']);
  assert.deepEqual(both((w) => w.bulk('')), ['$0\r\n\r\n', '$0\r\n\r\n']);
  assert.deepEqual(both((w) => w.bulk('a\r\nb\x00\xff')), ['$6\r\na\r\nb\x00\xff\r\n', '$6\r\na\r\nb\x00\xff\r\n']);
  assert.deepEqual(both((w) => w.bulkBytes(Buffer.from([1, 2, 3, 4]), 1, 3)), ['$2\r\n\x02\x03\r\n', '$2\r\n\x02\x03\r\n']);
  assert.deepEqual(both((w) => w.bulkNumber(42)), ['$2\r\n42\r\n', '$2\r\n42\r\n']);
  assert.deepEqual(both((w) => w.arrayHeader(3)), ['*3\r\n', '*3\r\n']);
  assert.deepEqual(both((w) => w.arrayHeader(100000)), ['*100000\r\n', '*100000\r\n']);
  assert.deepEqual(both((w) => w.emptyArray()), ['*0\r\n', '*0\r\n']);
  assert.deepEqual(both((w) => w.bulkArray(['a', 'bc'])), ['*2\r\n$1\r\na\r\n$2\r\nbc\r\n', '*2\r\n$1\r\na\r\n$2\r\nbc\r\n']);
});

test('errors: CR and LF become spaces, and the error hook sees each one', () => {
  const seen: string[] = [];
  const w = new ReplyWriter();
  w.onError = (m) => seen.push(m);
  w.error('ERR bad\r\nthing');
  w.error('WRONGTYPE x');
  assert.equal(w.take().toString('latin1'), '-ERR bad  thing\r\n-WRONGTYPE x\r\n');
  assert.deepEqual(seen, ['ERR bad  thing', 'WRONGTYPE x']);
});

test('nulls', () => {
  assert.deepEqual(both((w) => w.nullBulk()), ['$-1\r\n', '_\r\n']);
  assert.deepEqual(both((w) => w.nullArray()), ['*-1\r\n', '_\r\n']);
});

test('aggregates: map, set, push, attribute', () => {
  assert.deepEqual(both((w) => w.mapHeader(2)), ['*4\r\n', '%2\r\n']);
  assert.deepEqual(both((w) => w.mapHeader(600)), ['*1200\r\n', '%600\r\n']);
  assert.deepEqual(both((w) => w.setHeader(3)), ['*3\r\n', '~3\r\n']);
  assert.deepEqual(both((w) => w.setHeader(1000)), ['*1000\r\n', '~1000\r\n']);
  assert.deepEqual(both((w) => w.pushHeader(3)), ['*3\r\n', '>3\r\n']);
  assert.equal(out(3, (w) => w.attributeHeader(1)), '|1\r\n');
});

test('doubles, booleans, verbatim strings and big numbers', () => {
  assert.deepEqual(both((w) => w.double(1.5)), ['$3\r\n1.5\r\n', ',1.5\r\n']);
  assert.deepEqual(both((w) => w.double(3)), ['$1\r\n3\r\n', ',3\r\n']);
  assert.deepEqual(both((w) => w.double(Infinity)), ['$3\r\ninf\r\n', ',inf\r\n']);
  assert.deepEqual(both((w) => w.double(-Infinity)), ['$4\r\n-inf\r\n', ',-inf\r\n']);
  assert.deepEqual(both((w) => w.doubleString('0.1')), ['$3\r\n0.1\r\n', ',0.1\r\n']);
  assert.deepEqual(both((w) => w.bool(true)), [':1\r\n', '#t\r\n']);
  assert.deepEqual(both((w) => w.bool(false)), [':0\r\n', '#f\r\n']);
  assert.deepEqual(both((w) => w.verbatim('hi\nthere')), ['$8\r\nhi\nthere\r\n', '=12\r\ntxt:hi\nthere\r\n']);
  assert.deepEqual(both((w) => w.verbatim('x', 'mkd')), ['$1\r\nx\r\n', '=5\r\nmkd:x\r\n']);
  assert.deepEqual(both((w) => w.bigNumber('1234567999999999999999999999999999999')),
    ['$37\r\n1234567999999999999999999999999999999\r\n', '(1234567999999999999999999999999999999\r\n']);
});

test('a nested RESP3 reply', () => {
  const r = out(3, (w) => {
    w.mapHeader(2);
    w.bulk('a');
    w.setHeader(1);
    w.int(1);
    w.bulk('b');
    w.nullBulk();
  });
  assert.equal(r, '%2\r\n$1\r\na\r\n~1\r\n:1\r\n$1\r\nb\r\n_\r\n');
});

test('the buffer grows for large replies and take() leaves the writer empty and reusable', () => {
  const w = new ReplyWriter();
  const big = 'x'.repeat(100000);
  w.bulk(big);
  w.int(7);
  const b = w.take();
  assert.equal(b.length, 9 + 100000 + 2 + 4);
  assert.equal(b.toString('latin1', 0, 8), '$100000\r');
  assert.equal(b.toString('latin1', b.length - 4), ':7\r\n');
  assert.equal(w.len, 0);
  assert.equal(w.take().length, 0);
  // what was taken is not overwritten by later replies
  const first = (() => {
    w.simple('A');
    return w.take();
  })();
  w.simple('B');
  assert.equal(first.toString('latin1'), '+A\r\n');
  assert.equal(w.take().toString('latin1'), '+B\r\n');
  // many small replies into one buffer
  for (let i = 0; i < 5000; i++) w.int(i);
  const s = w.take().toString('latin1');
  assert.ok(s.startsWith(':0\r\n:1\r\n') && s.endsWith(':4999\r\n'));
});

test("the reply buffer's size follows Redis's clientsCronResizeOutputBuffer", () => {
  const w = new ReplyWriter();
  const T = 1_700_000_000_000; // a wall clock in ms
  const batch = (n: number): void => {
    w.raw('x'.repeat(n));
    w.pending();
    w.sent(false);
  };
  // a new client: 16 KB with the peak at the size; the first visit only resets the peak
  assert.deepEqual([w.size, w.peak, w.buf.length], [16384, 16384, 16384]);
  assert.equal(w.resizeBuffer(T + 1000, 5000), 0);
  assert.equal(w.peak, 0);
  // idle: down to the minimum at once (peak + 1, at least 1024)
  assert.equal(w.resizeBuffer(T + 1100, 5000), -1);
  assert.deepEqual([w.size, w.buf.length], [1024, 1024]);
  assert.equal(w.resizeBuffer(T + 1200, 5000), 0);
  // a batch that fills the buffer: it grows for the batch, then doubles per visit up to 16 KB
  batch(40000);
  assert.equal(w.buf.length, 1024);
  const sizes: number[] = [];
  for (let t = 1300; t < 2000; t += 100) {
    w.resizeBuffer(T + t, -1);
    sizes.push(w.size);
    batch(40000);
  }
  assert.deepEqual(sizes, [2048, 4096, 8192, 16384, 16384, 16384, 16384]);
  // the peak resets every resetMs to what is pending; a peak under half the size shrinks to peak + 1
  batch(3000);
  assert.equal(w.resizeBuffer(T + 10000, 100), 0); // the peak was 40000 (capped to the size): reset now
  batch(3000);
  assert.equal(w.resizeBuffer(T + 10050, 100), -1);
  assert.equal(w.size, 3001);
});
