/*
 * Free-name analysis of Lua text (src/scripting/lua-globals.ts): which names
 * of a function library are globals, and that prefixing them keeps every
 * valid program compiling. The compile checks use the same Lua 5.1 engine
 * as the server (lua-redis-wasm, standalone).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { load } from 'lua-redis-wasm';
import { prefixFreeNames, freeNamePositions, tokenize } from '../../src/scripting/lua-globals';

const KEEP: ReadonlySet<string> = new Set(['redis']);
const rewrite = (src: string): string => prefixFreeNames(src, 'G', KEEP) ?? src;

const CASES: [string, string][] = [
  ['return math.random()', 'return G.math.random()'],
  ['x = 1', 'G.x = 1'],
  ['local x = 1 return x', 'local x = 1 return x'],
  ['local a, b = 1, 2 c = a + b', 'local a, b = 1, 2 G.c = a + b'],
  // a name right after a declaration starts a new statement
  ['local a\nb = 1', 'local a\nG.b = 1'],
  ['function f() return y end', 'function G.f() return G.y end'],
  ['local function f(n) if n > 0 then return f(n - 1) end return n end', 'local function f(n) if n > 0 then return f(n - 1) end return n end'],
  ['function t.a.b:c(p) return self, p, q end', 'function G.t.a.b:c(p) return self, p, G.q end'],
  ['local f = function(a, ...) return a, ... end', 'local f = function(a, ...) return a, ... end'],
  // field names and table keys are not variables
  ['local t = {k = v, [k] = 1, v; w}', 'local t = {k = G.v, [G.k] = 1, G.v; G.w}'],
  ['local t = {f = function() k = 1 end}', 'local t = {f = function() G.k = 1 end}'],
  ['local t = {a == b}', 'local t = {G.a == G.b}'],
  ['s = a.b.c .. d:e(f)', 'G.s = G.a.b.c .. G.d:e(G.f)'],
  // loops
  ['for i = 1, n do s = i end return i', 'for i = 1, G.n do G.s = i end return G.i'],
  ['for k, v in pairs(t) do print(k, v) end', 'for k, v in G.pairs(G.t) do G.print(k, v) end'],
  ['while c do local c = 1 end return c', 'while G.c do local c = 1 end return G.c'],
  ['do local z = 1 end return z', 'do local z = 1 end return G.z'],
  ['if a then local b = 1 elseif b then local a = 2 else return a, b end', 'if G.a then local b = 1 elseif G.b then local a = 2 else return G.a, G.b end'],
  // a repeat block's locals reach its condition (and, conservatively, beyond)
  ['repeat local r = 1 until r', 'repeat local r = 1 until r'],
  // strings, comments and numbers hold no names
  ['return "a b" .. \'c\' .. [[d e]] .. [==[f]]g]==] -- h i\n--[[ j ]] --[=[ k ]=]', 'return "a b" .. \'c\' .. [[d e]] .. [==[f]]g]==] -- h i\n--[[ j ]] --[=[ k ]=]'],
  ['return 1e5 + 0x1F + 3.5e-2 + .5 + e', 'return 1e5 + 0x1F + 3.5e-2 + .5 + G.e'],
  ['return "esc\\"aped" .. x', 'return "esc\\"aped" .. G.x'],
  // the kept name
  ["redis.register_function('f', function(keys, args) return redis.call('get', keys[1]) end)", "redis.register_function('f', function(keys, args) return redis.call('get', keys[1]) end)"],
  // method-call sugar with string and table arguments
  ['f"x" g{y = z}', 'G.f"x" G.g{y = G.z}'],
];

test('free names are prefixed, locals, fields and keys are not', () => {
  for (const [src, want] of CASES) assert.equal(rewrite(src), want, src);
});

test('text that does not tokenize or nest is left alone', () => {
  for (const src of ['x = "unterminated', 'x = [[open', 'end', 'do', '(', 'f())', 'x = {]', 'repeat end', '@', 'a ~ b']) {
    assert.equal(freeNamePositions(src, KEEP), null, src);
  }
  assert.equal(prefixFreeNames('local a = 1', 'G', KEEP), null);
});

test('tokenize never throws and the analysis never throws (random input)', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const pieces = ['local', 'function', 'end', 'do', 'for', 'in', 'while', 'repeat', 'until', 'if', 'then', 'else', 'elseif',
    'return', 'x', 'y', 'self', '=', '==', ',', '.', '..', '...', ':', '(', ')', '[', ']', '{', '}', '"s', "'", '[[', ']]',
    '--', '\n', ' ', '1e', '+', '-', '0x', ';', '#', '\\', '~='];
  for (let i = 0; i < 20000; i++) {
    let s = '';
    const len = 1 + rnd(30);
    for (let j = 0; j < len; j++) s += pieces[rnd(pieces.length)] + (rnd(2) === 0 ? ' ' : '');
    tokenize(s);
    const r = prefixFreeNames(s, 'G', KEEP);
    assert.ok(r === null || typeof r === 'string');
  }
});

const PROGRAMS = [
  `local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
redis.register_function('fact', function(keys, args) return fact(tonumber(args[1])) end)`,
  `local M = {}
function M.get(k) return redis.call('get', k) end
function M:name() return tostring(self.n) end
redis.register_function{function_name = 'get', callback = function(keys) return M.get(keys[1]) end, flags = {'no-writes'}}`,
  `local t = {a = 1, ['b'] = 2, 3; 4, f = function(x) return x + y end}
for i, v in ipairs(t) do local w = v * 2 end
for i = #t, 1, -1 do t[i] = nil end
local i = 0
repeat local j = i i = i + 1 until j > 3
while i > 0 do i = i - 1 if i == 2 then break elseif i == 1 then i = 0 else local k = i end end
do local q = string.format('%d', 1) .. ("x"):rep(2) end
redis.register_function('t', function() return {t.a, #t, unpack({1, 2})} end)`,
  `local s = [==[
a ]] b
]==] -- comment
--[[ long
comment ]]
local n = 0x10 + 1e3 + 2.5E-1
redis.register_function('s', function(keys, args, ...) local a, b = ..., select('#', ...) return s .. n end)`,
];

test('prefixed programs still compile (Lua 5.1 engine)', async () => {
  const engine = (await load()).createStandalone();
  for (const src of PROGRAMS) {
    const out = rewrite(src);
    assert.notEqual(out, src);
    assert.equal(out.split('\n').length, src.split('\n').length, 'no line added');
    let lvl = '=';
    while (out.includes(`]${lvl}]`)) lvl += '=';
    const r = engine.eval(`local G = {} local f, e = loadstring([${lvl}[${out}]${lvl}]) if f then return 'ok' end return e`);
    assert.equal(Buffer.isBuffer(r) ? r.toString() : JSON.stringify(r), 'ok', out);
  }
});
