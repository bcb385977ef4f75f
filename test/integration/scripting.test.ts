/*
 * Lua scripting and functions over TCP, with exact replies as
 * redis-server 7.0.15 gives them: conversions both ways in RESP2 and
 * RESP3, script errors with their " script: <sha>, on @user_script:<n>."
 * suffix, EVAL_RO and no-writes refusals, SCRIPT LOAD/EXISTS/FLUSH, the
 * busy-script protocol (-BUSY for other clients, SCRIPT KILL, UNKILLABLE),
 * FUNCTION LOAD/LIST/DUMP/RESTORE/DELETE and FCALL, and ioredis's
 * defineCommand (EVALSHA with fallback to EVAL).
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createHash } from 'crypto';
import { startNodis, RawConnection, resp, expectReplies as on, waitFor, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let c: RawConnection;

before(async () => {
  srv = await startNodis(['--enable-debug-command', 'yes']);
  c = await RawConnection.connect(srv.port);
});
after(async () => {
  c.close();
  await srv.stop();
});

const expect = (cmds: string[][], expected: string) => on(c, cmds, expected);
const sha = (s: string): string => createHash('sha1').update(s).digest('hex');

test('Lua values to RESP2', async () => {
  await expect([['eval', 'return 100.5', '0']], ':100\r\n');
  await expect([['eval', "return 'hello'", '0']], '$5\r\nhello\r\n');
  await expect([['eval', 'return true', '0']], ':1\r\n');
  await expect([['eval', 'return false', '0']], '$-1\r\n');
  await expect([['eval', "return {1,2,3,'ciao',{1,2}}", '0']], '*5\r\n:1\r\n:2\r\n:3\r\n$4\r\nciao\r\n*2\r\n:1\r\n:2\r\n');
  await expect([['eval', "return {1,2,nil,4}", '0']], '*2\r\n:1\r\n:2\r\n');
  await expect([['eval', "return {ok='fine'}", '0']], '+fine\r\n');
  await expect([['eval', "return {err='My Error'}", '0']], '-My Error\r\n');
  await expect([['eval', 'return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}', '2', 'a', 'b', 'c', 'd']], '*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n');
});

test('RESP replies to Lua and back', async () => {
  await expect([['del', 'mylist'], ['rpush', 'mylist', 'a', 'b', 'c']], ':0\r\n:3\r\n');
  await expect([['eval', "return redis.call('lrange', KEYS[1], 0, -1)", '1', 'mylist']], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
  await expect([['eval', "return redis.call('set', 'x', 'y')", '0']], '+OK\r\n');
  await expect([['eval', "return redis.call('get', 'nokey')", '0']], '$-1\r\n');
  await expect([['eval', "return type(redis.call('get', 'nokey'))", '0']], '$7\r\nboolean\r\n');
  await expect([['eval', "return redis.call('incr', 'counter')", '0']], ':1\r\n');
  await expect([['eval', "return redis.pcall('incr', 'x')", '0']], '-ERR value is not an integer or out of range\r\n');
});

test('RESP3: setresp(3) and a RESP3 client', async () => {
  const c3 = await RawConnection.connect(srv.port);
  try {
    await c3.request(resp('hello', '3'));
    await on(c3, [['del', 'h'], ['hset', 'h', 'f', 'v']], ':0\r\n:1\r\n');
    await on(c3, [['eval', "redis.setresp(3); return redis.call('hgetall', KEYS[1])", '1', 'h']], '%1\r\n$1\r\nf\r\n$1\r\nv\r\n');
    await on(c3, [['eval', 'redis.setresp(3); return {double=3.14}', '0']], ',3.1400000000000001\r\n');
    await on(c3, [['eval', 'redis.setresp(3); return true', '0']], '#t\r\n');
    await on(c3, [['eval', 'return nil', '0']], '_\r\n');
    await on(c3, [['eval', "redis.setresp(3); return {set={a=true}}", '0']], '~1\r\n$1\r\na\r\n');
  } finally {
    c3.close();
  }
  // the same map to a RESP2 client is a flat array
  await expect([['eval', "redis.setresp(3); return redis.call('hgetall', KEYS[1])", '1', 'h']], '*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
});

test('script errors carry Redis suffix', async () => {
  await expect([['eval', "error('foo')", '0']], `-ERR user_script:1: foo script: ${sha("error('foo')")}, on @user_script:1.\r\n`);
  await expect([['eval', "error({err='X y'})", '0']], `-X y script: ${sha("error({err='X y'})")}, on @user_script:1.\r\n`);
  await expect([['eval', "return redis.call('nosuch')", '0']], `-ERR Unknown Redis command called from script script: ${sha("return redis.call('nosuch')")}, on @user_script:1.\r\n`);
  await expect([['eval', 'x=1', '0']], `-ERR user_script:1: Attempt to modify a readonly table script: ${sha('x=1')}, on @user_script:1.\r\n`);
  await expect([['eval', 'return x', '0']], "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n");
  await expect([['eval', 'syntax error here', '0']], "-ERR Error compiling script (new function): user_script:1: '=' expected near 'error'\r\n");
  await expect([['eval', "return redis.call('lpush','k')", '0']], `-ERR Wrong number of args calling Redis command from script script: ${sha("return redis.call('lpush','k')")}, on @user_script:1.\r\n`);
  await expect([['eval', 'return 1', '2', 'a']], "-ERR Number of keys can't be greater than number of args\r\n");
  await expect([['eval', 'return 1', '-1']], "-ERR Number of keys can't be negative\r\n");
  // numkeys is read as Redis's string2ll does: no leading zeros, no '+', no '-0', 64-bit range
  for (const bad of ['00', '05', '-0', '+1', ' 1', '1.0', '9223372036854775808']) {
    await expect([['eval', 'return 1', bad, 'a']], '-ERR value is not an integer or out of range\r\n');
  }
  await expect([['eval', 'return 1', '99999999999999999', 'a']], "-ERR Number of keys can't be greater than number of args\r\n");
  await expect([['eval', 'return 1', '-99999999999999999', 'a']], "-ERR Number of keys can't be negative\r\n");
  await expect([['evalsha', 'ffffffffffffffffffffffffffffffffffffffff', '0']], '-NOSCRIPT No matching script. Please use EVAL.\r\n');
});

test('read-only scripts and noscript commands', async () => {
  await expect([['eval_ro', "return redis.call('set','x','y')", '0']], `-ERR Write commands are not allowed from read-only scripts. script: ${sha("return redis.call('set','x','y')")}, on @user_script:1.\r\n`);
  await expect([['eval', "#!lua flags=no-writes\nreturn redis.call('set','x','y')", '0']], `-ERR Write commands are not allowed from read-only scripts. script: ${sha("#!lua flags=no-writes\nreturn redis.call('set','x','y')")}, on @user_script:2.\r\n`);
  await expect([['eval', "#!lua\nreturn redis.call('get','x')", '0']], '$1\r\ny\r\n');
  await expect([['eval_ro', "#!lua\nreturn 1", '0']], '-ERR Can not execute a script with write flag using *_ro command.\r\n');
  await expect([['eval', "#!lua flags=foo\nreturn 1", '0']], '-ERR Unexpected flag in script shebang: foo\r\n');
  await expect([['eval', "return redis.call('blpop','x',0)", '0']], `-ERR This Redis command is not allowed from script script: ${sha("return redis.call('blpop','x',0)")}, on @user_script:1.\r\n`);
});

test('SCRIPT LOAD, EXISTS, FLUSH', async () => {
  const sha = 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db';
  await expect([['script', 'flush']], '+OK\r\n');
  await expect([['script', 'load', 'return 1']], `$40\r\n${sha}\r\n`);
  await expect([['script', 'exists', sha, 'ffffffffffffffffffffffffffffffffffffffff']], '*2\r\n:1\r\n:0\r\n');
  await expect([['evalsha', sha, '0']], ':1\r\n');
  await expect([['evalsha', sha.toUpperCase(), '0']], ':1\r\n');
  await expect([['script', 'flush', 'async']], '+OK\r\n');
  await expect([['script', 'exists', sha]], '*1\r\n:0\r\n');
  await expect([['script', 'kill']], '-NOTBUSY No scripts in execution right now.\r\n');
});

test('SELECT inside a script does not change the caller database', async () => {
  await expect([['select', '0'], ['set', 'k', 'db0'], ['select', '1'], ['set', 'k', 'db1'], ['select', '0']], '+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n');
  await expect([['eval', "redis.call('select', 1); return redis.call('get', 'k')", '0'], ['get', 'k']], '$3\r\ndb1\r\n$3\r\ndb0\r\n');
});

test('a busy script: -BUSY for others, SCRIPT KILL ends it', async () => {
  const admin = await RawConnection.connect(srv.port);
  const runner = await RawConnection.connect(srv.port);
  try {
    await on(admin, [['config', 'set', 'busy-reply-threshold', '50']], '+OK\r\n');
    runner.write(resp('eval', 'while true do end', '0') + resp('ping'));
    // the script runs past the threshold: other clients are refused until it is killed
    let reply = '';
    for (let i = 0; i < 100; i++) {
      reply = await admin.request(resp('ping'));
      if (reply.startsWith('-BUSY')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(reply, '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
    await on(admin, [['script', 'kill']], '+OK\r\n');
    await runner.readUntil((s) => s.endsWith('+PONG\r\n'), 20000);
    const got = await runner.read();
    assert.match(got, /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n\+PONG\r\n$/);
    await on(admin, [['ping']], '+PONG\r\n');
    // a script that wrote cannot be killed
    runner.write(resp('eval', "redis.call('set','busykey','1') local t = redis.call('time') while true do local n = redis.call('time') if tonumber(n[1]) > tonumber(t[1]) + 1 then break end end return 'done'", '0'));
    for (let i = 0; i < 100; i++) {
      reply = await admin.request(resp('script', 'kill'));
      if (!reply.startsWith('-NOTBUSY')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(reply, '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE option.\r\n');
    assert.equal(await runner.readUntil((s) => s.endsWith('\r\n'), 20000), '$4\r\ndone\r\n');
    await on(admin, [['config', 'set', 'busy-reply-threshold', '5000']], '+OK\r\n');
  } finally {
    admin.close();
    runner.close();
  }
});

test('a script that goes busy keeps its frozen clock: no active expiry while it holds the server', async () => {
  const admin = await RawConnection.connect(srv.port);
  try {
    await on(admin, [['debug', 'set-disable-deny-scripts', '1'], ['config', 'set', 'busy-reply-threshold', '20']], '+OK\r\n+OK\r\n');
    // the sleep outlasts the threshold (the server serves -BUSY from its event loop meanwhile)
    const script = "redis.call('set', KEYS[1], 'v', 'PX', '1') redis.call('debug', 'sleep', '0.3') return redis.call('exists', KEYS[1])";
    await on(admin, [['eval', script, '1', 'frozen']], ':1\r\n');
    await on(admin, [['exists', 'frozen']], ':0\r\n');
  } finally {
    await on(admin, [['config', 'set', 'busy-reply-threshold', '5000'], ['debug', 'set-disable-deny-scripts', '0']], '+OK\r\n+OK\r\n');
    admin.close();
  }
});

test('functions: LOAD, FCALL, LIST, DUMP/RESTORE, DELETE', async () => {
  const code = "#!lua name=mylib\nredis.register_function('myset', function(keys, args) return redis.call('set', keys[1], args[1]) end)\nredis.register_function{function_name='myget', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}";
  await expect([['function', 'flush']], '+OK\r\n');
  await expect([['function', 'load', code]], '$5\r\nmylib\r\n');
  await expect([['function', 'load', code]], "-ERR Library 'mylib' already exists\r\n");
  await expect([['fcall', 'myset', '1', 'fk', 'fv'], ['fcall_ro', 'myget', '1', 'fk']], '+OK\r\n$2\r\nfv\r\n');
  await expect([['fcall_ro', 'myset', '1', 'fk', 'x']], '-ERR Can not execute a script with write flag using *_ro command.\r\n');
  await expect([['fcall', 'nosuch', '0']], '-ERR Function not found\r\n');
  for (const bad of ['00', '-0', '+1', '1.0', '9223372036854775808']) {
    await expect([['fcall', 'myget', bad, 'fk']], '-ERR Bad number of keys provided\r\n');
  }
  await expect([['fcall', 'myget', '99999999999999999', 'fk']], "-ERR Number of keys can't be greater than number of args\r\n");
  await expect([['function', 'list', 'libraryname', 'mylib']],
    '*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n' +
    '*6\r\n$4\r\nname\r\n$5\r\nmyset\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n' +
    '*6\r\n$4\r\nname\r\n$5\r\nmyget\r\n$11\r\ndescription\r\n$5\r\nreads\r\n$5\r\nflags\r\n*1\r\n$9\r\nno-writes\r\n');
  await expect([['function', 'load', "#!lua name=bad\nredis.register_function('f')"]],
    '-ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).\r\n');
  await expect([['function', 'load', '#!lua name=empty\nreturn 1']], '-ERR No functions registered\r\n');
  await expect([['function', 'load', "#!lua name=err\nredis.register_function('f', function() return x end)"], ['fcall', 'f', '0']],
    "$3\r\nerr\r\n-ERR user_function:2: Script attempted to access nonexistent global variable 'x' script: f, on @user_function:2.\r\n");
  const r = new Redis({ port: srv.port, lazyConnect: true });
  await r.connect();
  try {
    const dump = await r.callBuffer('function', 'dump') as Buffer;
    assert.equal(await r.call('function', 'flush'), 'OK');
    assert.equal(await r.call('function', 'restore', dump), 'OK');
    assert.equal(await r.call('fcall', 'myget', '1', 'fk'), 'fv');
    assert.equal(await r.call('function', 'delete', 'mylib'), 'OK');
    await assert.rejects(r.call('function', 'delete', 'mylib'), /Library not found/);
  } finally {
    r.disconnect();
  }
});

test('functions: a library body sees only the load API; its functions see every global (replies of redis-server 7.0.15)', async () => {
  const reg = (line: number, what: string): string =>
    `-ERR Error registering functions: ERR user_function:${line}: ${what}\r\n`;
  const nx = (name: string): string => `Script attempted to access nonexistent global variable '${name}'`;
  await expect([['function', 'load', '#!lua name=g1\nreturn math.random()']], reg(2, nx('math')));
  await expect([['function', 'load', '#!lua name=g1\nmt = getmetatable(_G)']], reg(2, nx('getmetatable')));
  await expect([['function', 'load', '#!lua name=g1\nlocal a = _G']], reg(2, nx('_G')));
  await expect([['function', 'load', '#!lua name=g1\nlocal ok = pcall(function() return 1 end)']], reg(2, nx('pcall')));
  await expect([['function', 'load', '#!lua name=g1\nlocal x = 1\na = 1']], reg(3, 'Attempt to modify a readonly table'));
  // declared functions may use globals; a global function definition is a write
  await expect([['function', 'load', '#!lua name=g1\nlocal t = {math = 1}\nlocal function h(n) return tonumber(n) + t.math end\nfunction globalfn() return 1 end']],
    reg(4, 'Attempt to modify a readonly table'));
  await expect([['function', 'load', "#!lua name=g1\nredis.log(redis.LOG_WARNING, 'loading')\nredis.register_function('v', function() return redis.REDIS_VERSION end)\nlocal s = tostring(1)"]],
    reg(4, nx('tostring')));
  const lib = "#!lua name=g2\nlocal f = function() return string.format('%d', 5) end\n" +
    "redis.register_function('gf', function() return f() .. tostring(_G ~= nil) end)\n" +
    "redis.register_function('gp', function() local ok, e = pcall(function() return nosuch end) return {tostring(ok), e} end)\n" +
    "redis.register_function('gw', function() x = 5 end)\n" +
    "redis.register_function('gn', function() return nosuch end)";
  await expect([['function', 'load', 'replace', lib]], '$2\r\ng2\r\n');
  await expect([['fcall', 'gf', '0']], '$5\r\n5true\r\n');
  await expect([['fcall', 'gp', '0']], `*2\r\n$5\r\nfalse\r\n$80\r\nuser_function:4: ${nx('nosuch')}\r\n`);
  await expect([['fcall', 'gw', '0']], '-ERR user_function:5: Attempt to modify a readonly table script: gw, on @user_function:5.\r\n');
  await expect([['fcall', 'gn', '0']], `-ERR user_function:6: ${nx('nosuch')} script: gn, on @user_function:6.\r\n`);
  await expect([['function', 'delete', 'g2']], '+OK\r\n');
});

test('functions: what a library body logs is logged once, when it loads (not at every FCALL)', async () => {
  const count = (what: string): number => srv.output().split(what).length - 1;
  await expect([['function', 'load', 'replace', "#!lua name=lg\nredis.log(redis.LOG_WARNING, 'lg body ran')\nredis.register_function('lgf', function() redis.log(redis.LOG_WARNING, 'lgf called') return 1 end)"]], '$2\r\nlg\r\n');
  await expect([['fcall', 'lgf', '0'], ['fcall', 'lgf', '0']], ':1\r\n:1\r\n');
  // a marker logged after the calls: once it is out, so is everything before it
  await expect([['eval', "redis.log(redis.LOG_WARNING, 'lg marker')", '0']], '$-1\r\n');
  await waitFor(() => count('lg marker') === 1, 'the marker in the log');
  assert.equal(count('lg body ran'), 1);
  assert.equal(count('lgf called'), 2);
  await expect([['function', 'delete', 'lg']], '+OK\r\n');
});

test('ioredis defineCommand (EVALSHA, falling back to EVAL)', async () => {
  const r = new Redis({ port: srv.port, lazyConnect: true });
  await r.connect();
  try {
    await r.script('FLUSH');
    r.defineCommand('incrTwice', { numberOfKeys: 1, lua: "redis.call('incr', KEYS[1]); return redis.call('incrby', KEYS[1], ARGV[1])" });
    await r.del('dc');
    const cmd = r as unknown as { incrTwice(k: string, n: number): Promise<number> };
    assert.equal(await cmd.incrTwice('dc', 10), 11);
    assert.equal(await cmd.incrTwice('dc', 10), 22);
  } finally {
    r.disconnect();
  }
});
