/*
 * A minimal Lua debugger session (SCRIPT DEBUG YES|SYNC, then EVAL), with
 * Redis's wire format: each exchange is a multibulk of status lines.
 *
 * The engine exposes no debug hooks, so a session cannot step through a
 * script: it stops before the first line (where Redis stops too), lets the
 * client list the source, run Redis commands as the script would ("redis"),
 * and ends at the first step/next/continue by running the whole script, or
 * at abort. As in Redis's sync mode the connection is closed when the
 * session ends; a YES (forked) session runs the same way, so the script's
 * writes are kept (Redis discards them with its child process).
 *
 * While a session is open, the client's input goes to this module instead
 * of command dispatch (dispatch's input interceptor, installed only while at
 * least one session exists).
 */
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { scriptHost } from './host';
import { MODE_EVAL } from './channel';
import { reprString } from '../protocol/split-args';

interface Session {
  readOnly: boolean;
  lines: string[];
  sha: string;
  /** runs the script for real (EVAL without debugging) */
  run: () => void;
}

/** clients that asked for debugging (SCRIPT DEBUG YES|SYNC) */
const enabled = new WeakSet<Client>();
const sessions = new Map<Client, Session>();

export function ldbEnable(c: Client, on: boolean): void {
  if (on) enabled.add(c);
  else enabled.delete(c);
}

export function ldbEnabled(c: Client): boolean {
  return enabled.has(c);
}

/** A RESP reply in the debugger's human form; `p` is a cursor into `s`. */
function human(s: string, p: { i: number }): string {
  const t = s[p.i];
  const e = s.indexOf('\r\n', p.i);
  const line = s.slice(p.i + 1, e);
  p.i = e + 2;
  switch (t) {
    case ':':
      return line;
    case '$': {
      const n = Number(line);
      if (n < 0) return 'NULL';
      const v = s.slice(p.i, p.i + n);
      p.i += n + 2;
      return reprString(v);
    }
    case '+':
    case '-':
      return reprString(t + line);
    case '*':
    case '~':
    case '%': {
      const n = Number(line);
      if (n < 0) return 'NULL';
      const parts: string[] = [];
      for (let k = 0; k < n; k++) parts.push(t === '%' ? `${human(s, p)} => ${human(s, p)}` : human(s, p));
      return t === '*' ? `[${parts.join(',')}]` : t === '~' ? `~(${parts.join(',')})` : `{${parts.join(',')}}`;
    }
    case '_':
      return '(null)';
    case '#':
      return line === 't' ? '#true' : '#false';
    case ',':
      return `(double) ${line}`;
    default:
      return line;
  }
}

function sendLog(c: Client, lines: string[]): void {
  c.reply.raw(`*${lines.length}\r\n`);
  for (const l of lines) c.reply.raw(`+${l.replace(/[\r\n]/g, ' ')}\r\n`);
}

function sourceLine(s: Session, n: number): string {
  return `${n === 1 ? '-> ' : '   '}${String(n).padEnd(3)} ${s.lines[n - 1]}`;
}

/** The session's end (or its failed start): the mark, the error if any, then the connection closes. */
function end(c: Client, error?: string): void {
  c.reply.raw('*1\r\n+<endsession>\r\n');
  if (error !== undefined) c.error(error);
  sessions.delete(c);
  enabled.delete(c);
  c.closeAfterReply = true;
  updateInterceptor(c.server);
}

/** The server's input interceptor is set exactly while one of its clients has a session. */
function updateInterceptor(server: Server): void {
  for (const cl of sessions.keys()) {
    if (cl.server === server) {
      server.host.inputInterceptor = intercept;
      return;
    }
  }
  server.host.inputInterceptor = null;
}

/** Per server (scripting's install): a freed client's session goes with it. */
export function ldbSetup(server: Server): void {
  server.onClientFreed((cl) => {
    if (sessions.delete(cl)) updateInterceptor(server);
  });
}

/**
 * EVAL from a client with debugging on: stop before the first line. `run`
 * runs the script for real (the EVAL without debugging); `sha` names it in
 * errors.
 */
export function ldbStart(c: Client, sha: string, body: string, readOnly: boolean, run: () => void): void {
  const s: Session = { readOnly, lines: body.split('\n'), sha, run };
  sessions.set(c, s);
  c.server.host.inputInterceptor = intercept;
  sendLog(c, ['* Stopped at 1, stop reason = step over', sourceLine(s, 1)]);
}

/** A session's end before it could start (a bad EVAL): the mark, then the error. */
export function ldbFailStart(c: Client, msg: string): void {
  end(c, msg);
}

function intercept(server: Server, c: Client, argv: string[]): boolean {
  const s = sessions.get(c);
  if (s === undefined) return false;
  const cmd = argv.length > 0 ? argv[0].toLowerCase() : '';
  if (cmd === 's' || cmd === 'step' || cmd === 'n' || cmd === 'next' || cmd === 'c' || cmd === 'continue') {
    // no stepping in this engine: the script runs to its end
    end(c);
    s.run();
  } else if (cmd === 'a' || cmd === 'abort') {
    end(c, `ERR script aborted for user request script: ${s.sha}, on @user_script:1.`);
  } else if ((cmd === 'l' || cmd === 'list' || cmd === 'w' || cmd === 'whole') && argv.length <= 3) {
    let around = 1;
    let ctx = 5;
    if (cmd === 'w' || cmd === 'whole') {
      ctx = 1000000;
    } else {
      if (argv.length >= 2) around = Number(argv[1]) || 1;
      if (argv.length === 3) ctx = Number(argv[2]) || 0;
    }
    const out: string[] = [];
    for (let j = 1; j <= s.lines.length; j++) if (Math.abs(around - j) <= ctx) out.push(sourceLine(s, j));
    sendLog(c, out);
  } else if ((cmd === 'p' || cmd === 'print') && argv.length === 1) {
    // stopped before the first line: nothing is declared yet
    sendLog(c, ['No local variables in the current context.']);
  } else if ((cmd === 'r' || cmd === 'redis') && argv.length > 1) {
    ldbRedis(server, c, s, argv.slice(1));
  } else {
    sendLog(c, ['<error> Unknown Redis Lua debugger command or wrong number of arguments.']);
  }
  return true;
}

/** The debugger's "redis" command: the command runs as the script would run it. */
function ldbRedis(server: Server, c: Client, s: Session, args: string[]): void {
  const host = scriptHost(server);
  const r = host.runSync({
    caller: c,
    mode: MODE_EVAL,
    key: '\0ldb-redis',
    name: s.sha,
    body: 'return redis.pcall(unpack(ARGV))',
    nkeys: 0,
    args,
    readOnly: s.readOnly,
    allowOom: false,
    isFunction: false,
    timeoutMs: 5000,
    timeoutError: 'ERR the command took too long',
  });
  const lines = [`<redis> ${args.join(' ')}`];
  if (r.kind === 'error') {
    // a refusal of the script layer is only logged; the command's own error is also its reply
    if (/ from script|redis lib|read-only scripts/.test(r.msg)) lines.push(`<error> ${r.msg.replace(/^ERR /, '')}`);
    else lines.push(`<error> -${r.msg}`, `<reply> ${reprString(`-${r.msg}`)}`);
  } else if (r.kind === 'reply') {
    lines.push(`<reply> ${human(r.bytes.toString('latin1'), { i: 0 })}`);
  }
  sendLog(c, lines);
}
