/*
 * The Lua side of scripting: drives one engine (lua-redis-wasm, Redis's
 * Lua 5.1 with cjson, cmsgpack, struct and bit) on behalf of the host.
 *
 * Loaded as a worker thread it is the Lua worker: it owns its engine and
 * runs the scripts the main thread sends, so that a long script never
 * blocks the server's event loop. Imported by the host (startLocal) it
 * drives a second engine on the main thread for the in-process runs
 * (host.ts explains when each runs what). Both talk to the host the same
 * way, through a Peer: the synchronous shared-memory channel (channel.ts)
 * in the worker, direct calls in process.
 *
 * The host sends RUN messages; each redis.call/pcall the script makes
 * becomes a CALL message that the host executes against the dataset and
 * answers with the command's RESP reply, which is parsed here into the
 * engine's reply values (RESP2 or RESP3, per redis.setresp). When the script
 * ends, its return value is rendered as the client's reply (RESP2 or RESP3)
 * and sent back in a DONE message.
 *
 * The engine keeps its Lua state between runs but compiles every script on
 * each run (its globals are read-only and it exports no lower-level entry
 * point, so a compiled function cannot be kept), so the main thread owns
 * the script cache; this side only keeps the prepared chunk text per script
 * (in the engine's memory) so that EVALSHA does not resend bodies, and
 * reuses the engine's argument and return slots from run to run.
 * In process every run has an instruction budget (the engine's fuel): the
 * host reads what is left and can exhaust it to stop a script.
 * Killing a script terminates the worker thread; the main thread starts a
 * new one.
 */
import { workerData, isMainThread } from 'worker_threads';
import type { MessagePort } from 'worker_threads';
import {
  ChannelEnd, MsgWriter, MsgReader, W_READY, W_TO_MAIN, type Peer,
  OP_RUN, OP_REPLY, OP_CALL, OP_LOG, OP_DONE,
  DONE_REPLY, DONE_ERROR, DONE_LOADED, MODE_EVAL, MODE_FCALL, MODE_LOAD, MODE_CHECK,
} from './channel';
import { formatG17 } from '../util/numbers';
import { prefixFreeNames, skipNonCode } from './lua-globals';

/** who runs the commands: the main thread through the shared channel, or (in process) the host directly */
let ch: Peer;
const out = new MsgWriter();


/* ------------------------------------------------------------------ */
/* script errors in Redis's words                                     */

/** marker the error() shim raises for error tables: \x01<position>\x01<err field> */
const TABLE_ERR = '\x01';

/**
 * The message for an error that aborted a script, as Redis 7.0 builds it:
 * "<code> <msg> script: <sha>, on @user_script:<line>." (for functions,
 * the function's name stands where the sha is). `raw` is the engine's
 * error text, `line` the script line it recorded (0: unknown).
 */
function scriptErrorText(raw: string, line: number, name: string, source: string): string {
  raw = raw.replace(/\0+$/, '');
  if (raw.startsWith(TABLE_ERR)) {
    // error({err = ...}) through the shim: the position is the caller's
    const second = raw.indexOf(TABLE_ERR, 1);
    const m = /:(\d+): $/.exec(raw.slice(1, second));
    if (m) line = Number(m[1]);
    const msg = raw.slice(second + 1);
    return `${msg}${line > 0 ? ` script: ${name}, on @${source}:${line}.` : ''}`;
  }
  if (line === 0) {
    const m = /^user_script:(\d+):/.exec(raw);
    line = m ? Number(m[1]) : 1;
  }
  let msg: string;
  const gm = /^(user_script:\d+: )?__RLUA_E__:global-read:(.*)$/s.exec(raw);
  if (gm) {
    msg = `ERR ${gm[1] ?? `user_script:${line}: `}Script attempted to access nonexistent global variable '${gm[2]}'`;
  } else if (raw.endsWith('__RLUA_E__:command-arg-type')) {
    msg = 'ERR Lua redis lib command arguments must be strings or integers';
  } else {
    const sp = raw.indexOf(' ');
    msg = sp > 0 && /^[A-Z][A-Z0-9]*$/.test(raw.slice(0, sp)) ? raw : `ERR ${raw}`;
  }
  if (source !== 'user_script') msg = msg.split('user_script:').join(`${source}:`);
  return `${msg} script: ${name}, on @${source}:${line}.`;
}

/* ------------------------------------------------------------------ */
/* chunks                                                              */

/**
 * error() shim, prepended (on the script's first line, so line numbers
 * do not move) when the script mentions `error`: the engine cannot report
 * an error *table* (error({err = ...}), error(redis.error_reply(...))), so
 * the shim turns one into a marked string carrying the caller's position.
 * String errors keep their level, shifted past the shim.
 */
const ERROR_SHIM =
  "local error = error; do local E, P, T, S = error, pcall, type, tostring; error = function(e, l) " +
  "if T(e) == 'table' then local _, w = P(E, '', 3); E('\\1' .. S(w) .. '\\1' .. S(e.err), 0) end " +
  "if l == nil then l = 1 end if T(l) == 'number' and l > 0 then l = l + 1 end return E(e, l) end end ";

/** compiles ARGV[1] under the chunk name ARGV[2]: 1, or Lua's message */
const CHECK_CHUNK = Buffer.from("local f, e = loadstring(ARGV[1], ARGV[2]) if f then return 1 end return e");

/**
 * Marker that starts an internal status string ("\0\x01" + kind): the call
 * wrappers and the result sanitizer use it to carry values the engine's
 * RESP2-only encodings cannot (a RESP3 null, and the RESP3 types a script
 * returns as tables whatever its protocol), decoded again by abiToResp.
 */
const MARK = '\x00\x01';
const MARK_MAP = `${MARK}M`;
const MARK_SET = `${MARK}S`;
const MARK_NULL = `${MARK}N`;
const MARK_LUA = '\\0\\1';

/**
 * The engine reads a returned table's fields through its metatable, which a
 * script may have set (or _G's global protection): outside protected mode an
 * error there is fatal to the VM. Scripts that may return such a table
 * (they mention setmetatable or _G) have their result copied first, reading
 * fields raw as Redis does; the wrapper also keeps only the first result.
 */
