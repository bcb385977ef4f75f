/*
 * The protocol layer over raw TCP: exact protocol error replies followed by
 * the connection closing (without disturbing other clients), the size
 * limits (proto-max-bulk-len, client-query-buffer-limit, the 64 KB inline
 * and count-line limits, the unauthenticated limits), pipelining, inline
 * commands and binary safety. Expected bytes were checked against
 * redis-server 7.0.15.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis(['--proto-max-bulk-len', '1mb', '--client-query-buffer-limit', '1mb']);
});
after(async () => {
  await srv.stop();
});

/** Send bytes on a new connection; return everything received until the server closes it. */
async function sendAndWaitClose(bytes: string | Buffer): Promise<{ data: string; closed: boolean }> {
  const c = await RawConnection.connect(srv.port);
  c.write(bytes);
  const closed = await c.waitClosed(10000);
  const data = await c.read(0);
  c.close();
  return { data, closed };
}

const ERROR_CASES: [string, string][] = [
  ['*3000000000\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', "-ERR Protocol error: expected '$', got 'f'\r\n"],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
  ['*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
  ['*1\r\nfoo\r\n', "-ERR Protocol error: expected '$', got 'f'\r\n"],
  ['set """test-key""" test-value\r\nping\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
  ['*1\r\n\r\n', "-ERR Protocol error: expected '$', got ' '\r\n"],
];

test('each protocol error gets Redis reply, then the connection is closed', async () => {
  for (const [input, reply] of ERROR_CASES) {
    const { data, closed } = await sendAndWaitClose(input);
    assert.equal(data, reply, JSON.stringify(input));
    assert.ok(closed, `closed after ${JSON.stringify(input)}`);
  }
});

test('commands before the error in the same write run and reply first; nothing after it runs', async () => {
  const { data, closed } = await sendAndWaitClose(resp('SET', 'before', '1') + resp('PING') + '*1\r\nxx\r\n' + resp('SET', 'after', '1'));
  assert.equal(data, "+OK\r\n+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n");
  assert.ok(closed);
  const c = await RawConnection.connect(srv.port);
  assert.equal(await c.request(resp('GET', 'before')), '$1\r\n1\r\n');
  assert.equal(await c.request(resp('GET', 'after')), '$-1\r\n');
  c.close();
});

test('a protocol error does not disturb other clients, even mid-command', async () => {
  const other = await RawConnection.connect(srv.port);
  // leave a half-sent command on the other connection
  other.write('*2\r\n$4\r\nECHO\r\n$5\r\nhel');
  const { closed } = await sendAndWaitClose('*-\r\n');
  assert.ok(closed);
  other.write('lo\r\n');
  assert.equal(await other.readUntil((d) => d.length >= 11), '$5\r\nhello\r\n');
  await other.read(0);
  assert.equal(await other.request(resp('PING')), '+PONG\r\n');
  other.close();
});

test('empty queries and non-positive multibulk counts are skipped', async () => {
  const c = await RawConnection.connect(srv.port);
  c.write('\r\n');
  c.write('*-10\r\n');
  c.write('*0\r\n\n');
  assert.equal(await c.request(resp('PING')), '+PONG\r\n');
  c.close();
});

test('protocol desync: junk without a line end is an error once it passes 64 KB', async () => {
  const junk = 'payload'.repeat(10000); // 70 KB, no newline
  for (const prefix of ['\x00', '*\x00', '$\x00', 'GET ']) {
    const c = await RawConnection.connect(srv.port);
    c.write(prefix);
    c.write(junk);
    assert.ok(await c.waitClosed(10000), JSON.stringify(prefix));
    const data = await c.read(0);
    const expected = prefix.startsWith('*')
      ? '-ERR Protocol error: too big mbulk count string\r\n'
      : '-ERR Protocol error: too big inline request\r\n';
    assert.equal(data, expected, JSON.stringify(prefix));
    c.close();
  }
  const { data } = await sendAndWaitClose('*1\r\n$' + '1'.repeat(70000));
  assert.equal(data, '-ERR Protocol error: too big bulk count string\r\n');
});

test('proto-max-bulk-len bounds the length of one argument', async () => {
  const c = await RawConnection.connect(srv.port);
  const half = 'x'.repeat(512 * 1024);
  assert.equal(await c.request(resp('SET', 'big', half), '+OK\r\n'), '+OK\r\n');
  // a header of exactly the limit is accepted (the data then waits)
  c.write(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${1024 * 1024}\r\n`);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.closed, false);
  assert.equal(await c.read(0), '');
  c.close();
  const { data, closed } = await sendAndWaitClose(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${1024 * 1024 + 1}\r\n`);
  assert.equal(data, '-ERR Protocol error: invalid bulk length\r\n');
  assert.ok(closed);
});

test('client-query-buffer-limit: the client is closed silently', async () => {
  // Redis counts the argument plus its CRLF: with a 1 MB limit, 1 MB - 2
  // bytes is the largest argument that gets through
  const limit = 1024 * 1024;
  const send = async (n: number) => {
    const c = await RawConnection.connect(srv.port);
    c.write(`*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$${n}\r\n`);
    await new Promise((r) => setTimeout(r, 20));
    const chunk = 'z'.repeat(64 * 1024);
    for (let sent = 0; sent < n && !c.closed; sent += chunk.length) {
      c.write(chunk.slice(0, Math.min(chunk.length, n - sent)));
      await new Promise((r) => setTimeout(r, 2));
    }
    if (!c.closed) c.write('\r\n');
    const got = await c.readUntil((d) => d.length > 0, 3000);
    const res = { data: got, closed: c.closed };
    c.close();
    return res;
  };
  assert.deepEqual(await send(limit - 2), { data: '+OK\r\n', closed: false });
  assert.deepEqual(await send(limit - 1), { data: '', closed: true });
  assert.deepEqual(await send(limit), { data: '', closed: true });
  // a pipeline of complete commands larger than the limit is fine
  const p = await RawConnection.connect(srv.port);
  const value = 'v'.repeat(1000);
  let batch = '';
  for (let i = 0; i < 2000; i++) batch += resp('SET', `pipe:${i}`, value);
  p.write(batch);
  const all = await p.readUntil((d) => d.length >= 2000 * 5);
  assert.equal(all, '+OK\r\n'.repeat(2000));
  assert.equal(p.closed, false);
  p.close();
});

test('pipelining: many commands in one write, replies in order', async () => {
  const c = await RawConnection.connect(srv.port);
  let out = '';
  let expected = '';
  for (let i = 0; i < 5000; i++) {
    out += resp('SET', `k${i}`, `v${i}`) + resp('GET', `k${i}`);
    expected += `+OK\r\n$${`v${i}`.length}\r\nv${i}\r\n`;
    if (i % 100 === 0) {
      out += `PING ${i}\r\n`;
      expected += `$${String(i).length}\r\n${i}\r\n`;
    }
  }
  c.write(out);
  const got = await c.readUntil((d) => d.length >= expected.length);
  assert.equal(got, expected);
  c.close();
});

test('pipelined commands split across writes at every offset', async () => {
  const c = await RawConnection.connect(srv.port);
  const msg = resp('SET', 'split', 'a\r\nb') + 'ECHO "x y"\r\n' + resp('GET', 'split');
  const expected = '+OK\r\n$3\r\nx y\r\n$4\r\na\r\nb\r\n';
  for (let i = 1; i < msg.length; i += 3) {
    c.write(msg.slice(0, i));
    await new Promise((r) => setTimeout(r, 1));
    c.write(msg.slice(i));
    assert.equal(await c.readUntil((d) => d.length >= expected.length), expected, `split at ${i}`);
    await c.read(0);
  }
  c.close();
});

test('inline commands and binary-safe arguments', async () => {
  const c = await RawConnection.connect(srv.port);
  assert.equal(await c.request('SET inl "a b\\x00\\n"\r\n'), '+OK\r\n');
  assert.equal(await c.request(resp('GET', 'inl'), '$5\r\na b\x00\n\r\n'), '$5\r\na b\x00\n\r\n');
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const key = `bin\x00\r\n${all}`;
  assert.equal(await c.request(resp('SET', key, all + all), '+OK\r\n'), '+OK\r\n');
  const want = `$512\r\n${all}${all}\r\n`;
  assert.equal(await c.request(resp('GET', key), want), want);
  assert.equal(await c.request(resp('ECHO', ''), '$0\r\n\r\n'), '$0\r\n\r\n');
  c.close();
});

test('unauthenticated clients: small request limits', async () => {
  const auth = await startNodis(['--requirepass', 'secret']);
  try {
    const go = async (bytes: string) => {
      const c = await RawConnection.connect(auth.port);
      c.write(bytes);
      await c.waitClosed(5000);
      const d = await c.read(0);
      c.close();
      return d;
    };
    assert.equal(await go('*11\r\n'), '-ERR Protocol error: unauthenticated multibulk length\r\n');
    assert.equal(await go('*2\r\n$4\r\nAUTH\r\n$16385\r\n'), '-ERR Protocol error: unauthenticated bulk length\r\n');
    const c = await RawConnection.connect(auth.port);
    assert.equal(await c.request(resp('PING')), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.request(resp('AUTH', 'secret')), '+OK\r\n');
    const many = resp('ECHO', 'x'.repeat(20000));
    assert.equal(await c.request(many, `$20000\r\n${'x'.repeat(20000)}\r\n`), `$20000\r\n${'x'.repeat(20000)}\r\n`);
    c.close();
  } finally {
    await auth.stop();
  }
});
