/*
 * RequestParser: RESP multibulk and inline parsing, incremental feeding,
 * every protocol error with Redis's exact text, and a seeded fuzz test.
 * Expected behaviours were checked against redis-server 7.0.15 with raw
 * bytes over TCP.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RequestParser, ProtocolError, PROTO_INLINE_MAX_SIZE, type ParserLimits } from '../../src/protocol/request-parser';

const LIMITS: ParserLimits = { maxBulkLen: 512 * 1024 * 1024, authRequired: false };

type Outcome = { cmds: string[][]; error: string | null; pending: boolean };

/** Feed the chunks one by one, draining complete commands after each. */
function run(chunks: (string | Buffer)[], limits: ParserLimits = LIMITS): Outcome {
  const p = new RequestParser();
  const cmds: string[][] = [];
  for (const ch of chunks) {
    p.append(typeof ch === 'string' ? Buffer.from(ch, 'latin1') : ch);
    for (;;) {
      let argv: string[] | null;
      try {
        argv = p.next(limits);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        return { cmds, error: e.reply, pending: false };
      }
      if (argv === null) break;
      cmds.push(argv);
    }
  }
  return { cmds, error: null, pending: p.pendingBytes > 0 };
}

function parseAll(s: string, limits: ParserLimits = LIMITS): Outcome {
  return run([s], limits);
}

