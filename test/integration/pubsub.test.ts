/*
 * Pub/Sub over TCP with exact RESP2 and RESP3 bytes (checked against
 * redis-server 7.0.15 for the same requests): (P|S)SUBSCRIBE confirmations,
 * messages, unsubscribe-from-all with and without subscriptions, the RESP2
 * subscribed-context gate and PING, RESP3 pushes interleaved with replies,
 * CLIENT REPLY OFF not silencing pushes, PUBSUB introspection, RESET,
 * CLIENT LIST / INFO fields, keyspace notifications for a sample of
 * commands, and the output buffer limit closing a subscriber that does not
 * read.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'net';
import { startNodis, RawConnection, resp, bulk, expectReplies as exact, receives, ask, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

/** A push of bulk strings / integers: '*' in RESP2, '>' in RESP3. */
function push(kind: '*' | '>', ...items: (string | number | null)[]): string {
  let out = `${kind}${items.length}\r\n`;
  for (const it of items) {
    if (it === null) out += kind === '*' ? '$-1\r\n' : '_\r\n';
    else if (typeof it === 'number') out += `:${it}\r\n`;
    else out += bulk(it);
  }
  return out;
}

async function conn(): Promise<RawConnection> {
  return RawConnection.connect(srv.port);
}

const HELLO3_PREFIX = '%7\r\n';

async function hello3(c: RawConnection): Promise<void> {
  const all = await ask(c, ['HELLO', '3'], (d) => d.includes('modules\r\n*0\r\n'));
  assert.ok(all.startsWith(HELLO3_PREFIX));
}