const SANITIZE_PRE =
  "local function __nodis_s(v, d) local T = type if T(v) ~= 'table' then return v end if d > 200 then return {err = 'ERR reached lua stack limit'} end " +
  "local x = rawget(v, 'err') if T(x) == 'string' then return {err = x} end x = rawget(v, 'ok') if T(x) == 'string' then return {ok = x} end " +
  `x = rawget(v, 'double') if T(x) == 'number' then return {ok = '${MARK_LUA}D' .. string.format('%.17g', x)} end ` +
  `x = rawget(v, 'big_number') if T(x) == 'string' then return {ok = '${MARK_LUA}B' .. x} end ` +
  `x = rawget(v, 'verbatim_string') if T(x) == 'table' then local f, s = rawget(x, 'format'), rawget(x, 'string') if T(f) == 'string' and T(s) == 'string' then return {ok = '${MARK_LUA}V' .. string.sub(f .. '   ', 1, 3) .. s} end end ` +
  `x = rawget(v, 'map') if T(x) == 'table' then local m, i = {{ok = '${MARK_LUA}M'}}, 1 for k, y in next, x do m[i + 1] = __nodis_s(k, d + 1) m[i + 2] = __nodis_s(y, d + 1) i = i + 2 end return m end ` +
  `x = rawget(v, 'set') if T(x) == 'table' then local m, i = {{ok = '${MARK_LUA}S'}}, 1 for k in next, x do i = i + 1 m[i] = __nodis_s(k, d + 1) end return m end ` +
  "local c, i = {}, 1 while true do x = rawget(v, i) if x == nil then break end c[i] = __nodis_s(x, d + 1) i = i + 1 end return c end return __nodis_s((function(...) ";
const SANITIZE_POST = '\nend)(...), 0)';

/**
 * pcall shim (scripts that call pcall): the engine raises a marker for a
 * read of a missing global; a script catching it sees Redis's message. The
 * engine names every chunk user_script: in a library the position reads
 * user_function, as in Redis.
 */
function pcallShim(lib: boolean): string {
  return "local pcall = pcall; do local P, T, U = pcall, type, unpack; pcall = function(...) local r = {P(...)} " +
    "if r[1] == false and T(r[2]) == 'string' then r[2] = string.gsub(r[2], '__RLUA_E__:global%-read:(.*)$', \"Script attempted to access nonexistent global variable '%1'\") r[2] = string.gsub(r[2], '^\\1[^\\1]*\\1', '') " +
    (lib ? "r[2] = string.gsub(r[2], '^user_script:', 'user_function:') " : '') +
    "end return U(r, 1, table.maxn(r)) end end ";
}

/**
 * redis.error_reply as Redis 7.0 has it (the engine's adds an "ERR " code
 * Redis does not): scripts that use it see a `redis` whose error_reply
 * keeps the message's own code.
 */
const ERROR_REPLY_SHIM =
  "local redis = redis; do local R, T, E = redis, type, error; redis = setmetatable({error_reply = function(m) " +
  "if T(m) ~= 'string' and T(m) ~= 'number' then E('wrong number or type of arguments', 2) end m = tostring(m) " +
  "if string.sub(m, 1, 1) == '-' then m = string.sub(m, 2) end m = string.gsub(m, '[\\r\\n]+$', '') " +
  "if not string.find(m, ' ', 1, true) then m = 'ERR ' .. m end return {err = m} end}, " +
  "{__index = R, __newindex = function() E('Attempt to modify a readonly table', 2) end}) end ";

/**
 * redis.acl_check_cmd(cmd, args...): whether the script's caller may run that
 * command with those arguments. It reaches the host as a call to an internal
 * name (a NUL byte starts it, so no real command can collide) that answers 1
 * or 0, or an error for an unknown command.
 */
const ACL_CHECK_SHIM =
  "local redis = redis; do local R, T, E = redis, type, error; redis = setmetatable({acl_check_cmd = function(...) " +
  "local r = R.pcall('\\0acl-check', ...) if T(r) == 'table' and r.err then E(r.err, 2) end return r == 1 end}, " +
  "{__index = R, __newindex = function() E('Attempt to modify a readonly table', 2) end}) end ";

/**
 * redis.call / redis.pcall / redis.sha1hex as Redis 7.0 has them, for the
 * call sites rewriteCalls() hands over (same line, so positions do not
 * move). They pass numbers the engine's tostring would round (it keeps 14
 * digits) as %.17g strings, refuse arguments that are not strings or
 * numbers (pcall returns that error, call raises it), and raise a failed
 * call's error at the script's position (the \x01 form scriptErrorText
 * reads), as the engine does for its own redis.call. With `resp3`, replies
 * get RESP3_FIX. Kept small: the engine compiles it on every run.
 */
function callPrelude(resp3: boolean, lib: boolean, sha1hex: boolean): string {
  // in a library these names do not exist while it loads (LIB_POST clears __nodis_loading)
  const guard = (name: string): string =>
    (lib ? `if __nodis_loading then E("Script attempted to access nonexistent global variable '" .. ${name} .. "'", 2) end ` : '');
  const raise = (msg: string): string => `local _, p = P(E, '', 3) E('\\1' .. p .. '\\1' .. ${msg}, 0)`;
  return (lib ? 'local __nodis_loading = true ' : '') +
    'local __nodis_call, __nodis_pcall, __nodis_sha1hex do local T, F, P, E, S, U, PC = type, string.format, pcall, error, select, unpack, redis.pcall ' +
    (resp3 ? RESP3_FIX : '') +
    `local function w(c, name) return function(...) ${guard('name')}` +
    "local t, n, d, r = {...}, S('#', ...) for i = 1, n do local x = t[i] local y = T(x) " +
    "if y == 'number' then if x % 1 ~= 0 or x >= 1e14 or x <= -1e14 then d = 1 t[i] = F('%.17g', x) end " +
    "elseif y ~= 'string' then r = {err = 'ERR Lua redis lib command arguments must be strings or integers'} end end " +
    'if r then elseif d then r = PC(U(t, 1, n)) else r = PC(...) end ' +
    `if c and T(r) == 'table' and r.err then ${raise('r.err')} end return ${resp3 ? 'fx(r)' : 'r'} end end ` +
    "__nodis_call, __nodis_pcall = w(true, 'call'), w(false, 'pcall') " +
    (sha1hex
      ? `local H = redis.sha1hex __nodis_sha1hex = function(...) ${guard("'sha1hex'")}` +
        `if S('#', ...) ~= 1 then ${raise("'ERR wrong number of arguments'")} end ` +
        "local s = ... if T(s) ~= 'string' and T(s) ~= 'number' then s = '' end return H(s) end "
      : '') +
    'end ';
}

/**
 * RESP3 replies as Redis's parser gives them to Lua, from the marks
 * respToAbi leaves where the engine's decoding differs: a null becomes nil
 * (an array with a null is rebuilt index by index, as Redis fills it, so
 * that its length operator agrees), and a map or a set (a marked array)
 * becomes {map = ...} / {set = ...} filled in reply order, so that the
 * table iterates in the same order as Redis's.
 */