function resp(...args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

const STREAM =
  resp('SET', 'key', 'va\r\nl\x00ue') +
  resp('GET', '') +
  '*0\r\n' +
  '*-1\r\n' +
  'PING\r\n' +
  '\r\n' +
  '\n' +
  'set "a b" \'c d\' "\\x41\\n"\n' +
  resp('ECHO', '*3\r\n$3\r\n') +
  '   ECHO   spaced   \r\n' +
  resp('MSET', 'a', '1', 'b', '2') +
  '*1\r\n$4\r\nPING\r\n';

test('a whole stream parses into the expected commands', () => {
  const r = parseAll(STREAM);
  assert.equal(r.error, null);
  assert.deepEqual(r.cmds, [
    ['SET', 'key', 'va\r\nl\x00ue'],
    ['GET', ''],
    [], // *0: skipped by the server
    [], // *-1
    ['PING'],
    [], // empty inline lines
    [],
    ['set', 'a b', 'c d', 'A\n'],
    ['ECHO', '*3\r\n$3\r\n'],
    ['ECHO', 'spaced'],
    ['MSET', 'a', '1', 'b', '2'],
    ['PING'],
  ]);
  assert.equal(r.pending, false);
});

test('splitting the stream at every byte offset gives the same commands', () => {
  const whole = parseAll(STREAM);
  for (let i = 0; i <= STREAM.length; i++) {
    const r = run([STREAM.slice(0, i), STREAM.slice(i)]);
    assert.deepEqual(r, whole, `split at ${i}`);
  }
});

test('splitting at every pair of offsets and feeding byte by byte give the same commands', () => {
  const msg = resp('SET', 'k', 'v\r\n') + 'PING "x y"\r\n' + resp('GET', 'k');
  const whole = parseAll(msg);
  for (let i = 0; i <= msg.length; i++) {
    for (let j = i; j <= msg.length; j++) {
      assert.deepEqual(run([msg.slice(0, i), msg.slice(i, j), msg.slice(j)]), whole, `split at ${i},${j}`);
    }
  }
  assert.deepEqual(run([...STREAM]), parseAll(STREAM));
});

test('incomplete input waits and keeps only the unconsumed tail', () => {
  const p = new RequestParser();
  p.append(Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nke', 'latin1'));
  assert.equal(p.next(LIMITS), null);
  assert.equal(p.pendingBytes, 2); // "GET" and the "$3" header are consumed
  p.append(Buffer.from('y\r\n', 'latin1'));
  assert.deepEqual(p.next(LIMITS), ['GET', 'key']);
  assert.equal(p.pendingBytes, 0);
  assert.equal(p.next(LIMITS), null);
});

test('Redis quirks: what follows a CR is skipped unchecked, payloads are taken by length', () => {
  assert.deepEqual(parseAll('*1\rX$4\r\nPING\r\n').cmds, [['PING']]);
  assert.deepEqual(parseAll('*1\r\n$4\rXPING\r\n').cmds, [['PING']]);
  // the two bytes after a payload are not checked either
  assert.deepEqual(parseAll('*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n').cmds, [['PING'], ['PING']]);
  // an inline line ending in \r\r\n: the extra \r is whitespace to splitArgs
  assert.deepEqual(parseAll('PING\r\r\n').cmds, [['PING']]);
  assert.deepEqual(parseAll('*-9223372036854775808\r\nPING\r\n').cmds, [[], ['PING']]);
});

test('inline quoting rules', () => {
  assert.deepEqual(parseAll('ECHO "a\\x41\\n" \'b\\\'c\'\r\n').cmds, [['ECHO', 'aA\n', "b'c"]]);
  assert.deepEqual(parseAll('a "" \'\' b\n').cmds, [['a', '', '', 'b']]);
  assert.deepEqual(parseAll('"\\t\\r\\b\\a\\"\\\\\\z"\n').cmds, [['\t\r\b\x07"\\z']]);
  assert.deepEqual(parseAll('x"y"\n').cmds, [['xy']], 'a quote inside a word opens a quoted part');
  // only space, \t, \r and \n end a word; \v and \f belong to it, but are blanks between words
  assert.deepEqual(parseAll('ECHO a\x0bb\r\n').cmds, [['ECHO', 'a\x0bb']]);
  assert.deepEqual(parseAll('ECHO \x0b x\r\n').cmds, [['ECHO', 'x']]);
  assert.deepEqual(parseAll('ECHO "a"\x0c\r\n').cmds, [['ECHO', 'a']]);
  assert.deepEqual(parseAll('ECHO a\tb\r\n').cmds, [['ECHO', 'a', 'b']]);
});

test('a NUL byte in a line keeps the request incomplete, like strchr in Redis', () => {
  for (const s of ['PING\x00\r\n', '*1\x00\r\n$4\r\nPING\r\n', '*1\r\n$4\x00\r\nPING\r\n', '*\x00', '$\x00', '\x00']) {
    const r = parseAll(s);
    assert.equal(r.error, null, JSON.stringify(s));
    assert.deepEqual(r.cmds, []);
    assert.equal(r.pending, true);
  }
  // ... until the size limit makes it a protocol error
  const junk = 'A'.repeat(PROTO_INLINE_MAX_SIZE + 1);
  assert.equal(run(['\x00', junk]).error, 'ERR Protocol error: too big inline request');
  assert.equal(run(['*\x00', junk]).error, 'ERR Protocol error: too big mbulk count string');
  assert.equal(run(['*1\r\n$\x00', junk]).error, 'ERR Protocol error: too big bulk count string');
});

const ERRORS: [string, string][] = [
  ['*3000000000\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*2147483648\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*+1\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*01\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*-0\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*1 \r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*-9223372036854775809\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*9223372036854775808\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*123456789012345678901\r\n', 'ERR Protocol error: invalid multibulk length'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*1\r\n$\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*1\r\n$-0\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*1\r\n$04\r\nPING\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', "ERR Protocol error: expected '$', got 'f'"],
  ['*1\r\nfoo\r\n', "ERR Protocol error: expected '$', got 'f'"],
  ['*1\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'"],
  ['set """test-key""" test-value\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ['"PING"x\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ["ECHO 'a\"b'x\r\n", 'ERR Protocol error: unbalanced quotes in request'],
  ['ECHO "abc\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ['*1\r\n' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1), 'ERR Protocol error: too big bulk count string'],
  ['*' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1), 'ERR Protocol error: too big mbulk count string'],
  ['GET ' + 'k'.repeat(PROTO_INLINE_MAX_SIZE + 1), 'ERR Protocol error: too big inline request'],
];

test('every protocol error has Redis text', () => {
  for (const [input, msg] of ERRORS) {
    assert.equal(parseAll(input).error, msg, JSON.stringify(input.slice(0, 60)));
  }
  // a header line starting with CR: the reply shows it and the writer turns it into a space
  assert.equal(parseAll('*1\r\n\r\n').error, "ERR Protocol error: expected '$', got '\r'");
});

test('commands before the error are returned first', () => {
  const r = parseAll(resp('PING') + '*1\r\nxx\r\n' + resp('PING'));
  assert.deepEqual(r.cmds, [['PING']]);
  assert.equal(r.error, "ERR Protocol error: expected '$', got 'x'");
});

test('the limits are exclusive bounds, as in Redis', () => {
  const maxBulk: ParserLimits = { maxBulkLen: 5, authRequired: false };
  assert.deepEqual(parseAll('*1\r\n$5\r\nhello\r\n', maxBulk).cmds, [['hello']]);
  assert.equal(parseAll('*1\r\n$6\r\nhello!\r\n', maxBulk).error, 'ERR Protocol error: invalid bulk length');
  // exactly 64 KB without a line end is still waiting
  assert.equal(parseAll('G'.repeat(PROTO_INLINE_MAX_SIZE)).error, null);
  assert.equal(parseAll('*' + '1'.repeat(PROTO_INLINE_MAX_SIZE - 1)).error, null);
  // a long inline request is fine when its line end has arrived
  const long = 'ECHO ' + 'x'.repeat(PROTO_INLINE_MAX_SIZE * 2) + '\r\n';
  assert.equal(parseAll(long).cmds[0][1].length, PROTO_INLINE_MAX_SIZE * 2);
});

test('unauthenticated clients get small multibulk and bulk limits', () => {
  const unauth: ParserLimits = { maxBulkLen: 512 * 1024 * 1024, authRequired: true };
  const ten = resp(...Array.from({ length: 10 }, (_, i) => `a${i}`));
  assert.equal(parseAll(ten, unauth).cmds.length, 1);
  assert.equal(parseAll('*11\r\n', unauth).error, 'ERR Protocol error: unauthenticated multibulk length');
  assert.equal(parseAll('*11\r\n', LIMITS).error, null);
  const big = 'x'.repeat(16384);
  assert.deepEqual(parseAll(resp('AUTH', big), unauth).cmds, [['AUTH', big]]);
  assert.equal(parseAll('*2\r\n$4\r\nAUTH\r\n$16385\r\n', unauth).error, 'ERR Protocol error: unauthenticated bulk length');
  // inline requests have no such limit
  assert.equal(parseAll('a b c d e f g h i j k l m\r\n', unauth).cmds[0].length, 13);
});

test('a large argument arriving in many small reads, followed by more commands', () => {
  const p = new RequestParser();
  const size = 4 * 1024 * 1024;
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 7) & 0xff;
  const whole = Buffer.concat([
    Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${size}\r\n`, 'latin1'),
    payload,
    Buffer.from('\r\n' + resp('GET', 'k') + 'PING\r\n', 'latin1'),
  ]);
  const got: string[][] = [];
  for (let i = 0; i < whole.length; i += 4096) {
    p.append(whole.subarray(i, i + 4096));
    for (let argv = p.next(LIMITS); argv !== null; argv = p.next(LIMITS)) got.push(argv);
  }
  assert.equal(got.length, 3);
  assert.equal(got[0][2].length, size);
  assert.ok(Buffer.from(got[0][2], 'latin1').equals(payload));
  assert.deepEqual(got.slice(1), [['GET', 'k'], ['PING']]);
  assert.equal(p.pendingBytes, 0);
});

test('reset() drops everything buffered', () => {
  const p = new RequestParser();
  p.append(Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nk', 'latin1'));
  assert.equal(p.next(LIMITS), null);
  p.reset();
  assert.equal(p.pendingBytes, 0);
  p.append(Buffer.from('PING\r\n', 'latin1'));
  assert.deepEqual(p.next(LIMITS), ['PING']);
});

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = ['*', '$', '\r\n', '\r', '\n', '0', '1', '2', '3', '-', '9', '"', "'", '\\', ' ', 'PING', 'x', '\x00', '*2\r\n', '$3\r\nGET\r\n', '$1\r\nk\r\n', '*1\r\n$4\r\nPING\r\n', '\\x4', '99999999999'];

function randomStream(rnd: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = 1 + Math.floor(rnd() * 30);
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.3) {
      const len = 1 + Math.floor(rnd() * 8);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(rnd() * 256);
      parts.push(b);
    } else {
      parts.push(Buffer.from(FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)], 'latin1'));
    }
  }
  return Buffer.concat(parts);
}

test('fuzz: random byte streams only yield commands, null, or a ProtocolError, whatever the chunking', () => {
  const rnd = prng(20240101);
  const limits: ParserLimits = { maxBulkLen: 1024, authRequired: false };
  for (let iter = 0; iter < 3000; iter++) {
    const stream = randomStream(rnd);
    const outcomes: string[] = [];
    for (let variant = 0; variant < 3; variant++) {
      // variant 0: whole; 1: random chunks; 2: byte by byte
      const chunks: Buffer[] = [];
      if (variant === 0) chunks.push(stream);
      else if (variant === 2) for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1));
      else {
        let i = 0;
        while (i < stream.length) {
          const len = 1 + Math.floor(rnd() * 6);
          chunks.push(stream.subarray(i, i + len));
          i += len;
        }
      }
      const p = new RequestParser();
      const cmds: string[][] = [];
      let error: string | null = null;
      outer: for (const ch of chunks) {
        p.append(ch);
        for (let guard = 0; ; guard++) {
          assert.ok(guard < 10000, 'the parser must make progress');
          let argv: string[] | null;
          try {
            argv = p.next(limits);
          } catch (e) {
            assert.ok(e instanceof ProtocolError, `unexpected ${String(e)}`);
            assert.match(e.reply, /^ERR Protocol error: /);
            error = e.reply;
            break outer;
          }
          if (argv === null) break;
          assert.ok(Array.isArray(argv));
          for (const a of argv) assert.equal(typeof a, 'string');
          cmds.push(argv);
        }
      }
      outcomes.push(JSON.stringify({ cmds, error }));
    }
    assert.equal(outcomes[1], outcomes[0], `chunked differs for ${JSON.stringify(stream.toString('latin1'))}`);
    assert.equal(outcomes[2], outcomes[0], `byte by byte differs for ${JSON.stringify(stream.toString('latin1'))}`);
  }
});

test('arguments of every length and byte value decode as latin1, whole or split', () => {
  // short arguments take a different decoding path from long ones: cover both and the boundary
  for (let len = 0; len <= 40; len++) {
    const arg = Buffer.alloc(len);
    for (let i = 0; i < len; i++) arg[i] = (len * 37 + i * 101) & 0xff;
    if (len > 0) arg[0] = 0xff;
    const wire = Buffer.concat([Buffer.from(`*2\r\n$3\r\nSET\r\n$${len}\r\n`, 'latin1'), arg, Buffer.from('\r\n', 'latin1')]);
    const expected = [['SET', arg.toString('latin1')]];
    assert.deepEqual(run([wire]).cmds, expected);
    assert.deepEqual(run([wire.subarray(0, wire.length - 3), wire.subarray(wire.length - 3)]).cmds, expected);
  }
});

test('settle() keeps the unconsumed part of a borrowed chunk when its memory is reused', () => {
  const p = new RequestParser();
  const shared = Buffer.alloc(64);
  const first = Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$2\r\nbc', 'latin1');
  first.copy(shared);
  p.append(shared.subarray(0, first.length), true);
  assert.deepEqual(p.next(LIMITS), ['GET', 'a']);
  assert.equal(p.next(LIMITS), null);
  p.settle();
  shared.fill(0x58);
  const rest = Buffer.from('\r\n', 'latin1');
  rest.copy(shared);
  p.append(shared.subarray(0, rest.length), true);
  assert.deepEqual(p.next(LIMITS), ['GET', 'bc']);
  p.settle();
  assert.equal(p.pendingBytes, 0);
});

test('command names come back exact whatever the interning table holds (more names than slots, all lengths)', () => {
  // far more distinct names than the table has slots, each repeated: every one comes back intact
  let s = '';
  const names: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const name = `cmd${i.toString(36)}\xff${'x'.repeat(i % 20)}`;
    names.push(name);
    s += resp(name, 'a') + resp(name, 'b');
  }
  const out = parseAll(s);
  assert.equal(out.error, null);
  assert.equal(out.cmds.length, 10000);
  for (let i = 0; i < 5000; i++) {
    assert.deepEqual(out.cmds[2 * i], [names[i], 'a']);
    assert.deepEqual(out.cmds[2 * i + 1], [names[i], 'b']);
  }
});
