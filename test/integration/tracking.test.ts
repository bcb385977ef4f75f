/*
 * Client-side caching over TCP, exact bytes as redis-server 7.0.15 sends
 * them: default mode invalidations (RESP3 push after the reply of the
 * command that caused them), BCAST with prefixes, OPTIN/OPTOUT with CLIENT
 * CACHING, NOLOOP, REDIRECT to a RESP2 subscriber of __redis__:invalidate,
 * broken redirection, FLUSHALL null invalidations, tracking-table-max-keys,
 * every CLIENT TRACKING error, TRACKINGINFO, GETREDIR and the INFO fields.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, resp, bulk, expectReplies as exact, receives, ask, waitBlocked, infoField, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

const keys = (...ks: string[]) => `*${ks.length}\r\n${ks.map(bulk).join('')}`;
const inv3 = (...ks: string[]) => `>2\r\n$10\r\ninvalidate\r\n${keys(...ks)}`;
const inv2 = (...ks: string[]) => `*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n${keys(...ks)}`;

async function conn(protocol: 2 | 3 = 2): Promise<RawConnection> {
  const c = await RawConnection.connect(srv.port);
  if (protocol === 3) {
    c.write(resp('HELLO', '3'));
    await c.readUntil((d) => d.includes('modules\r\n*0\r\n'));
    await c.read(0);
  }
  return c;
}

async function clientId(c: RawConnection): Promise<string> {
  return (await c.request(resp('CLIENT', 'ID'))).slice(1, -2);
}

test('default mode (RESP3): a key read is invalidated once, after the reply of the command that changed it', async () => {
  const c = await conn(3);
  const w = await conn();
  await exact(w, [['FLUSHALL']], '+OK\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'ON'], ['GET', 'k'], ['MGET', 'a', 'b']], '+OK\r\n_\r\n*2\r\n_\r\n_\r\n');
  await exact(w, [['SET', 'k', '1']], '+OK\r\n');
  await receives(c, inv3('k'));
  // not read again: no second invalidation
  await exact(w, [['SET', 'k', '2']], '+OK\r\n');
  await exact(c, [['SET', 'a', '1'], ['HSET', 'h', 'f', '1'], ['HGET', 'h', 'f'], ['HDEL', 'h', 'f']],
    '+OK\r\n' + inv3('a') + ':1\r\n$1\r\n1\r\n:1\r\n' + inv3('h'));
  // inside a transaction the invalidation follows EXEC's reply
  await exact(c, [['GET', 'b'], ['MULTI'], ['INCR', 'b'], ['GET', 'b'], ['EXEC']], '_\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n$1\r\n1\r\n' + inv3('b'));
  // FLUSHALL by another client: a null for everything; by itself: after its reply
  await exact(w, [['FLUSHALL']], '+OK\r\n');
  await receives(c, '>2\r\n$10\r\ninvalidate\r\n_\r\n');
  await exact(c, [['FLUSHDB']], '+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'OFF'], ['GET', 'k']], '+OK\r\n_\r\n');
  await exact(w, [['SET', 'k', '3'], ['PING']], '+OK\r\n+PONG\r\n');
  await exact(c, [['PING']], '+PONG\r\n');
  c.close();
  w.close();
});

test('REDIRECT to a RESP2 subscriber of __redis__:invalidate, and a broken redirection', async () => {
  const r = await conn();
  const c = await conn(3);
  const w = await conn();
  const rid = await clientId(r);
  await exact(r, [['SUBSCRIBE', '__redis__:invalidate']], '*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'ON', 'REDIRECT', rid], ['GET', 'x'], ['CLIENT', 'GETREDIR']], `+OK\r\n_\r\n:${rid}\r\n`);
  await exact(w, [['SET', 'x', '1']], '+OK\r\n');
  await receives(r, inv2('x'));
  // FLUSHALL: the null is the tracking client's RESP3 null
  await exact(w, [['FLUSHALL']], '+OK\r\n');
  await receives(r, '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n_\r\n');
  await exact(c, [['GET', 'x']], '_\r\n');
  r.close();
  for (let i = 0; i < 200 && (await ask(w, ['CLIENT', 'LIST', 'ID', rid])) !== '$0\r\n\r\n'; i++) {
    await w.readUntil(() => false, 20);
  }
  await exact(w, [['SET', 'x', '2']], '+OK\r\n');
  await receives(c, `>2\r\n$21\r\ntracking-redir-broken\r\n:${rid}\r\n`);
  const all = await ask(c, ['CLIENT', 'TRACKINGINFO'], (d) => d.includes('prefixes\r\n*0\r\n'));
  assert.ok(all.includes('~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n'));
  c.close();
  w.close();
});

test('BCAST: one message per prefix per event-loop turn, NOLOOP leaves out own changes', async () => {
  const c = await conn(3);
  const w = await conn();
  await exact(c, [['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:']], '+OK\r\n');
  await exact(w, [['MSET', 'a:1', '1', 'b:1', '1', 'c:1', '1', 'a:2', '2']], '+OK\r\n');
  await receives(c, inv3('a:1', 'a:2') + inv3('b:1'));
  await exact(c, [['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'c:']], '+OK\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a']], "-ERR Prefix 'a' overlaps with an existing prefix 'a:'. Prefixes for a single client must not overlap.\r\n");
  await exact(c, [['CLIENT', 'TRACKING', 'OFF'], ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP']], '+OK\r\n+OK\r\n');
  await exact(c, [['SET', 'mine', '1']], '+OK\r\n');
  await exact(w, [['SET', 'theirs', '1']], '+OK\r\n');
  await receives(c, inv3('theirs'));
  const all = await ask(c, ['CLIENT', 'TRACKINGINFO'], (d) => d.includes('prefixes\r\n*1\r\n$0\r\n\r\n'));
  assert.equal(all, '%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*1\r\n$0\r\n\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'OFF']], '+OK\r\n');
  c.close();
  w.close();
});

test('OPTIN / OPTOUT with CLIENT CACHING, NOLOOP in default mode', async () => {
  const c = await conn(3);
  const w = await conn();
  await exact(c, [['CLIENT', 'TRACKING', 'ON', 'OPTIN'], ['GET', 'o1'], ['CLIENT', 'CACHING', 'YES'], ['GET', 'o2'], ['GET', 'o3']], '+OK\r\n_\r\n+OK\r\n_\r\n_\r\n');
  await exact(w, [['MSET', 'o1', '1', 'o2', '2', 'o3', '3']], '+OK\r\n');
  await receives(c, inv3('o2'));
  // CACHING YES before MULTI covers the whole transaction
  await exact(c, [['CLIENT', 'CACHING', 'YES'], ['MULTI'], ['GET', 'o1'], ['GET', 'o3'], ['EXEC']], '+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$1\r\n1\r\n$1\r\n3\r\n');
  await exact(w, [['MSET', 'o1', '1', 'o3', '3']], '+OK\r\n');
  await receives(c, inv3('o1') + inv3('o3'));
  await exact(c, [['CLIENT', 'TRACKING', 'OFF'], ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'], ['CLIENT', 'CACHING', 'NO'], ['GET', 'p1'], ['GET', 'p2']], '+OK\r\n+OK\r\n+OK\r\n_\r\n_\r\n');
  await exact(w, [['MSET', 'p1', '1', 'p2', '2']], '+OK\r\n');
  await receives(c, inv3('p2'));
  await exact(c, [['CLIENT', 'TRACKING', 'OFF'], ['CLIENT', 'TRACKING', 'ON', 'NOLOOP'], ['GET', 'n1'], ['GET', 'n2'], ['SET', 'n1', 'x']], '+OK\r\n+OK\r\n_\r\n_\r\n+OK\r\n');
  await exact(w, [['SET', 'n2', 'y']], '+OK\r\n');
  await receives(c, inv3('n2'));
  await exact(c, [['CLIENT', 'TRACKING', 'OFF']], '+OK\r\n');
  c.close();
  w.close();
});

test('CLIENT TRACKING / CACHING errors, TRACKINGINFO and GETREDIR', async () => {
  const c = await conn();
  await exact(c, [
    ['CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'x'],
    ['CLIENT', 'TRACKING', 'MAYBE'],
    ['CLIENT', 'TRACKING', 'ON', 'FOO'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'GETREDIR'],
  ],
  '-ERR PREFIX option requires BCAST mode to be enabled\r\n' +
  "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n" +
  '-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n' +
  '-ERR The client ID you want redirect to does not exist\r\n' +
  '-ERR value is not an integer or out of range\r\n' +
  '-ERR syntax error\r\n-ERR syntax error\r\n' +
  '-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n' +
  ':-1\r\n');
  await exact(c, [
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN'],
    ['CLIENT', 'CACHING', 'NO'],
    ['CLIENT', 'CACHING', 'maybe'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'GETREDIR'],
  ],
  '+OK\r\n' +
  '-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n' +
  '-ERR syntax error\r\n' +
  "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.\r\n" +
  "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.\r\n" +
  '+OK\r\n' +
  '*6\r\n$5\r\nflags\r\n*3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n' +
  ':0\r\n');
  await exact(c, [
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKINGINFO'],
  ],
  '+OK\r\n' +
  "-ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.\r\n" +
  '+OK\r\n' +
  '*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n' +
  '+OK\r\n' +
  '*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
  c.close();
});

test('tracking-table-max-keys evicts entries with invalidations; INFO tracking fields', async () => {
  const c = await conn(3);
  const w = await conn();
  await exact(w, [['FLUSHALL']], '+OK\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'ON'], ['MGET', 't1', 't2', 't3']], '+OK\r\n*3\r\n_\r\n_\r\n_\r\n');
  const text = await ask(w, ['INFO', 'stats']);
  assert.match(text, /tracking_total_keys:3\r\ntracking_total_items:3\r\ntracking_total_prefixes:0\r\n/);
  // the next command (or the cron) brings the table down to one key, oldest first
  await exact(w, [['CONFIG', 'SET', 'tracking-table-max-keys', '1'], ['PING']], '+OK\r\n+PONG\r\n');
  await receives(c, inv3('t1') + inv3('t2'));
  await exact(w, [['CONFIG', 'SET', 'tracking-table-max-keys', '1000000'], ['SET', 't3', 'x']], '+OK\r\n+OK\r\n');
  await receives(c, inv3('t3'));
  await exact(c, [['CLIENT', 'TRACKING', 'OFF']], '+OK\r\n');
  c.close();
  w.close();
});

test('a client served by a blocking command gets the invalidation after its reply', async () => {
  const c = await conn(3);
  const w = await conn();
  await exact(w, [['DEL', 'src', 'dst'], ['RPUSH', 'dst', 'a']], ':0\r\n:1\r\n');
  await exact(c, [['CLIENT', 'TRACKING', 'ON'], ['LRANGE', 'dst', '0', '-1']], '+OK\r\n*1\r\n$1\r\na\r\n');
  c.write(resp('BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0'));
  await waitBlocked(w);
  await exact(w, [['RPUSH', 'src', 'foo']], ':1\r\n');
  await receives(c, '$3\r\nfoo\r\n' + inv3('dst'));
  c.close();
  w.close();
});

test('a tracked key evicted by maxmemory is invalidated before the reply of the command whose eviction removed it', async () => {
  const c = await conn(3);
  const w = await conn();
  await exact(w, [['FLUSHALL']], '+OK\r\n');
  const used = Number(infoField(await ask(w, ['INFO', 'memory']), 'used_memory'));
  // margins far above the measuring noise: 1 MB of room, then a 2 MB bitmap
  await exact(w, [['CONFIG', 'SET', 'maxmemory-policy', 'volatile-random'], ['CONFIG', 'SET', 'maxmemory', String(used + 1024 * 1024)]],
    '+OK\r\n+OK\r\n');
  try {
    await exact(c, [['CLIENT', 'TRACKING', 'ON'], ['SETEX', 'volatile', '10000', 'x'], ['GET', 'volatile']], '+OK\r\n+OK\r\n$1\r\nx\r\n');
    await exact(c, [['SETBIT', 'big', String(16 * 1024 * 1024), '0']], ':0\r\n');
    // the next command finds memory over the limit: the volatile key goes, and the client hears it first
    await exact(c, [['GETBIT', 'big', '0']], inv3('volatile') + ':0\r\n');
    await exact(w, [['EXISTS', 'volatile', 'big']], ':1\r\n');
  } finally {
    await exact(w, [['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['FLUSHALL']], '+OK\r\n+OK\r\n+OK\r\n');
  }
  c.close();
  w.close();
});