const RESP3_FIX =
  `local RG, NUL, MM, MS = rawget, '${MARK_LUA}N', '${MARK_LUA}M', '${MARK_LUA}S' local fx fx = function(v) if T(v) ~= 'table' then return v end ` +
  "local o = RG(v, 'ok') if o ~= nil then if o == NUL then return nil end return v end if RG(v, 'err') ~= nil then return v end " +
  "local n, f = #v, RG(v, 1) local fo = T(f) == 'table' and RG(f, 'ok') " +
  "if fo == MM then local m = {} for i = 2, n, 2 do local k = fx(v[i]) if k ~= nil then m[k] = fx(v[i + 1]) end end return {map = m} end " +
  "if fo == MS then local m = {} for i = 2, n do local k = fx(v[i]) if k ~= nil then m[k] = true end end return {set = m} end " +
  "local hole = false for i = 1, n do local x = v[i] if T(x) == 'table' then local y = fx(x) if y ~= x then v[i] = y if y == nil then hole = true end end end end " +
  "if hole then local c = {} for i = 1, n do c[i] = v[i] end return c end return v end ";

/**
 * An argument the engine passes on exactly as Redis does: a string literal,
 * KEYS[..] or ARGV[..], or an integer literal of at most 14 digits (the
 * engine's tostring keeps 14 significant digits).
 */
const SAFE_ARG = /^\s*(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|(?:KEYS|ARGV)\s*\[\s*(?:\d+|[A-Za-z_]\w*)\s*\]|-?\d{1,14})\s*$/;

/** Whether every argument of the call whose '(' is at `open` is a SAFE_ARG. */
function safeArgs(src: string, open: number): boolean {
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < src.length;) {
    const k = skipNonCode(src, i);
    if (k >= 0) {
      i = k;
      continue;
    }
    const ch = src.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) {
      if (depth === 0) return SAFE_ARG.test(src.slice(start, i));
      depth--;
    } else if (ch === 44 && depth === 0) {
      if (!SAFE_ARG.test(src.slice(start, i))) return false;
      start = i + 1;
    }
    i++;
  }
  return false;
}

/**
 * Rewrites `redis.call(`, `redis.pcall(` and `redis.sha1hex(` outside
 * strings and comments to the prelude's locals; calls whose arguments are
 * all SAFE_ARGs keep the engine's own functions (they behave as Redis's,
 * at no cost), unless `always` (RESP3 replies need the wrapper). A call
 * right after `return` is parenthesized: a Lua tail call would drop the
 * script's frame, and with it the line an error reports. `redis = ...`
 * becomes `_G.redis = ...` (see below). Returns null when nothing was
 * rewritten; `calls` tells whether the prelude's functions are used.
 */
