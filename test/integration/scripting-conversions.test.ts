/*
 * Lua <-> RESP conversions as redis-server 7.0.15 makes them, checked byte
 * for byte in RESP2 and RESP3 (expected replies recorded from the reference
 * server): number arguments of redis.call (%.17g), argument type errors and
 * the line a failed call reports, RESP3 replies given to Lua (null -> nil,
 * maps and sets, attributes skipped), the RESP3 types a script returns
 * whatever its own protocol, redis.sha1hex's errors, redis.set_repl's
 * checks, XREAD BLOCK from a script, function libraries surviving DEBUG
 * RELOAD, and a SCRIPT DEBUG SYNC session.
 */
import { test, before, after } from 'node:test';
import { createHash } from 'crypto';
import { startNodis, RawConnection, resp, expectReplies, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let c2: RawConnection;
let c3: RawConnection;

before(async () => {
  srv = await startNodis(['--enable-debug-command', 'yes']);
  c2 = await RawConnection.connect(srv.port);
  c3 = await RawConnection.connect(srv.port);
  await c3.request(resp('hello', '3'));
  await c2.request(resp('debug', 'set-disable-deny-scripts', '1'), '+OK\r\n');
});
after(async () => {
  c2.close();
  c3.close();
  await srv.stop();
});

const sha = (s: string): string => createHash('sha1').update(s).digest('hex');

const on = (conn: RawConnection, cmd: string[], expected: string) => expectReplies(conn, [cmd], expected);
/** the same script to a RESP2 and to a RESP3 client */
async function both(script: string, r2: string, r3: string): Promise<void> {
  await on(c2, ['eval', script, '0'], r2);
  await on(c3, ['eval', script, '0'], r3);
}

test('number arguments of redis.call are sent with 17 digits', async () => {
  await on(c2, ['eval', "local v = 9007199254740991\nredis.call('set', 'n', v)\nreturn redis.call('get', 'n')", '0'], '$16\r\n9007199254740991\r\n');
  await on(c2, ['eval', "redis.call('set', 'n', 0.1) return redis.call('get', 'n')", '0'], '$19\r\n0.10000000000000001\r\n');
  await on(c2, ['eval', "redis.call('set', 'n', 1e20) return redis.call('get', 'n')", '0'], '$5\r\n1e+20\r\n');
  await on(c2, ['eval', "local x = 3\nreturn {redis.call('set', 'n', x * 2), redis.call('get', 'n')}", '0'], '*2\r\n+OK\r\n$1\r\n6\r\n');
  await on(c2, ['eval', "local t = {} for i = 1, 7999 do t[i] = 1 end return redis.call('lpush', 'nl', unpack(t))", '0'], ':7999\r\n');
});

test('argument type errors and the line of a failed call', async () => {
  const s1 = "local x = {}\n\nreturn redis.call('ping', x)";
  await on(c2, ['eval', s1, '0'], `-ERR Lua redis lib command arguments must be strings or integers script: ${sha(s1)}, on @user_script:3.\r\n`);
  await on(c2, ['eval', "local x = {}\nreturn redis.pcall('ping', x)", '0'], '-ERR Lua redis lib command arguments must be strings or integers\r\n');
  const s2 = "local k = 'n'\n\nreturn redis.call('hset', k, 1.5)";
  await on(c2, ['eval', s2, '0'], `-ERR Wrong number of args calling Redis command from script script: ${sha(s2)}, on @user_script:3.\r\n`);
  const s3 = "redis.setresp(3)\nreturn redis.call('nosuch')";
  await on(c2, ['eval', s3, '0'], `-ERR Unknown Redis command called from script script: ${sha(s3)}, on @user_script:2.\r\n`);
  await on(c2, ['eval', "return {pcall(function() return redis.call('nosuch') end)}", '0'], '*2\r\n$-1\r\n$44\r\nERR Unknown Redis command called from script\r\n');
  // not a call: strings and comments are left alone
  await on(c2, ['eval', "return 'redis.call(\"x\")' .. [[redis.call('y')]] -- redis.call('z')", '0'], '$30\r\nredis.call("x")redis.call(\'y\')\r\n');
});

test('RESP3 replies given to Lua', async () => {
  await both("redis.setresp(3) return redis.call('debug', 'protocol', 'null')", '$-1\r\n', '_\r\n');
  await on(c2, ['eval', "redis.setresp(3) return redis.call('get', 'nokey') == nil", '0'], ':1\r\n');
  await on(c2, ['eval', "redis.setresp(3) return {redis.call('debug', 'protocol', 'null'), 2}", '0'], '*0\r\n');
  await both("redis.setresp(3) return redis.call('debug', 'protocol', 'attrib')", '$39\r\nSome real reply following the attribute\r\n', '$39\r\nSome real reply following the attribute\r\n');
  // maps and sets iterate in Redis's order
  await both("redis.setresp(3) return redis.call('debug', 'protocol', 'map')", '*6\r\n:1\r\n:1\r\n:2\r\n:0\r\n:0\r\n:0\r\n', '%3\r\n:1\r\n#t\r\n:2\r\n#f\r\n:0\r\n#f\r\n');
  await both("redis.setresp(3) return redis.call('debug', 'protocol', 'set')", '*3\r\n:1\r\n:2\r\n:0\r\n', '~3\r\n:1\r\n:2\r\n:0\r\n');
  await on(c2, ['del', 'h3'], ':0\r\n');
  await on(c2, ['hset', 'h3', 'a', '1', 'b', '2', 'c', '3'], ':3\r\n');
  await on(c3, ['eval', "redis.setresp(3) return redis.call('hgetall', 'h3')", '0'], '%3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n');
  await both("redis.setresp(3) return redis.call('debug', 'protocol', 'bignum')", '$37\r\n1234567999999999999999999999999999999\r\n', '(1234567999999999999999999999999999999\r\n');
  await both("redis.setresp(3) return redis.call('debug', 'protocol', 'verbatim')", '$25\r\nThis is a verbatim\nstring\r\n', '=29\r\ntxt:This is a verbatim\nstring\r\n');
  await both('redis.setresp(3) return false', ':0\r\n', '#f\r\n');
  await both('return false', '$-1\r\n', '_\r\n');
});

test('RESP3 types returned by a script whatever its protocol', async () => {
  await both("return {big_number='123\\r\\n123'}", '$8\r\n123  123\r\n', '(123  123\r\n');
  await both('return {double=3.14}', '$18\r\n3.1400000000000001\r\n', ',3.1400000000000001\r\n');
  await both("return {verbatim_string={format='txt', string='hello'}}", '$5\r\nhello\r\n', '=9\r\ntxt:hello\r\n');
  await both('return {map={a=1}}', '*2\r\n$1\r\na\r\n:1\r\n', '%1\r\n$1\r\na\r\n:1\r\n');
  await both('return {set={a=true}}', '*1\r\n$1\r\na\r\n', '~1\r\n$1\r\na\r\n');
  await both("return {1, {map={x={double=1.5}}}, {set={z=false}}, {big_number='9'}}",
    '*4\r\n:1\r\n*2\r\n$1\r\nx\r\n$3\r\n1.5\r\n*1\r\n$1\r\nz\r\n$1\r\n9\r\n',
    '*4\r\n:1\r\n%1\r\n$1\r\nx\r\n,1.5\r\n~1\r\n$1\r\nz\r\n(9\r\n');
  await both('return {err=5}', '*0\r\n', '*0\r\n');
});

test('redis.sha1hex, redis.set_repl and XREAD BLOCK errors', async () => {
  const s1 = '\n\nredis.sha1hex()';
  await on(c2, ['eval', s1, '0'], `-ERR wrong number of arguments script: ${sha(s1)}, on @user_script:3.\r\n`);
  await on(c2, ['eval', 'return redis.sha1hex(nil)', '0'], '$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n');
  await on(c2, ['eval', 'return {pcall(function() return redis.sha1hex() end)}', '0'], '*2\r\n$-1\r\n$29\r\nERR wrong number of arguments\r\n');
  const s2 = 'redis.set_repl(12345)';
  await on(c2, ['eval', s2, '0'], `-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: ${sha(s2)}, on @user_script:1.\r\n`);
  const s3 = 'redis.set_repl(redis.REPL_NONE) redis.call("set", "sr", "1") redis.set_repl(redis.REPL_ALL) return redis.call("get", "sr")';
  await on(c2, ['eval', s3, '0'], '$1\r\n1\r\n');
  await on(c2, ['eval', 'redis = function() return 1 end', '0'], `-ERR user_script:1: Attempt to modify a readonly table script: ${sha('redis = function() return 1 end')}, on @user_script:1.\r\n`);
  await on(c2, ['del', 'st'], ':0\r\n');
  await on(c2, ['xgroup', 'create', 'st', 'g', '$', 'MKSTREAM'], '+OK\r\n');
  await on(c2, ['eval', "return redis.pcall('xread','BLOCK',0,'STREAMS','st','$')", '0'], '-ERR xread command is not allowed with BLOCK option from scripts\r\n');
  await on(c2, ['eval', "return redis.pcall('XREADGROUP','group','g','c','BLOCK',0,'STREAMS','st','>')", '0'], '-ERR XREADGROUP command is not allowed with BLOCK option from scripts\r\n');
});

test('functions: call conversions, load-time names, redis = ... refused, DEBUG RELOAD keeps libraries', async () => {
  const lib = "#!lua name=conv\nredis.register_function('f1', function(keys, args)\n  local v = 9007199254740991\n  redis.call('set', 'fk', v)\n  return redis.call('get', 'fk')\nend)\n" +
    "redis.register_function('f2', function()\n  redis = function() return 1 end\nend)";
  await on(c2, ['function', 'load', 'replace', lib], '$4\r\nconv\r\n');
  await on(c2, ['fcall', 'f1', '0'], '$16\r\n9007199254740991\r\n');
  await on(c2, ['fcall', 'f2', '0'], '-ERR user_function:8: Attempt to modify a readonly table script: f2, on @user_function:8.\r\n');
  await on(c2, ['function', 'load', 'replace', "#!lua name=conv2\nlocal x = 1.5\nreturn redis.call('ping', x)"],
    "-ERR Error registering functions: ERR user_function:3: Script attempted to access nonexistent global variable 'call'\r\n");
  await on(c2, ['debug', 'reload'], '+OK\r\n');
  await on(c2, ['fcall', 'f1', '0'], '$16\r\n9007199254740991\r\n');
  await on(c2, ['debug', 'reload', 'noflush'], '-ERR Error trying to load the RDB dump\r\n');
  await on(c2, ['debug', 'reload', 'noflush', 'merge'], '+OK\r\n');
  await on(c2, ['function', 'delete', 'conv'], '+OK\r\n');
});

test('SCRIPT DEBUG SYNC: a session stopped at line 1', async () => {
  const d = await RawConnection.connect(srv.port);
  try {
    await on(d, ['script', 'debug', 'maybe'], '-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n');
    await on(d, ['script', 'debug', 'sync'], '+OK\r\n');
    await on(d, ['evalsha', 'ffffffffffffffffffffffffffffffffffffffff', '0'], '-ERR Please use EVAL instead of EVALSHA for debugging\r\n');
    await on(d, ['eval', 'local a = 1\nreturn "hello"', '0'], '*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   local a = 1\r\n');
    await on(d, ['hello\0world'], '*1\r\n+<error> Unknown Redis Lua debugger command or wrong number of arguments.\r\n');
    await on(d, ['redis', 'test', 'test'], '*2\r\n+<redis> test test\r\n+<error> Unknown Redis command called from script\r\n');
    await on(d, ['redis', 'get', 'nokey'], '*2\r\n+<redis> get nokey\r\n+<reply> NULL\r\n');
    await on(d, ['list'], '*2\r\n+-> 1   local a = 1\r\n+   2   return "hello"\r\n');
    await on(d, ['print'], '*1\r\n+No local variables in the current context.\r\n');
    await on(d, ['continue'], '*1\r\n+<endsession>\r\n$5\r\nhello\r\n');
  } finally {
    d.close();
  }
  await on(c2, ['ping'], '+PONG\r\n');
});
