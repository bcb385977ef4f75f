import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startNodis, runNodisToExit, RawConnection, resp, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

/** Send a command and check the exact reply bytes. */
async function expectReply(c: RawConnection, expected: string, ...args: string[]): Promise<void> {
  assert.equal(await c.request(resp(...args), expected), expected, args.join(' '));
}

function bulk(s: string): string {
  return `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
}

test('SETUSER / GETUSER round trip with selectors (RESP2 and RESP3)', async () => {
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'rt', 'on', '>p', '~k*', '%R~r*', '&ch', '+get', '(+set ~x*)');
  const hash = '148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940';
  const root = bulk('commands') + bulk('-@all +get') + bulk('keys') + bulk('~k* %R~r*') + bulk('channels') + bulk('&ch');
  const sel = bulk('commands') + bulk('-@all +set') + bulk('keys') + bulk('~x*') + bulk('channels') + bulk('');
  await expectReply(c, '*12\r\n' + bulk('flags') + '*1\r\n' + bulk('on') + bulk('passwords') + '*1\r\n' + bulk(hash) +
    root + bulk('selectors') + '*1\r\n*6\r\n' + sel, 'ACL', 'GETUSER', 'rt');
  await expectReply(c, '%3\r\n', 'HELLO', '3').catch(() => undefined);
  await c.readUntil((d) => d.includes('modules'));
  await expectReply(c, '%6\r\n' + bulk('flags') + '~1\r\n' + bulk('on') + bulk('passwords') + '*1\r\n' + bulk(hash) +
    root + bulk('selectors') + '*1\r\n%3\r\n' + sel, 'ACL', 'GETUSER', 'rt');
  await expectReply(c, '_\r\n', 'ACL', 'GETUSER', 'nosuch');
  await expectReply(c, '*2\r\n' + bulk('user default on nopass ~* &* +@all') +
    bulk(`user rt on #${hash} ~k* %R~r* resetchannels &ch -@all +get (~x* resetchannels -@all +set)`), 'ACL', 'LIST');
  await expectReply(c, ':1\r\n', 'ACL', 'DELUSER', 'rt', 'nosuch');
  c.close();
});

test('SETUSER errors', async () => {
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, "-ERR Usernames can't contain spaces or null characters\r\n", 'ACL', 'SETUSER', 'a a');
  await expectReply(c, "-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL\r\n",
    'ACL', 'SETUSER', 'e', '+nosuch');
  await expectReply(c, "-ERR Unmatched parenthesis in acl selector starting at '(+get'.\r\n", 'ACL', 'SETUSER', 'e', '(+get', '~x');
  await expectReply(c, "-ERR The 'default' user cannot be removed\r\n", 'ACL', 'DELUSER', 'x', 'default');
  await expectReply(c, "-ERR Unknown category 'nosuch'\r\n", 'ACL', 'CAT', 'nosuch');
  await expectReply(c, '-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n',
    'ACL', 'GENPASS', '0');
  await expectReply(c, '-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.\r\n',
    'ACL', 'LOAD');
  c.close();
});