function rewriteCalls(src: string, always: boolean): { text: string; calls: boolean } | null {
  let out = '';
  let calls = false;
  let last = 0;
  let i = 0;
  let depth = 0;
  const closeAt: number[] = [];
  const n = src.length;
  const re = /redis\s*\.\s*(call|pcall|sha1hex)\s*\(/y;
  const re2 = /redis\s*=(?!=)/y;
  while (i < n) {
    const k = skipNonCode(src, i);
    if (k >= 0) {
      i = k;
      continue;
    }
    const ch = src.charCodeAt(i);
    if (ch === 40) {
      depth++;
      i++;
    } else if (ch === 41) {
      if (closeAt.length > 0 && closeAt[closeAt.length - 1] === depth) {
        closeAt.pop();
        out += src.slice(last, i + 1) + ')';
        last = i + 1;
      }
      depth--;
      i++;
    } else if (ch === 114 && (i === 0 || !/[\w.:]/.test(src[i - 1]))) { // 'r'
      re.lastIndex = i;
      const m = re.exec(src);
      if (m !== null && (always || m[1] === 'sha1hex' || !safeArgs(src, i + m[0].length - 1))) {
        const name = m[1];
        const ret = /(^|\W)return\s*$/.test(src.slice(Math.max(0, i - 16), i));
        out += `${src.slice(last, i)}${ret ? '(' : ''}__nodis_${name}(`;
        calls = true;
        i += m[0].length;
        last = i;
        depth++;
        if (ret) closeAt.push(depth);
      } else if (m !== null) {
        i += m[0].length;
        depth++;
      } else {
        // an assignment to `redis` itself: in a library (or under a shim) the name is a local, so
        // the write goes to the global instead, which refuses it as Redis does
        re2.lastIndex = i;
        if (re2.test(src) && !/(^|\W)local\s+$/.test(src.slice(Math.max(0, i - 16), i))) {
          out += src.slice(last, i) + '_G.';
          last = i;
        }
        i++;
      }
    } else if ((ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95) {
      // skip the rest of an identifier (so 'myredis.call(' is left alone)
      while (i < n && /\w/.test(src[i])) i++;
    } else {
      i++;
    }
  }
  return last === 0 ? null : { text: out + src.slice(last), calls };
}

/**
 * redis.set_repl(flags) (scripts that mention it): checks the flags as Redis
 * does and tells the host, through an internal call, where the script's next
 * commands propagate.
 */
const SET_REPL_SHIM =
  "local redis = redis; do local R, T, E, P, S, N = redis, type, error, pcall, select, tonumber; redis = setmetatable({set_repl = function(...) " +
  "local m if S('#', ...) ~= 1 then m = 'ERR redis.set_repl() requires two arguments.' else local f = N((...)) or 0 if f < 0 then f = math.ceil(f) else f = math.floor(f) end " +
  "if f >= 0 and f <= 3 then R.pcall('\\0set-repl', f) return end m = 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.' end " +
  "local _, w = P(E, '', 3) E('\\1' .. w .. '\\1' .. m, 0) end}, " +
  "{__index = R, __newindex = function() E('Attempt to modify a readonly table', 2) end}) end ";

/** Scripts that mention these get the error and pcall shims, whose locals shadow the globals. */
const USES_ERROR = /\berror\b/;
const USES_PCALL = /(^|[^.\w])pcall\b/;

function shims(body: string, lib: boolean): string {
  let pre = USES_ERROR.test(body) ? ERROR_SHIM : '';
  if (USES_PCALL.test(body)) pre += pcallShim(lib);
  if (body.includes('error_reply')) pre += ERROR_REPLY_SHIM;
  if (body.includes('acl_check_cmd')) pre += ACL_CHECK_SHIM;
  if (body.includes('set_repl')) pre += SET_REPL_SHIM;
  return pre;
}

/** The script's text with its call sites rewritten, and the preludes it needs (one line). */
function prepare(body: string, lib: boolean, original = body): { pre: string; text: string; wrapped: boolean } {
  const resp3 = body.includes('setresp');
  const rw = rewriteCalls(body, resp3);
  if (rw === null) return { pre: shims(original, lib), text: body, wrapped: false };
  if (!rw.calls) return { pre: shims(original, lib), text: rw.text, wrapped: false };
  return { pre: callPrelude(resp3, lib, body.includes('sha1hex')) + shims(original, lib), text: rw.text, wrapped: true };
}

function evalChunk(body: string): Buffer {
  const { pre, text } = prepare(body, false);
  if (/[{]|setmetatable|_G/.test(body)) return Buffer.from(pre + SANITIZE_PRE + text + SANITIZE_POST, 'latin1');
  return Buffer.from(pre + text, 'latin1');
}

/**
 * A function library runs as one chunk. Its first line (the shebang's, empty
 * once the shebang is removed) receives the prelude: register_function, a
 * `redis` table for the load context (only register_function, log and the
 * constants, as in Redis), then the library's code wrapped in a function.
 * After the library ran (registering its functions), `redis` is switched to
 * the real table, so functions see the run-time API; then either the list of
 * registered functions (load mode) or the called function's result is
 * returned. ARGV ends with numkeys and the function name (or "\\0load").
 * The engine keeps nothing between runs, so the body runs again before
 * every call: redis.log is silent then (__replay), and a library logs what
 * its body logs once, when it loads, as in Redis.
 */
const LIB_PRE = 'local __F, __O, __loading, __R, __E, __T, __S = {}, {}, true, redis, error, type, tostring local __flagok = {[\'no-writes\'] = true, [\'allow-oom\'] = true, [\'allow-stale\'] = true, [\'no-cluster\'] = true, [\'allow-cross-slot-keys\'] = true} local function __isstr(x) return __T(x) == \'string\' or __T(x) == \'number\' end local function __reg(...) if not __loading then __E(\'redis.register_function can only be called on FUNCTION LOAD command\', 0) end local n = select(\'#\', ...) local a, b = ... local name, cb, desc, flags if n == 1 then if __T(a) ~= \'table\' then __E(\'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).\', 0) end for k, v in pairs(a) do if __T(k) ~= \'string\' then __E(\'named argument key given to redis.register_function is not a string\', 0) end if k == \'function_name\' then if not __isstr(v) then __E(\'function_name argument given to redis.register_function must be a string\', 0) end name = __S(v) elseif k == \'description\' then if not __isstr(v) then __E(\'description argument given to redis.register_function must be a string\', 0) end desc = __S(v) elseif k == \'callback\' then if __T(v) ~= \'function\' then __E(\'callback argument given to redis.register_function must be a function\', 0) end cb = v elseif k == \'flags\' then if __T(v) ~= \'table\' then __E(\'flags argument to redis.register_function must be a table representing function flags\', 0) end flags = {} for _, f in ipairs(v) do if __T(f) ~= \'string\' or not __flagok[f] then __E(\'unknown flag given\', 0) end flags[#flags + 1] = f end else __E(\'unknown argument given to redis.register_function\', 0) end end if name == nil then __E(\'redis.register_function must get a function name argument\', 0) end if cb == nil then __E(\'redis.register_function must get a callback argument\', 0) end elseif n == 2 then if not __isstr(a) then __E(\'first argument to redis.register_function must be a string\', 0) end if __T(b) ~= \'function\' then __E(\'second argument to redis.register_function must be a function\', 0) end name, cb = __S(a), b else __E(\'wrong number of arguments to redis.register_function\', 0) end if not string.find(name, \'^[%w_]+$\') then __E(\'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\', 0) end if __F[name] ~= nil then __E(\'Function already exists in the library\', 0) end local t = {name = name, callback = cb, description = desc, flags = flags or {}} __F[name] = t __O[#__O + 1] = t end local __replay, __nolog = ARGV[#ARGV] ~= \'\\0load\', function() end local __L = setmetatable({}, {__index = function(_, k) if k == \'register_function\' then return __reg end if k == \'log\' and __replay then return __nolog end if k == \'log\' or k == \'LOG_DEBUG\' or k == \'LOG_VERBOSE\' or k == \'LOG_NOTICE\' or k == \'LOG_WARNING\' or k == \'REDIS_VERSION\' or k == \'REDIS_VERSION_NUM\' then return __R[k] end __E("Script attempted to access nonexistent global variable \'" .. __S(k) .. "\'", 2) end, __newindex = function() __E(\'Attempt to modify a readonly table\', 2) end, __metatable = false}) local redis = __L local __nodis_lib = function()';
const LIB_POST = "\nend\n__nodis_lib()\n__loading = false\nredis = __R\nlocal __mode = table.remove(ARGV)\nlocal __nk = tonumber(table.remove(ARGV))\nif not __replay then\n  local r = {}\n  for i, t in ipairs(__O) do r[i] = {t.name, t.description or false, t.flags} end\n  return r\nend\nlocal __f = __F[__mode]\nif __f == nil then return {err = 'ERR Function not found'} end\nlocal __k, __a = {}, {}\nfor i = 1, #ARGV do if i <= __nk then __k[#__k + 1] = ARGV[i] else __a[#__a + 1] = ARGV[i] end end\nlocal __r = __f.callback(__k, __a)\nreturn __r\n";

/*
 * While a library's body runs, Redis gives it no globals but `redis` (the
 * load API): its free names are prefixed with GLOBALS_PROXY (see
 * lua-globals.ts), a table refusing reads and writes as Redis's load
 * environment does, replaced by the real globals once the body has run, so
 * the registered functions see them all (through a table holding the shims'
 * pcall and error first, when the text mentions them). `redis` is the
 * prelude's local load API, left as it is.
 */
const GLOBALS_PROXY = '__nodis_G';
const PROXY_KEEP: ReadonlySet<string> = new Set(['redis']);
const SHIMMED_GLOBALS = 'setmetatable({pcall = pcall, error = error}, {__index = _G, __newindex = _G})';
const GLOBALS_GUARD =
  `local ${GLOBALS_PROXY} do local E, S = error, tostring ${GLOBALS_PROXY} = setmetatable({}, {__index = function(_, k) ` +
  "E(\"Script attempted to access nonexistent global variable '\" .. S(k) .. \"'\", 2) end, " +
  "__newindex = function() E('Attempt to modify a readonly table', 2) end, __metatable = false}) end ";

function libChunk(code: string): Buffer {
  const guarded = prefixFreeNames(code, GLOBALS_PROXY, PROXY_KEEP);
  const { pre, text, wrapped } = prepare(guarded ?? code, true, code);
  const sanitize = SANITIZE_PRE.slice(0, SANITIZE_PRE.indexOf('return __nodis_s('));
  let loaded = '__loading = false\n';
  if (wrapped) loaded += '__nodis_loading = false\n';
  if (guarded !== null) loaded += `${GLOBALS_PROXY} = ${USES_ERROR.test(code) || USES_PCALL.test(code) ? SHIMMED_GLOBALS : '_G'}\n`;
  const post = LIB_POST.replace('__loading = false\n', loaded).replace('return __r\n', 'return __nodis_s(__r, 0)\n');
  return Buffer.from(pre + sanitize + (guarded !== null ? GLOBALS_GUARD : '') + LIB_PRE + text + post, 'latin1');
}

/* ------------------------------------------------------------------ */
/* the engine, driven through its WebAssembly exports                  */

/*
 * The package's JS wrapper hashes and copies the script on every run and
 * turns replies into objects; on the hot path we talk to the exports
 * directly instead: prepared chunks stay in the VM's memory, KEYS/ARGV are
 * copied in as the channel delivered them (same length-prefixed layout),
 * command replies are transcoded from RESP straight into the engine's reply
 * encoding, and the script's result straight into the client's RESP.
 */
interface Exports {
  HEAPU8: Uint8Array;
  _alloc(n: number): number;
  _free_mem(p: number): void;
  _eval_with_args(...a: number[]): unknown;
  _set_limits(maxFuel: number, maxReply: number, maxArg: number): void;
}
interface Handlers {
  call: (...a: number[]) => bigint | void;
  pcall: (...a: number[]) => bigint | void;
  log: (level: number, ptr: number, len: number) => void;
}

const T_NULL = 0, T_INT = 1, T_BULK = 2, T_ARRAY = 3, T_STATUS = 4, T_ERROR = 5, T_SCRIPT_ERROR = 6;
const T_BOOL = 7, T_DOUBLE = 8, T_MAP = 9, T_SET = 10, T_BIG = 11, T_VERBATIM = 12;

class Vm {
  exports!: Exports;
  /** resident chunks: key -> [ptr, len] */
  resident = new Map<string, [number, number]>();
  private sret = false;
  /** a command's reply in the engine's encoding (respToAbi builds it) */
  private readonly abi = new MsgWriter();

  /** where the engine keeps the instruction budget left to the running script (0: unknown) */
  private fuelAddr = 0;

  async start(maxFuel = 0xffffffff): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const lib = require('lua-redis-wasm') as { load(o: unknown): Promise<{ create(h: unknown): { exports: Exports }; handlers: Handlers }> };
    const mod = await lib.load({
      profile: 'redis-7.0',
      limits: { maxFuel },
      redisProps: {
        REDIS_VERSION: { value: '7.0.15' },
        REDIS_VERSION_NUM: { value: 0x07000f },
        REPL_NONE: { value: 0 },
        REPL_AOF: { value: 1 },
        REPL_SLAVE: { value: 2 },
        REPL_REPLICA: { value: 2 },
        REPL_ALL: { value: 3 },
        set_repl: { returns: null },
        replicate_commands: { returns: true },
        breakpoint: { returns: false },
        debug: { returns: null },
      },
    });
    const noop = (): null => null;
    const eng = mod.create({ redisCall: noop, redisPcall: noop, log: noop, onSetResp: (v: 2 | 3) => { luaResp = v; } });
    this.exports = eng.exports;
    this.sret = this.exports._eval_with_args.length >= 6;
    // call and pcall send the same request: the Lua side raises a call's error itself
    mod.handlers.call = (...a: number[]) => this.hostCall(a);
    mod.handlers.pcall = (...a: number[]) => this.hostCall(a);
    mod.handlers.log = (level: number, ptr: number, len: number) => {
      const heap = this.exports.HEAPU8;
      out.reset().u8(OP_LOG).u8(level).bytes(heap, ptr, ptr + len);
      ch.send(out);
      awaitReply();
    };
  }

  /**
   * Find the engine's fuel counter (a static int64 the instruction hook
   * decrements by 1000 and that raises once it is <= 0; the package exports
   * no accessor): set a probe limit, find the one word holding it, run a
   * small loop, and find the one word holding the limit minus what the loop
   * burnt. Then restore `maxFuel`. False when the layout is not as expected.
   */
  locateFuel(maxFuel: number): boolean {
    const ex = this.exports;
    const PROBE = 987654321;
    // 8-byte aligned words of the static data (the low megabytes), as (low, high) int32 pairs
    const scan = (match: (v: number) => boolean): number[] => {
      const h = ex.HEAPU8;
      const words = new Int32Array(h.buffer, h.byteOffset, Math.min(h.length, 1 << 22) >> 2);
      const hits: number[] = [];
      for (let i = 0; i < words.length; i += 2) if (words[i + 1] === 0 && match(words[i])) hits.push(i * 4);
      return hits;
    };
    ex._set_limits(PROBE, 0, 0);
    const lim = scan((v) => v === PROBE);
    let found = 0;
    if (lim.length === 1) {
      this.load('\0probe', Buffer.from('local x = 0 for i = 1, 2000 do x = x + i end return x'));
      const res = this.run(this.resident.get('\0probe') as [number, number], Buffer.from([0, 0, 0, 0]), 0);
      this.forget('\0probe');
      if (res[0] === T_INT) {
        const left = scan((v) => v < PROBE && v >= PROBE - 20000 && (PROBE - v) % 1000 === 0);
        if (left.length === 1) found = left[0];
      }
    }
    ex._set_limits(maxFuel, 0, 0);
    this.fuelAddr = found;
    return found !== 0;
  }

  /** instructions the current (or last) script may still run; <= 0 once its budget ran out */
  fuelLeft(): number {
    // the high word says whether it went negative, the low one whether it is zero
    const dv = this.data();
    const hi = dv.getInt32(this.fuelAddr + 4, true);
    return hi !== 0 ? hi : dv.getUint32(this.fuelAddr, true);
  }

  /** Make the running script fail at its next instruction hook (and every one after). */
  exhaustFuel(): void {
    const dv = this.data();
    dv.setInt32(this.fuelAddr, 0, true);
    dv.setInt32(this.fuelAddr + 4, 0, true);
  }

  /** host_redis_call / host_redis_pcall: forward the encoded arguments, transcode the reply. */
  private hostCall(a: number[]): bigint | void {
    const hasRet = a.length >= 3;
    const ptr = hasRet ? a[1] : a[0];
    const len = hasRet ? a[2] : a[1];
    out.reset().u8(OP_CALL).u8(luaResp).tail(this.exports.HEAPU8, ptr, ptr + len);
    ch.send(out);
    const r = awaitReply();
    const enc = this.abi.reset();
    rp = r.pos;
    this.respToAbi(r.buf, r.end);
    const n = enc.len;
    const p = this.exports._alloc(n);
    const heap = this.exports.HEAPU8;
    if (n < 64) {
      const b = enc.buf;
      for (let i = 0; i < n; i++) heap[p + i] = b[i];
    } else {
      heap.set(enc.buf.subarray(0, n), p);
    }
    if (hasRet) {
      const rv = this.data();
      rv.setUint32(a[0], p, true);
      rv.setUint32(a[0] + 4, n, true);
      return;
    }
    return (BigInt(n) << 32n) | BigInt(p >>> 0);
  }

  /** One RESP value at `rp` -> the engine's encoding (a tag byte, a u32 length or count, the payload), appended to abi. */
  private respToAbi(buf: Buffer, end: number): void {
    const o = this.abi;
    if (rp >= end) {
      o.u8(T_NULL).u32(0);
      return;
    }
    const t = buf[rp++];
    const e = buf.indexOf(13, rp);
    const ls = rp;
    rp = e + 2;
    switch (t) {
      case 43: // +
        o.u8(T_STATUS).u32(e - ls).tail(buf, ls, e);
        return;
      case 45: // -
        o.u8(T_ERROR).u32(e - ls).tail(buf, ls, e);
        return;
      case 58: // :
        o.u8(T_INT).u32(8).i64(BigInt(buf.toString('latin1', ls, e)));
        return;
      case 36: { // $
        const n = Number(buf.toString('latin1', ls, e));
        if (n < 0) {
          o.u8(T_NULL).u32(0);
          return;
        }
        o.u8(T_BULK).u32(n).tail(buf, rp, rp + n);
        rp += n + 2;
        return;
      }
      case 42: // *
      case 62: { // >
        const n = Number(buf.toString('latin1', ls, e));
        if (n < 0) {
          o.u8(T_NULL).u32(0);
          return;
        }
        o.u8(T_ARRAY).u32(n);
        for (let i = 0; i < n; i++) this.respToAbi(buf, end);
        return;
      }
      case 37: // % and ~: a marked array (RESP3_FIX builds the table in reply order)
      case 126: {
        const n = Number(buf.toString('latin1', ls, e)) * (t === 37 ? 2 : 1);
        o.u8(T_ARRAY).u32(n + 1).u8(T_STATUS).u32(3).raw(t === 37 ? MARK_MAP : MARK_SET);
        for (let i = 0; i < n; i++) this.respToAbi(buf, end);
        return;
      }
      case 95: // _ (RESP3 null: nil in Lua, which the engine cannot push; the call wrapper turns this mark into nil)
        o.u8(T_STATUS).u32(3).raw(MARK_NULL);
        return;
      case 124: { // | attribute: not given to scripts, the value that follows is
        const n = Number(buf.toString('latin1', ls, e));
        const keep = o.len;
        for (let i = 0; i < 2 * n; i++) this.respToAbi(buf, end);
        o.len = keep;
        this.respToAbi(buf, end);
        return;
      }
      case 35: // #
        o.u8(T_BOOL).u32(1).u8(buf[ls] === 116 ? 1 : 0);
        return;
      case 44: { // ,
        const s = buf.toString('latin1', ls, e);
        o.u8(T_DOUBLE).u32(8).f64(s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));
        return;
      }
      case 40: // (
        o.u8(T_BIG).u32(e - ls).tail(buf, ls, e);
        return;
      case 61: { // =
        const n = Number(buf.toString('latin1', ls, e));
        // the format's length and the format, then the string after its ':'
        o.u8(T_VERBATIM).u32(n + 3).u32(3).tail(buf, rp, rp + 3).tail(buf, rp + 4, rp + n);
        rp += n + 2;
        return;
      }
      default:
        o.u8(T_NULL).u32(0);
    }
  }

  /** Make a chunk resident in the VM's memory. */
  load(key: string, chunk: Buffer): void {
    const old = this.resident.get(key);
    if (old !== undefined) this.exports._free_mem(old[0]);
    const p = this.exports._alloc(Math.max(1, chunk.length));
    this.exports.HEAPU8.set(chunk, p);
    this.resident.set(key, [p, chunk.length]);
  }

  forget(key: string): void {
    const old = this.resident.get(key);
    if (old === undefined) return;
    this.exports._free_mem(old[0]);
    this.resident.delete(key);
  }

  forgetAll(): void {
    for (const [p] of this.resident.values()) this.exports._free_mem(p);
    this.resident.clear();
  }

  /**
   * Run a resident chunk with KEYS/ARGV given as an encoded block; returns
   * the engine's reply bytes: a view of the VM's memory, valid until the next run.
   */
  run(chunk: [number, number], args: Buffer, nkeys: number): Buffer {
    const ex = this.exports;
    if (this.lastResult !== 0) {
      ex._free_mem(this.lastResult);
      this.lastResult = 0;
    }
    // the argument block and the return slot are allocated once and reused
    if (args.length > this.argsCap) {
      if (this.argsPtr !== 0) ex._free_mem(this.argsPtr);
      this.argsCap = Math.max(256, args.length);
      this.argsPtr = ex._alloc(this.argsCap);
    }
    const ap = this.argsPtr;
    ex.HEAPU8.set(args, ap);
    let ptr: number;
    let len: number;
    if (this.sret) {
      if (this.retPtr === 0) this.retPtr = ex._alloc(8);
      const ret = this.retPtr;
      ex._eval_with_args(ret, chunk[0], chunk[1], ap, args.length, nkeys);
      const dv = this.data();
      ptr = dv.getUint32(ret, true);
      len = dv.getUint32(ret + 4, true);
    } else {
      const r = ex._eval_with_args(chunk[0], chunk[1], ap, args.length, nkeys) as bigint;
      ptr = Number(r & 0xffffffffn);
      len = Number(r >> 32n);
    }
    if (ptr === 0 || len === 0) return Buffer.from([T_NULL, 0, 0, 0, 0]);
    this.lastResult = ptr;
    const h = ex.HEAPU8;
    return Buffer.from(h.buffer, h.byteOffset + ptr, len);
  }

  private argsPtr = 0;
  private argsCap = 0;
  private retPtr = 0;
  private lastResult = 0;
  private dv: DataView | null = null;

  /** a DataView of the VM's memory (made again if the memory was replaced) */
  private data(): DataView {
    const h = this.exports.HEAPU8;
    let dv = this.dv;
    if (dv === null || dv.buffer !== h.buffer) {
      dv = new DataView(h.buffer, h.byteOffset);
      this.dv = dv;
    }
    return dv;
  }
}

/* ------------------------------------------------------------------ */
/* the engine's reply -> the client's reply                            */

let ap = 0;
function abiToResp(o: MsgWriter, b: Buffer, resp: number): void {
  const t = b[ap];
  const n = b.readUInt32LE(ap + 1);
  ap += 5;
  switch (t) {
    case T_NULL:
      o.raw(resp === 3 ? '_\r\n' : '$-1\r\n');
      return;
    case T_INT:
      o.raw(`:${b.readBigInt64LE(ap)}\r\n`);
      ap += 8;
      return;
    case T_BULK:
      o.raw(`$${n}\r\n`);
      o.tail(b, ap, ap + n);
      o.raw('\r\n');
      ap += n;
      return;
    case T_ARRAY: {
      // the sanitizer's map and set: an array led by a mark
      const m = n > 0 && b[ap] === T_STATUS && b.readUInt32LE(ap + 1) === 3 && b[ap + 5] === 0 && b[ap + 6] === 1 ? b[ap + 7] : 0;
      if (m === 77 || m === 83) { // M, S
        ap += 8;
        const k = n - 1;
        if (m === 77) o.raw(resp === 3 ? `%${k / 2}\r\n` : `*${k}\r\n`);
        else o.raw(resp === 3 ? `~${k}\r\n` : `*${k}\r\n`);
        for (let i = 0; i < k; i++) abiToResp(o, b, resp);
        return;
      }
      o.raw(`*${n}\r\n`);
      for (let i = 0; i < n; i++) abiToResp(o, b, resp);
      return;
    }
    case T_STATUS:
      if (n >= 3 && b[ap] === 0 && b[ap + 1] === 1) {
        markToResp(o, b, ap + 2, ap + n, resp);
        ap += n;
        return;
      }
      o.raw(`+${b.toString('latin1', ap, ap + n).replace(/[\r\n]/g, ' ')}\r\n`);
      ap += n;
      return;
    case T_ERROR:
    case T_SCRIPT_ERROR:
      o.raw(`-${b.toString('latin1', t === T_ERROR ? ap : ap + 4, ap + n).replace(/[\r\n]/g, ' ')}\r\n`);
      ap += n;
      return;
    case T_BOOL:
      o.raw(resp === 3 ? (b[ap] ? '#t\r\n' : '#f\r\n') : b[ap] ? ':1\r\n' : ':0\r\n');
      ap += 1;
      return;
    case T_DOUBLE: {
      const d = formatG17(b.readDoubleLE(ap));
      ap += 8;
      o.raw(resp === 3 ? `,${d}\r\n` : `$${d.length}\r\n${d}\r\n`);
      return;
    }
    case T_MAP:
      o.raw(resp === 3 ? `%${n}\r\n` : `*${n * 2}\r\n`);
      for (let i = 0; i < 2 * n; i++) abiToResp(o, b, resp);
      return;
    case T_SET:
      o.raw(resp === 3 ? `~${n}\r\n` : `*${n}\r\n`);
      for (let i = 0; i < n; i++) abiToResp(o, b, resp);
      return;
    case T_BIG:
      bigToResp(o, b.toString('latin1', ap, ap + n), resp);
      ap += n;
      return;
    case T_VERBATIM: {
      const fl = b.readUInt32LE(ap);
      const fmt = b.toString('latin1', ap + 4, ap + 4 + fl);
      const s0 = ap + 4 + fl;
      const slen = n - 4 - fl;
      if (resp === 3) {
        o.raw(`=${slen + 4}\r\n${fmt.slice(0, 3).padEnd(3, ' ')}:`);
        o.tail(b, s0, s0 + slen);
        o.raw('\r\n');
      } else {
        o.raw(`$${slen}\r\n`);
        o.tail(b, s0, s0 + slen);
        o.raw('\r\n');
      }
      ap += n;
      return;
    }
    default:
      o.raw('$-1\r\n');
  }
}

/** A big number reply (CR and LF become spaces, as Redis maps them): a bulk string in RESP2. */
function bigToResp(o: MsgWriter, s: string, resp: number): void {
  s = s.replace(/[\r\n]/g, ' ');
  o.raw(resp === 3 ? `(${s}\r\n` : `$${s.length}\r\n${s}\r\n`);
}

/** A marked status (see MARK): kind byte at `p`, payload up to `end`. */
function markToResp(o: MsgWriter, b: Buffer, p: number, end: number, resp: number): void {
  const kind = b[p++];
  if (kind === 68) { // D: a double, already formatted with %.17g
    const d = b.toString('latin1', p, end);
    o.raw(resp === 3 ? `,${d}\r\n` : `$${d.length}\r\n${d}\r\n`);
  } else if (kind === 66) { // B
    bigToResp(o, b.toString('latin1', p, end), resp);
  } else if (kind === 86) { // V: three bytes of format, then the string
    const len = end - p - 3;
    if (resp === 3) {
      o.raw(`=${len + 4}\r\n`);
      o.tail(b, p, p + 3);
      o.raw(':');
    } else {
      o.raw(`$${len}\r\n`);
    }
    o.tail(b, p + 3, end);
    o.raw('\r\n');
  } else { // N
    o.raw(resp === 3 ? '_\r\n' : '$-1\r\n');
  }
}

/* ------------------------------------------------------------------ */
/* main loop                                                           */

let luaResp: 2 | 3 = 2;
let rp = 0;
let vm = new Vm();
const argBlock = new MsgWriter();

const CALL_SPIN = Number(process.env.NODIS_LUA_CALL_SPIN ?? 20000);

function awaitReply(): MsgReader {
  for (;;) {
    const r = ch.receive(1000, CALL_SPIN);
    if (r === null) continue;
    if (r.u8() === OP_REPLY) return r;
  }
}

function runMessage(r: MsgReader): void {
  const drop = r.u8();
  if (drop === 1) {
    vm.forgetAll();
  } else if (drop === 2) {
    // chunks the main thread no longer uses (replaced or deleted libraries)
    for (let i = r.u32(); i > 0; i--) vm.forget(r.str());
  }
  const mode = r.u8();
  const resp = r.u8();
  const hasBody = r.u8();
  const key = r.str();
  // empty: the same as the key (EVAL: both are the sha)
  const name = r.str() || key;
  if (hasBody) {
    const body = r.str();
    if (mode !== MODE_CHECK) vm.load(key, mode === MODE_EVAL ? evalChunk(body) : libChunk(body));
  }
  const nkeys = r.u32();
  const nargs = r.u32();
  // KEYS and ARGV: the message holds them in the engine's own layout
  const isScript = mode === MODE_EVAL || mode === MODE_CHECK;
  const start = r.pos;
  for (let i = 0; i < nkeys + nargs; i++) r.pos += 4 + r.buf.readUInt32LE(r.pos);
  argBlock.reset().u32(nkeys + nargs + (isScript ? 0 : 2)).tail(r.buf, start, r.pos);
  // functions get KEYS and ARGV as arguments: all go in ARGV, then numkeys and the name
  if (!isScript) argBlock.str(mode === MODE_FCALL ? String(nkeys) : '0').str(mode === MODE_FCALL ? name : '\0load');
  const block = argBlock.buf.subarray(0, argBlock.len);
  const engineKeys = isScript ? nkeys : 0;
  let chunk: [number, number] | undefined;
  if (mode === MODE_CHECK) {
    vm.load('\0check', CHECK_CHUNK);
    chunk = vm.resident.get('\0check');
  } else {
    chunk = vm.resident.get(key);
  }
  luaResp = 2;
  if (chunk === undefined) {
    out.reset().u8(OP_DONE).u8(DONE_ERROR).u8(0).str('NOSCRIPT No matching script. Please use EVAL.');
    ch.send(out);
    return;
  }
  let res: Buffer;
  try {
    res = vm.run(chunk, block, engineKeys);
  } catch (e) {
    needsReset = true;
    out.reset().u8(OP_DONE).u8(DONE_ERROR).u8(0).str(`ERR Error running script, the Lua engine failed: ${(e as Error).message}`);
    ch.send(out);
    return;
  }
  const source = isScript ? 'user_script' : 'user_function';
  const tag = res[0];
  out.reset().u8(OP_DONE);
  if (tag === T_SCRIPT_ERROR) {
    const n = res.readUInt32LE(1);
    const line = res.readUInt32LE(5);
    const raw = res.toString('latin1', 9, 5 + n);
    if (mode === MODE_LOAD) out.u8(DONE_ERROR).u8(0).str(loadErrorText(raw, line));
    else out.u8(DONE_ERROR).u8(0).str(scriptErrorText(raw, line, name, source));
  } else if (tag === T_ERROR && mode !== MODE_LOAD) {
    const n = res.readUInt32LE(1);
    out.u8(DONE_ERROR).u8(2).str(res.toString('latin1', 5, 5 + n).replace(/[\r\n]/g, ' '));
  } else if (mode === MODE_LOAD) {
    out.u8(DONE_LOADED).str(JSON.stringify(describeLoaded(res)));
  } else {
    const o = out.u8(DONE_REPLY);
    ap = 0;
    abiToResp(o, res, resp);
  }
  ch.send(out);
}

/** An error while a library loads, as FUNCTION LOAD reports it. */
function loadErrorText(raw: string, line: number): string {
  const full = scriptErrorText(raw, line, '', 'user_function');
  // without the " script: ..." suffix: Redis wraps the Lua error itself
  const cut = full.lastIndexOf(' script: ');
  return cut > 0 ? full.slice(0, cut) : full;
}

interface LoadedFn { name: string; description: string | null; flags: string[] }
function describeLoaded(res: Buffer): LoadedFn[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const lib = require('lua-redis-wasm') as { decodeReplyBuffer(b: Buffer): unknown };
  const v = lib.decodeReplyBuffer(res);
  const fns: LoadedFn[] = [];
  if (!Array.isArray(v)) return fns;
  const s = (x: unknown): string => (Buffer.isBuffer(x) ? x.toString('latin1') : x === null || x === undefined ? '' : String(x));
  for (const e of v) {
    if (!Array.isArray(e)) continue;
    fns.push({ name: s(e[0]), description: e[1] === null ? null : s(e[1]), flags: Array.isArray(e[2]) ? e[2].map(s) : [] });
  }
  return fns;
}

let needsReset = false;

async function main(end: ChannelEnd): Promise<void> {
  ch = end;
  // the VM may end the thread (a Lua panic calls exit()): tell the main thread at once
  process.on('exit', () => {
    Atomics.store(end.ctl, W_READY, 3);
    Atomics.notify(end.ctl, W_READY);
    Atomics.add(end.ctl, W_TO_MAIN, 1);
    Atomics.notify(end.ctl, W_TO_MAIN);
  });
  try {
    await vm.start();
  } catch {
    Atomics.store(end.ctl, W_READY, 2);
    Atomics.notify(end.ctl, W_READY);
    return;
  }
  Atomics.store(end.ctl, W_READY, 1);
  Atomics.notify(end.ctl, W_READY);
  for (;;) {
    // between scripts: spin a little (the next EVALSHA often follows at once), then sleep
    const r = ch.receive(60000, IDLE_SPIN);
    if (r === null) continue;
    if (r.u8() === OP_RUN) runMessage(r);
    if (needsReset) {
      // a trap may have left the VM inconsistent: start over with a fresh one
      needsReset = false;
      process.exit(70);
    }
  }
}

const IDLE_SPIN = Number(process.env.NODIS_LUA_IDLE_SPIN ?? 20000);

if (!isMainThread && workerData !== null && typeof workerData === 'object' && 'sab' in workerData) {
  const { sab, port } = workerData as { sab: SharedArrayBuffer; port: MessagePort };
  void main(new ChannelEnd(sab, port, true));
}

/* ------------------------------------------------------------------ */
/* in process: the same engine driven from the main thread             */

/**
 * A second engine in the calling thread, for the host's in-process runs
 * (host.ts): the same RUN/CALL/LOG/DONE messages, exchanged by direct calls
 * with a Peer instead of the shared channel. Every script runs under an
 * instruction budget (maxFuel) that the host can also cut short
 * (exhaustFuel); fuelLeft() <= 0 after a run tells that the script did not
 * run to its end by itself, so its outcome must be discarded.
 */
export interface LocalLua {
  /** Handle one RUN message (the reader is past the op byte), talking to `peer`. */
  run(peer: Peer, r: MsgReader): void;
  fuelLeft(): number;
  exhaustFuel(): void;
  /** Set the instruction budget of the next runs. */
  setFuel(maxFuel: number): void;
  /** Run a full garbage collection (after a big script: the engine's memory is fixed). */
  collect(): void;
  /** bytes of the engine's memory (its fixed wasm heap) */
  memoryBytes(): number;
  /** the engine failed during the current run (its DONE reports it) */
  readonly failing: boolean;
  /** the engine failed (trap, panic): drop this one, start another */
  readonly broken: boolean;
}

const GC_CHUNK = Buffer.from('collectgarbage()');

let localStarted = false;

/** Start the in-process engine (once per thread); null when it cannot run in process. */
export async function startLocal(maxFuel: number): Promise<LocalLua | null> {
  if (localStarted) return null;
  localStarted = true;
  const v = new Vm();
  try {
    await v.start(maxFuel);
    if (!v.locateFuel(maxFuel)) {
      localStarted = false;
      return null;
    }
  } catch {
    localStarted = false;
    return null;
  }
  vm = v;
  let broken = false;
  return {
    memoryBytes(): number {
      return v.exports.HEAPU8.byteLength;
    },
    run(peer: Peer, r: MsgReader): void {
      if (broken) throw new Error('in-process Lua engine is broken');
      ch = peer;
      // a Lua panic calls exit(), which the engine turns into an exception after setting the exit code
      const exitCode = process.exitCode;
      try {
        runMessage(r);
      } catch (e) {
        broken = true;
        throw e;
      } finally {
        if (process.exitCode !== exitCode) process.exitCode = exitCode;
        if (needsReset) {
          needsReset = false;
          broken = true;
        }
        if (broken) localStarted = false;
      }
    },
    fuelLeft: () => v.fuelLeft(),
    exhaustFuel: () => v.exhaustFuel(),
    setFuel: (maxFuel: number) => v.exports._set_limits(maxFuel, 0, 0),
    collect(): void {
      if (broken) return;
      const exitCode = process.exitCode;
      try {
        if (!v.resident.has('\0gc')) v.load('\0gc', GC_CHUNK);
        v.run(v.resident.get('\0gc') as [number, number], Buffer.from([0, 0, 0, 0]), 0);
      } catch {
        broken = true;
        localStarted = false;
      } finally {
        process.exitCode = exitCode;
      }
    },
    get failing(): boolean {
      return needsReset || broken;
    },
    get broken(): boolean {
      return broken;
    },
  };
}
