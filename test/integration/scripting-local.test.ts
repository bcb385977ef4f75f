/*
 * Scripts run first on the main thread (an in-process engine with an
 * instruction and time budget) and move to the Lua worker when they outgrow
 * it: the worker runs them again from the start, answering the commands the
 * attempt already ran from its journal. This server gets a tiny budget
 * (20000 instructions) so that short loops cross it: the replies, the
 * dataset and the log must be as if each script had run once.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'crypto';
import { startNodis, RawConnection, resp, expectReplies, ask, infoField, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let c: RawConnection;

before(async () => {
  process.env.NODIS_LUA_LOCAL_FUEL = '20000';
  srv = await startNodis(['--enable-debug-command', 'yes']);
  delete process.env.NODIS_LUA_LOCAL_FUEL;
  c = await RawConnection.connect(srv.port);
  // the in-process engine starts with the first script
  assert.equal(await c.request(resp('eval', 'return 1', '0')), ':1\r\n');
  await new Promise((r) => setTimeout(r, 500));
});
after(async () => {
  c.close();
  await srv.stop();
});

const expect = (cmds: string[][], expected: string) => expectReplies(c, cmds, expected);
const sha = (s: string): string => createHash('sha1').update(s).digest('hex');
const LOOP = 'local x = 0 for i = 1, 100000 do x = x + i end';

test('short scripts: replies and error texts', async () => {
  const s = "return redis.call('incr', KEYS[1])";
  await expect([['del', 'n'], ['eval', s, '1', 'n'], ['evalsha', sha(s), '1', 'n']], ':0\r\n:1\r\n:2\r\n');
  await expect([['eval', "return {1, 'a', {ok = 'fine'}, {err = 'My Error'}}", '0']], '*4\r\n:1\r\n$1\r\na\r\n+fine\r\n-My Error\r\n');
  const e = "redis.call('set', 'k', 'v')\nreturn redis.call('incr', 'k')";
  await expect([['eval', e, '0']], `-ERR value is not an integer or out of range script: ${sha(e)}, on @user_script:2.\r\n`);
  await expect([['eval', 'return nosuch', '0']], `-ERR user_script:1: Script attempted to access nonexistent global variable 'nosuch' script: ${sha('return nosuch')}, on @user_script:1.\r\n`);
  await expect([['eval', 'return +', '0']], "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n");
});

test('a script past its budget writes once and returns what it computed', async () => {
  const s = `redis.call('incr', 'w') ${LOOP} redis.call('incr', 'w') return {x, redis.call('get', 'w')}`;
  await expect([['del', 'w'], ['eval', s, '0'], ['get', 'w']], ':0\r\n*2\r\n:5000050000\r\n$1\r\n2\r\n$1\r\n2\r\n');
});

test('commands that ran before the move keep their effect on the script client (SELECT)', async () => {
  const s = `redis.call('select', 9) redis.call('set', 'sel', 'nine') ${LOOP} return redis.call('get', 'sel')`;
  await expect([['select', '0'], ['del', 'sel'], ['eval', s, '0'], ['get', 'sel'], ['select', '9'], ['get', 'sel'], ['select', '0']],
    '+OK\r\n:0\r\n$4\r\nnine\r\n$-1\r\n+OK\r\n$4\r\nnine\r\n+OK\r\n');
});

test('many commands past the budget: each runs once', async () => {
  const s = "for i = 1, 5000 do redis.call('rpush', KEYS[1], i) end return redis.call('llen', KEYS[1])";
  await expect([['del', 'l'], ['eval', s, '1', 'l'], ['lindex', 'l', '-1'], ['llen', 'l']], ':0\r\n:5000\r\n$4\r\n5000\r\n:5000\r\n');
});

test('a script catching the budget error never sees it', async () => {
  const s = `local ok, e = pcall(function() ${LOOP} return x end) return {ok and 1 or 0, e}`;
  await expect([['eval', s, '0']], '*2\r\n:1\r\n:5000050000\r\n');
});

test('an error after the move: the text and line are the script\'s', async () => {
  const s = `redis.call('set', 'e1', 'x')\n${LOOP}\nreturn redis.call('incr', 'e1')`;
  await expect([['eval', s, '0']], `-ERR value is not an integer or out of range script: ${sha(s)}, on @user_script:3.\r\n`);
});

test('redis.log before the move is logged once', async () => {
  const s = `redis.log(redis.LOG_WARNING, 'local-log-marker') ${LOOP} return 1`;
  await expect([['eval', s, '0']], ':1\r\n');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.output().split('local-log-marker').length - 1, 1);
});

test('functions run in process too', async () => {
  const code = `#!lua name=loclib\nredis.register_function('bump', function(keys) redis.call('incr', keys[1]) ${LOOP} return redis.call('incr', keys[1]) end)`;
  await expect([['function', 'load', 'replace', code], ['del', 'f'], ['fcall', 'bump', '1', 'f'], ['get', 'f']], '$6\r\nloclib\r\n:0\r\n:2\r\n$1\r\n2\r\n');
});

test("the in-process engine's memory is Lua's, not the dataset's: used_memory does not include it", async () => {
  // the engine runs (started by before()): its fixed 64 MB wasm heap must not show in used_memory
  const used = Number(infoField(await ask(c, ['INFO', 'memory']), 'used_memory'));
  assert.ok(used < 48 * 1024 * 1024, String(used));
});