test('AUTH with a user, NOPERM for commands and keys, WHOAMI, CLIENT LIST user=', async () => {
  const admin = await RawConnection.connect(srv.port);
  await expectReply(admin, '+OK\r\n', 'ACL', 'LOG', 'RESET');
  await expectReply(admin, '+OK\r\n', 'ACL', 'SETUSER', 'bob', 'on', '>pw', '~obj:*', '+get', '+set', '+acl|whoami', '+client|info', '+multi', '+exec');
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, '-WRONGPASS invalid username-password pair or user is disabled.\r\n', 'AUTH', 'bob', 'wrong');
  await expectReply(c, '+OK\r\n', 'AUTH', 'bob', 'pw');
  await expectReply(c, bulk('bob'), 'ACL', 'WHOAMI');
  await expectReply(c, '$-1\r\n', 'GET', 'obj:1');
  await expectReply(c, '-NOPERM this user has no permissions to access one of the keys used as arguments\r\n', 'GET', 'other');
  await expectReply(c, "-NOPERM this user has no permissions to run the 'del' command\r\n", 'DEL', 'obj:1');
  await expectReply(c, "-NOPERM this user has no permissions to run the 'acl|list' command\r\n", 'ACL', 'LIST');
  const info = await c.request(resp('CLIENT', 'INFO'));
  assert.match(info, / user=bob /);
  // inside MULTI a refusal aborts the transaction
  await expectReply(c, '+OK\r\n', 'MULTI');
  await expectReply(c, '-NOPERM this user has no permissions to access one of the keys used as arguments\r\n', 'SET', 'x', '1');
  await expectReply(c, '-EXECABORT Transaction discarded because of previous errors.\r\n', 'EXEC');
  // rules changed between queueing and EXEC
  await expectReply(c, '+OK\r\n', 'MULTI');
  await expectReply(c, '+QUEUED\r\n', 'GET', 'obj:2');
  await expectReply(admin, '+OK\r\n', 'ACL', 'SETUSER', 'bob', '-get');
  await expectReply(c, '*1\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand\r\n', 'EXEC');
  // the log, newest first
  const log = await admin.request(resp('ACL', 'LOG'), '*6\r\n');
  const all = await admin.readUntil((d) => (d.match(/client-info/g) ?? []).length >= 6);
  const text = log + all;
  assert.ok(text.startsWith('*6\r\n*14\r\n' + bulk('count') + ':1\r\n' + bulk('reason') + bulk('command') + bulk('context') + bulk('multi') +
    bulk('object') + bulk('get') + bulk('username') + bulk('bob') + bulk('age-seconds')), text);
  const objects = [...text.matchAll(/\$6\r\nobject\r\n\$\d+\r\n([^\r]*)\r\n/g)].map((m) => m[1]);
  assert.deepEqual(objects, ['get', 'x', 'acl|list', 'del', 'other', 'AUTH']);
  const reasons = [...text.matchAll(/\$6\r\nreason\r\n\$\d+\r\n([^\r]*)\r\n/g)].map((m) => m[1]);
  assert.deepEqual(reasons, ['command', 'key', 'command', 'command', 'key', 'auth']);
  assert.match(text, /cmd=del user=bob/);
  // the failed AUTH is logged with the attempted user name and the command as typed
  assert.match(text, /\$4\r\nauth\r\n\$7\r\ncontext\r\n\$8\r\ntoplevel\r\n\$6\r\nobject\r\n\$4\r\nAUTH\r\n\$8\r\nusername\r\n\$3\r\nbob\r\n/);
  // deleting the user disconnects its clients
  await expectReply(admin, ':1\r\n', 'ACL', 'DELUSER', 'bob');
  assert.equal(await c.waitClosed(5000), true);
  admin.close();
});

test('DRYRUN, USERS, CAT, GENPASS', async () => {
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'dry', 'on', '~k*', '&ch', '+get', '+set');
  await expectReply(c, '+OK\r\n', 'ACL', 'DRYRUN', 'dry', 'get', 'k1');
  await expectReply(c, bulk("This user has no permissions to access the 'zz' key"), 'ACL', 'DRYRUN', 'dry', 'set', 'zz', 'v');
  await expectReply(c, bulk("This user has no permissions to run the 'del' command"), 'ACL', 'DRYRUN', 'dry', 'del', 'k1');
  await expectReply(c, "-ERR User 'nosuch' not found\r\n", 'ACL', 'DRYRUN', 'nosuch', 'get', 'x');
  await expectReply(c, "-ERR Command 'nosuch' not found\r\n", 'ACL', 'DRYRUN', 'dry', 'nosuch');
  await expectReply(c, "-ERR wrong number of arguments for 'get' command\r\n", 'ACL', 'DRYRUN', 'dry', 'get');
  await expectReply(c, '*2\r\n' + bulk('default') + bulk('dry'), 'ACL', 'USERS');
  const cats = ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
    'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting'];
  await expectReply(c, `*${cats.length}\r\n` + cats.map(bulk).join(''), 'ACL', 'CAT');
  const tx = await c.request(resp('ACL', 'CAT', 'transaction'), '*5\r\n');
  const txAll = tx + await c.readUntil((d) => (d.match(/\r\n/g) ?? []).length >= 10);
  assert.deepEqual(txAll.split('\r\n').filter((l) => !/^[*$]/.test(l) && l !== '').sort(), ['discard', 'exec', 'multi', 'unwatch', 'watch']);
  const pass = await c.request(resp('ACL', 'GENPASS'), '$64\r\n' + 'x'.repeat(64) + '\r\n');
  assert.match(pass, /^\$64\r\n[0-9a-f]{64}\r\n$/);
  const p5 = await c.request(resp('ACL', 'GENPASS', '5'), '$2\r\nxx\r\n');
  assert.match(p5, /^\$2\r\n[0-9a-f]{2}\r\n$/);
  await expectReply(c, ':1\r\n', 'ACL', 'DELUSER', 'dry');
  c.close();
});