test('RESP2: subscribe, publish, unsubscribe, replies to unsubscribe with nothing subscribed', async () => {
  const sub = await conn();
  const pub = await conn();
  await exact(sub, [['SUBSCRIBE', 'a', 'b', 'a']],
    push('*', 'subscribe', 'a', 1) + push('*', 'subscribe', 'b', 2) + push('*', 'subscribe', 'a', 2));
  await exact(pub, [['PUBLISH', 'a', 'hello']], ':1\r\n');
  await receives(sub, push('*', 'message', 'a', 'hello'));
  await exact(pub, [['PUBLISH', 'nobody', 'x']], ':0\r\n');
  // PING in subscribed RESP2 context, and the gate for everything else
  await exact(sub, [['PING'], ['PING', 'x'], ['GET', 'k'], ['CLIENT', 'ID']],
    push('*', 'pong', '') + push('*', 'pong', 'x') +
    "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
    "-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
  await exact(sub, [['UNSUBSCRIBE', 'a', 'zz']], push('*', 'unsubscribe', 'a', 1) + push('*', 'unsubscribe', 'zz', 1));
  await exact(sub, [['UNSUBSCRIBE']], push('*', 'unsubscribe', 'b', 0));
  await exact(sub, [['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['SUNSUBSCRIBE'], ['PING']],
    push('*', 'unsubscribe', null, 0) + push('*', 'punsubscribe', null, 0) + push('*', 'sunsubscribe', null, 0) + '+PONG\r\n');
  sub.close();
  pub.close();
});

test('RESP2: patterns, mixed subscriptions, PUBSUB introspection', async () => {
  const sub = await conn();
  const pub = await conn();
  await exact(sub, [['PSUBSCRIBE', 'foo.*', 'ba?'], ['SUBSCRIBE', 'foo.x']],
    push('*', 'psubscribe', 'foo.*', 1) + push('*', 'psubscribe', 'ba?', 2) + push('*', 'subscribe', 'foo.x', 3));
  await exact(pub, [['PUBLISH', 'foo.x', 'm']], ':2\r\n');
  await receives(sub, push('*', 'message', 'foo.x', 'm') + push('*', 'pmessage', 'foo.*', 'foo.x', 'm'));
  await exact(pub, [['PUBLISH', 'bar', 'n'], ['PUBLISH', 'barx', 'n']], ':1\r\n:0\r\n');
  await receives(sub, push('*', 'pmessage', 'ba?', 'bar', 'n'));
  await exact(pub, [['PUBSUB', 'NUMPAT'], ['PUBSUB', 'NUMSUB', 'foo.x', 'none'], ['PUBSUB', 'CHANNELS', 'foo*'], ['PUBSUB', 'CHANNELS', 'zz*']],
    ':2\r\n*4\r\n$5\r\nfoo.x\r\n:1\r\n$4\r\nnone\r\n:0\r\n*1\r\n$5\r\nfoo.x\r\n*0\r\n');
  await exact(pub, [['PUBSUB', 'CHANNELS', 'a', 'b']], "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n");
  await exact(sub, [['PUNSUBSCRIBE']], push('*', 'punsubscribe', 'foo.*', 2) + push('*', 'punsubscribe', 'ba?', 1));
  await exact(pub, [['PUBSUB', 'NUMPAT']], ':0\r\n');
  sub.close();
  pub.close();
});

test('shard channels: SSUBSCRIBE counts only shard channels, SPUBLISH ignores patterns', async () => {
  const sub = await conn();
  const pub = await conn();
  await exact(sub, [['SUBSCRIBE', 'c'], ['SSUBSCRIBE', 's1', 's1'], ['PSUBSCRIBE', '*']],
    push('*', 'subscribe', 'c', 1) + push('*', 'ssubscribe', 's1', 1) + push('*', 'ssubscribe', 's1', 1) + push('*', 'psubscribe', '*', 2));
  await exact(pub, [['SPUBLISH', 's1', 'hi']], ':1\r\n');
  await receives(sub, push('*', 'smessage', 's1', 'hi'));
  await exact(pub, [['PUBSUB', 'SHARDCHANNELS'], ['PUBSUB', 'SHARDNUMSUB', 's1', 'x'], ['PUBSUB', 'NUMSUB', 's1']],
    '*1\r\n$2\r\ns1\r\n*4\r\n$2\r\ns1\r\n:1\r\n$1\r\nx\r\n:0\r\n*2\r\n$2\r\ns1\r\n:0\r\n');
  await exact(sub, [['SUNSUBSCRIBE'], ['SUNSUBSCRIBE']], push('*', 'sunsubscribe', 's1', 0) + push('*', 'sunsubscribe', null, 0));
  await exact(sub, [['RESET']], '+RESET\r\n');
  await exact(pub, [['PUBSUB', 'NUMSUB', 'c'], ['PUBSUB', 'NUMPAT']], '*2\r\n$1\r\nc\r\n:0\r\n:0\r\n');
  await exact(sub, [['GET', 'nokey']], '$-1\r\n');
  sub.close();
  pub.close();
});

test('RESP3: pushes interleave with replies, no subscribed-context gate', async () => {
  const sub = await conn();
  const pub = await conn();
  await hello3(sub);
  await exact(sub, [['SUBSCRIBE', 'x'], ['SET', 'k', 'v'], ['GET', 'k'], ['PING']],
    push('>', 'subscribe', 'x', 1) + '+OK\r\n$1\r\nv\r\n+PONG\r\n');
  await exact(pub, [['PUBLISH', 'x', 'm']], ':1\r\n');
  await receives(sub, push('>', 'message', 'x', 'm'));
  // the subscriber publishing to itself: its message comes before its own reply
  await exact(sub, [['PUBLISH', 'x', 'self']], push('>', 'message', 'x', 'self') + ':1\r\n');
  await exact(sub, [['UNSUBSCRIBE'], ['PUNSUBSCRIBE']], push('>', 'unsubscribe', 'x', 0) + push('>', 'punsubscribe', null, 0));
  sub.close();
  pub.close();
});

test('CLIENT REPLY OFF/SKIP silence replies but not pub/sub pushes', async () => {
  const sub = await conn();
  const pub = await conn();
  sub.write(resp('CLIENT', 'REPLY', 'OFF'));
  await exact(sub, [['SUBSCRIBE', 'q']], push('*', 'subscribe', 'q', 1));
  await exact(pub, [['PUBLISH', 'q', 'z']], ':1\r\n');
  await receives(sub, push('*', 'message', 'q', 'z'));
  await exact(sub, [['UNSUBSCRIBE', 'q'], ['CLIENT', 'REPLY', 'ON'], ['PING']], push('*', 'unsubscribe', 'q', 0) + '+OK\r\n+PONG\r\n');
  await hello3(sub);
  sub.write(resp('CLIENT', 'REPLY', 'SKIP'));
  await exact(sub, [['PSUBSCRIBE', 'q*'], ['PING']], push('>', 'psubscribe', 'q*', 1) + '+PONG\r\n');
  sub.close();
  pub.close();
});

test('CLIENT LIST and INFO report subscriptions', async () => {
  const sub = await conn();
  const ctl = await conn();
  await exact(sub, [['SUBSCRIBE', 'a', 'b'], ['PSUBSCRIBE', 'p*'], ['SSUBSCRIBE', 's']],
    push('*', 'subscribe', 'a', 1) + push('*', 'subscribe', 'b', 2) + push('*', 'psubscribe', 'p*', 3) + push('*', 'ssubscribe', 's', 1));
  const all = await ask(ctl, ['CLIENT', 'LIST', 'TYPE', 'PUBSUB']);
  assert.match(all, / flags=P db=0 sub=2 psub=1 ssub=1 /);
  const text = await ask(ctl, ['INFO', 'stats']);
  assert.match(text, /pubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n/);
  sub.close();
  // disconnection drops the subscriptions (once the server has seen the close)
  const numsubGone = '*2\r\n$1\r\na\r\n:0\r\n';
  for (let i = 0; i < 200; i++) {
    if ((await ask(ctl, ['PUBSUB', 'NUMSUB', 'a'], (d) => d.length >= numsubGone.length)) === numsubGone) break;
    await ctl.readUntil(() => false, 20);
  }
  await exact(ctl, [['PUBSUB', 'NUMSUB', 'a'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'SHARDCHANNELS']], '*2\r\n$1\r\na\r\n:0\r\n:0\r\n*0\r\n');
  ctl.close();
});

test('SUBSCRIBE inside MULTI works, PUBLISH inside MULTI delivers', async () => {
  const sub = await conn();
  const pub = await conn();
  await exact(sub, [['MULTI'], ['SUBSCRIBE', 'm'], ['EXEC']], '+OK\r\n+QUEUED\r\n*1\r\n' + push('*', 'subscribe', 'm', 1));
  await exact(pub, [['MULTI'], ['PUBLISH', 'm', '1'], ['PUBLISH', 'm', '2'], ['EXEC']], '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n:1\r\n');
  await receives(sub, push('*', 'message', 'm', '1') + push('*', 'message', 'm', '2'));
  sub.close();
  pub.close();
});

function event(pattern: string, channel: string, msg: string): string {
  return push('*', 'pmessage', pattern, channel, msg);
}

test('keyspace notifications: K and E channels, classes, order of events', async () => {
  const sub = await conn();
  const w = await conn();
  await exact(w, [['FLUSHALL'], ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']], '+OK\r\n+OK\r\n');
  await exact(sub, [['PSUBSCRIBE', '*']], push('*', 'psubscribe', '*', 1));
  await exact(w, [['SET', 'foo', 'bar'], ['RPUSH', 'l', 'a'], ['LPOP', 'l'], ['HSET', 'h', 'f', 'v'], ['EXPIRE', 'foo', '100'], ['DEL', 'foo']],
    '+OK\r\n:1\r\n$1\r\na\r\n:1\r\n:1\r\n:1\r\n');
  const ks = (k: string, e: string) => event('*', `__keyspace@0__:${k}`, e) + event('*', `__keyevent@0__:${e}`, k);
  await receives(sub, ks('foo', 'set') + ks('l', 'rpush') + ks('l', 'lpop') + ks('l', 'del') + ks('h', 'hset') + ks('foo', 'expire') + ks('foo', 'del'));
  // only keyevents of the list class
  await exact(w, [['CONFIG', 'SET', 'notify-keyspace-events', 'El'], ['SET', 'x', '1'], ['LPUSH', 'l2', 'a']], '+OK\r\n+OK\r\n:1\r\n');
  await receives(sub, event('*', '__keyevent@0__:lpush', 'l2'));
  // expired keys (active expiry), in another database
  await exact(w, [['CONFIG', 'SET', 'notify-keyspace-events', 'Ex'], ['SELECT', '3'], ['PSETEX', 'gone', '10', 'v']], '+OK\r\n+OK\r\n+OK\r\n');
  await receives(sub, event('*', '__keyevent@3__:expired', 'gone'));
  await exact(w, [['CONFIG', 'SET', 'notify-keyspace-events', '']], '+OK\r\n');
  sub.close();
  w.close();
});

/** A subscriber named `name` on `channel` that stops reading once subscribed. */
async function stalledSubscriber(name: string, channel: string): Promise<net.Socket> {
  const slow = net.createConnection({ port: srv.port, host: '127.0.0.1' });
  await new Promise<void>((r) => slow.once('connect', () => r()));
  slow.on('error', () => { /* reset by the server */ });
  slow.write(resp('CLIENT', 'SETNAME', name) + resp('SUBSCRIBE', channel));
  await new Promise<void>((r) => slow.once('data', () => r()));
  slow.pause();
  return slow;
}

test('a subscriber that does not read is closed at the pubsub output buffer hard limit', async () => {
  const ctl = await conn();
  await exact(ctl, [['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 256kb 0 0']], '+OK\r\n');
  const slow = await stalledSubscriber('slowpoke', 'flood');
  // far more than the kernel buffers and the limit can hold: 64 MB
  const msg = 'x'.repeat(64 * 1024);
  let gone = false;
  for (let round = 0; round < 64 && !gone; round++) {
    let batch = '';
    for (let i = 0; i < 16; i++) batch += resp('PUBLISH', 'flood', msg);
    ctl.write(batch);
    const got = await ctl.readUntil((d) => (d.match(/\r\n/g) ?? []).length >= 16);
    assert.match(got, /^(:[01]\r\n)+$/);
    await ctl.read(0);
    const text = await ask(ctl, ['CLIENT', 'LIST']);
    gone = !text.includes('name=slowpoke');
  }
  assert.ok(gone, 'the slow subscriber was not disconnected');
  assert.match(srv.output(), /Client id=\d+ addr=\S+ laddr=\S+ fd=\d+ name=slowpoke .*scheduled to be closed ASAP for overcoming of output buffer limits\./);
  await exact(ctl, [['PUBLISH', 'flood', 'x'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60']], ':0\r\n+OK\r\n');
  slow.destroy();
  ctl.close();
});

test('the soft limit closes a subscriber that stays over it for longer than its seconds', async () => {
  const ctl = await conn();
  await exact(ctl, [['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1gb 256kb 1']], '+OK\r\n');
  const slow = await stalledSubscriber('softie', 'soft');
  const msg = 'x'.repeat(64 * 1024);
  let batch = '';
  for (let i = 0; i < 256; i++) batch += resp('PUBLISH', 'soft', msg);
  ctl.write(batch);
  await ctl.readUntil((d) => (d.match(/\r\n/g) ?? []).length >= 256);
  await ctl.read(0);
  const started = Date.now();
  let gone = false;
  // over the soft limit for more than 1 s (unix seconds, so at most ~2 s); the cron closes it
  while (!gone && Date.now() - started < 15000) {
    gone = !(await ask(ctl, ['CLIENT', 'LIST'])).includes('name=softie');
    if (!gone) await ctl.readUntil(() => false, 100);
  }
  assert.ok(gone, 'the subscriber over the soft limit was not disconnected');
  assert.ok(Date.now() - started >= 500, 'closed before the soft limit seconds elapsed');
  assert.match(srv.output(), /name=softie .*(closed|scheduled to be closed ASAP) for overcoming of output buffer limits\./);
  await exact(ctl, [['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60']], '+OK\r\n');
  slow.destroy();
  ctl.close();
});