test('requirepass sets the default user password; AUTH forms; unauthenticated clients get NOAUTH', async () => {
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n', 'AUTH', 'x');
  await expectReply(c, '+OK\r\n', 'CONFIG', 'SET', 'requirepass', 'secret');
  await expectReply(c, '*1\r\n' + bulk(`user default on #${sha('secret')} ~* &* +@all`), 'ACL', 'LIST');
  const d = await RawConnection.connect(srv.port);
  await expectReply(d, '-NOAUTH Authentication required.\r\n', 'GET', 'x');
  await expectReply(d, '-WRONGPASS invalid username-password pair or user is disabled.\r\n', 'AUTH', 'wrong');
  await expectReply(d, '+OK\r\n', 'AUTH', 'default', 'secret');
  await expectReply(d, '$-1\r\n', 'GET', 'x');
  d.close();
  await expectReply(c, '+OK\r\n', 'CONFIG', 'SET', 'requirepass', '');
  await expectReply(c, '*1\r\n' + bulk('user default on nopass ~* &* +@all'), 'ACL', 'LIST');
  c.close();
});

test('SLOWLOG redacts ACL SETUSER and AUTH arguments', async () => {
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, '+OK\r\n', 'CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await expectReply(c, '+OK\r\n', 'SLOWLOG', 'RESET');
  await c.request(resp('ACL', 'SETUSER', 'bad user', '+get'));
  await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'slow', '>pw', '+get');
  await c.request(resp('AUTH', 'slow', 'pw'));
  await expectReply(c, '+OK\r\n', 'CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
  const r = await c.request(resp('SLOWLOG', 'GET'), '*5\r\n');
  const all = r + await c.readUntil((d) => d.includes('slowlog-log-slower-than'));
  assert.ok(all.includes(bulk('AUTH') + bulk('(redacted)') + bulk('(redacted)')), all);
  assert.ok(all.includes(bulk('ACL') + bulk('SETUSER') + bulk('(redacted)') + bulk('(redacted)') + bulk('(redacted)')), all);
  assert.ok(all.includes(bulk('ACL') + bulk('SETUSER') + bulk('(redacted)') + bulk('(redacted)') + '$'), all);
  await expectReply(c, ':1\r\n', 'ACL', 'DELUSER', 'slow');
  c.close();
});

function sha(s: string): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('crypto').createHash('sha256').update(s).digest('hex') as string;
}

test('aclfile: loaded at startup, ACL SAVE and ACL LOAD', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-acl-'));
  fs.writeFileSync(path.join(dir, 'users.acl'), 'user alice on >alice ~* &* +@all\nuser default on nopass ~* &* +@all\n');
  const s = await startNodis(['--dir', dir, '--aclfile', 'users.acl']);
  try {
    const c = await RawConnection.connect(s.port);
    await expectReply(c, '+OK\r\n', 'AUTH', 'alice', 'alice');
    await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'eve', 'on', '>eve', '+get', 'allkeys');
    await expectReply(c, '+OK\r\n', 'ACL', 'SAVE');
    assert.equal(fs.readFileSync(path.join(dir, 'users.acl'), 'latin1'),
      `user alice on #${sha('alice')} ~* &* +@all\nuser default on nopass ~* &* +@all\nuser eve on #${sha('eve')} ~* resetchannels -@all +get\n`);
    // ACL LOAD replaces every user: clients of the old ones are disconnected
    await c.request(resp('ACL', 'LOAD'));
    assert.equal(await c.waitClosed(5000), true);
    const d = await RawConnection.connect(s.port);
    await expectReply(d, '+OK\r\n', 'AUTH', 'eve', 'eve');
    await expectReply(d, "-NOPERM this user has no permissions to run the 'set' command\r\n", 'SET', 'k', 'v');
    fs.appendFileSync(path.join(dir, 'users.acl'), 'user alice on nopass\n');
    await expectReply(d, '+OK\r\n', 'AUTH', 'alice', 'alice');
    await expectReply(d, "-ERR WARNING: Duplicate user 'alice' found on line 4. WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n", 'ACL', 'LOAD');
    d.close();
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('user directives in the configuration; duplicates are fatal', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-acl-'));
  const conf = path.join(dir, 'redis.conf');
  fs.writeFileSync(conf, 'user default on nopass ~* +@all -flushdb\nuser carol on >c +@all ~*\n');
  const s = await startNodis([], { configFile: conf });
  try {
    const c = await RawConnection.connect(s.port);
    await expectReply(c, "-NOPERM this user has no permissions to run the 'flushdb' command\r\n", 'FLUSHDB');
    await expectReply(c, '+OK\r\n', 'AUTH', 'carol', 'c');
    await expectReply(c, '+OK\r\n', 'FLUSHDB');
    // CONFIG REWRITE writes the users
    await expectReply(c, '+OK\r\n', 'CONFIG', 'REWRITE');
    const text = fs.readFileSync(conf, 'latin1');
    assert.match(text, /^user default on nopass sanitize-payload ~\* resetchannels \+@all -flushdb$/m);
    assert.match(text, /^user carol on #[0-9a-f]{64} ~\* resetchannels \+@all$/m);
    c.close();
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const r = await runNodisToExit(['--user', 'foo', '--user', 'foo']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /Duplicate user/);
});

test('HELLO AUTH, default user off, RESET back to the default user', async () => {
  const admin = await RawConnection.connect(srv.port);
  await expectReply(admin, '+OK\r\n', 'ACL', 'SETUSER', 'hel', 'on', '>hp', '+@all', 'allkeys');
  const c = await RawConnection.connect(srv.port);
  await expectReply(c, '-WRONGPASS invalid username-password pair or user is disabled.\r\n', 'HELLO', '2', 'AUTH', 'hel', 'bad');
  const hello = await c.request(resp('HELLO', '2', 'AUTH', 'hel', 'hp'), '*14\r\n');
  assert.ok(hello.startsWith('*14\r\n'), hello);
  await c.readUntil((d) => d.includes('modules'));
  await expectReply(c, bulk('hel'), 'ACL', 'WHOAMI');
  await expectReply(c, '+RESET\r\n', 'RESET');
  await expectReply(c, bulk('default'), 'ACL', 'WHOAMI');
  // a disabled default user: new connections must authenticate, existing ones go on
  await expectReply(admin, '+OK\r\n', 'ACL', 'SETUSER', 'default', 'off');
  const d = await RawConnection.connect(srv.port);
  await expectReply(d, '-NOAUTH Authentication required.\r\n', 'PING');
  await expectReply(d, '+OK\r\n', 'AUTH', 'hel', 'hp');
  await expectReply(d, '+PONG\r\n', 'PING');
  await expectReply(admin, '+OK\r\n', 'ACL', 'SETUSER', 'default', 'on');
  // CLIENT KILL USER knows ACL users
  await expectReply(admin, ':1\r\n', 'CLIENT', 'KILL', 'USER', 'hel');
  assert.equal(await d.waitClosed(5000), true);
  await expectReply(admin, "-ERR No such user 'nosuch'\r\n", 'CLIENT', 'KILL', 'USER', 'nosuch');
  await expectReply(admin, ':1\r\n', 'ACL', 'DELUSER', 'hel');
  c.close();
  admin.close();
});
