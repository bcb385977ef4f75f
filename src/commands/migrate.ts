/*
 * MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS k...]
 *
 * Redis runs MIGRATE with blocking socket I/O and the whole server waits.
 * Node has no blocking sockets, so here the calling client is suspended
 * (through the blocking manager, with no keys) while the transfer runs
 * asynchronously; other clients keep being served. The payloads are
 * serialised when the command runs (the values as they were then); on each
 * acknowledged RESTORE the local key is deleted (unless COPY), if it still
 * holds the value that was sent, and the deletions are propagated as one DEL.
 *
 * Connections are cached per host:port (at most 64, closed after 10 s idle,
 * as Redis), remembering the database last selected on them. A cached
 * connection that fails before any reply is retried once on a fresh one.
 */
import type { ModuleHost } from '../server/module-host';
import { perServer } from '../server/per-server';
import * as net from 'net';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { RedisValue } from '../keyspace/values';
import { isWord, ERR_SYNTAX } from '../command-model/args';
import { parseInteger } from '../util/numbers';
import { dumpPayload } from '../persistence/rdb-writer';
import { encodeCommand } from '../protocol/command-encoder';
import { NOTIFY_GENERIC } from '../keyspace/notify-flags';

const CACHE_ITEMS = 64;
const CACHE_TTL_MS = 10000;

interface CachedSocket {
  sock: net.Socket;
  lastDbid: number;
  lastUse: number;
  /** bytes received and not yet consumed as lines */
  pending: string;
  /** waiting for a line: resolve, or reject on error */
  waiter: ((line: string | Error) => void) | null;
  dead: boolean;
}

const cacheOf = perServer(() => new Map<string, CachedSocket>());

/** INFO stats migrate_cached_sockets. */
export function migrateCachedSockets(server: Server): number {
  return cacheOf.peek(server)?.size ?? 0;
}

function closeSocket(server: Server, name: string): void {
  const m = cacheOf(server);
  const cs = m.get(name);
  if (cs === undefined) return;
  m.delete(name);
  cs.dead = true;
  cs.sock.destroy();
}

class Timeout extends Error {}

// Connect/read/write timeouts and the cached sockets' idle time are socket-level: real time
// (setTimeout, Date.now()), whatever server.clock says. Key TTLs follow server.clock.

function connect(host: string, port: number, timeoutMs: number): Promise<CachedSocket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Timeout('connect timeout'));
    }, timeoutMs);
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      const cs: CachedSocket = { sock, lastDbid: -1, lastUse: Date.now(), pending: '', waiter: null, dead: false };
      sock.removeAllListeners('error');
      const fail = (e: Error) => {
        cs.dead = true;
        const w = cs.waiter;
        cs.waiter = null;
        if (w !== null) w(e);
      };
      sock.on('error', fail);
      sock.on('close', () => fail(new Error('connection closed')));
      sock.on('data', (d: Buffer) => {
        cs.pending += d.toString('latin1');
        const w = cs.waiter;
        if (w === null) return;
        const line = takeLine(cs);
        if (line === null) return;
        cs.waiter = null;
        w(line);
      });
      resolve(cs);
    });
  });
}

/** The next complete line received (without its CRLF), consumed; null when none yet. */
function takeLine(cs: CachedSocket): string | null {
  const i = cs.pending.indexOf('\r\n');
  if (i < 0) return null;
  const line = cs.pending.slice(0, i);
  cs.pending = cs.pending.slice(i + 2);
  return line;
}

function readLine(cs: CachedSocket, timeoutMs: number): Promise<string> {
  const line = takeLine(cs);
  if (line !== null) return Promise.resolve(line);
  if (cs.dead) return Promise.reject(new Error('connection closed'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cs.waiter = null;
      reject(new Timeout('read timeout'));
    }, timeoutMs);
    cs.waiter = (x) => {
      clearTimeout(timer);
      if (x instanceof Error) reject(x);
      else resolve(x);
    };
  });
}

function writeAll(cs: CachedSocket, data: Buffer, timeoutMs: number): Promise<void> {
  if (cs.dead) return Promise.reject(new Error('connection closed'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout('write timeout')), timeoutMs);
    cs.sock.write(data, (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}

interface Item {
  key: string;
  value: RedisValue;
  ttl: number;
  /** the DUMP payload */
  payload: Buffer;
}

function migrate(c: Client, argv: string[]): void {
  const server = c.server;
  let copy = false;
  let replace = false;
  let username: string | null = null;
  let password: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const a = argv[j];
    if (isWord(a, 'copy')) copy = true;
    else if (isWord(a, 'replace')) replace = true;
    else if (isWord(a, 'auth')) {
      if (more < 1) return c.error(ERR_SYNTAX);
      password = argv[++j];
      argv[j] = '(redacted)'; // SLOWLOG and MONITOR never show it
    } else if (isWord(a, 'auth2')) {
      if (more < 2) return c.error(ERR_SYNTAX);
      username = argv[++j];
      argv[j] = '(redacted)';
      password = argv[++j];
      argv[j] = '(redacted)';
    } else if (isWord(a, 'keys')) {
      if (argv[3].length !== 0) {
        return c.error('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
      }
      firstKey = j + 1;
      numKeys = argv.length - j - 1;
      break;
    } else {
      return c.error(ERR_SYNTAX);
    }
  }
  let timeout = parseInteger(argv[5]);
  const dbid = parseInteger(argv[4]);
  if (timeout === null || dbid === null) return c.error('ERR value is not an integer or out of range');
  if (timeout <= 0) timeout = 1000;
  const db = c.db;
  const items: Item[] = [];
  const now = c.server.clock.now();
  for (let j = 0; j < numKeys; j++) {
    const key = argv[firstKey + j];
    const v = db.lookupRead(key);
    if (v === undefined) continue;
    let ttl = 0;
    const at = db.getExpire(key);
    if (at !== -1) {
      ttl = at - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    items.push({ key, value: v, ttl, payload: dumpPayload(v, server.config.rdbcompression) });
  }
  if (items.length === 0) {
    c.reply.simple('NOKEY');
    return;
  }
  if (c.denyBlocking) {
    c.error('ERR MIGRATE cannot run inside MULTI or scripts in Nodis');
    return;
  }
  const host = argv[1];
  const portText = argv[2];
  const name = `${host}:${portText}`;
  let result: (() => void) | null = null;
  const dbAtCall = db;
  server.blocking.block(c, db, [], 0, {
    serve: () => false,
    timeout: () => {
      if (result !== null) result();
      else c.error('IOERR error or timeout reading to target instance');
    },
  });
  const finish = (fn: () => void) => {
    result = fn;
    if (!c.closed) server.blocking.unblock(c, false);
  };
  const run = async (mayRetry: boolean): Promise<void> => {
    const cache = cacheOf(server);
    let cs = cache.get(name);
    if (cs === undefined || cs.dead) {
      if (cs !== undefined) closeSocket(server, name);
      if (cache.size === CACHE_ITEMS) {
        // full: drop a random entry, as Redis
        const keys = [...cache.keys()];
        closeSocket(server, keys[Math.floor(Math.random() * keys.length)]);
      }
      try {
        cs = await connect(host, Number(portText), timeout as number);
      } catch {
        finish(() => c.error('IOERR error or timeout connecting to the client'));
        return;
      }
      cache.set(name, cs);
    }
    cs.lastUse = Date.now();
    // the RESP text (latin1) around each payload, which goes as it is
    const parts: Buffer[] = [];
    let text = '';
    if (password !== null) text += encodeCommand(username !== null ? ['AUTH', username, password] : ['AUTH', password]);
    const select = cs.lastDbid !== dbid;
    if (select) text += encodeCommand(['SELECT', String(dbid)]);
    for (const it of items) {
      // RESTORE key ttl payload [REPLACE], as encodeCommand lays it out
      const ttl = String(it.ttl);
      text += `*${replace ? 5 : 4}\r\n$7\r\nRESTORE\r\n$${it.key.length}\r\n${it.key}\r\n$${ttl.length}\r\n${ttl}\r\n$${it.payload.length}\r\n`;
      parts.push(Buffer.from(text, 'latin1'), it.payload);
      text = replace ? '\r\n$7\r\nREPLACE\r\n' : '\r\n';
    }
    if (text !== '') parts.push(Buffer.from(text, 'latin1'));
    const request = Buffer.concat(parts);
    let stage = 'writing';
    let got = 0;
    try {
      await writeAll(cs, request, timeout as number);
      stage = 'reading';
      const authReply = password !== null ? await readLine(cs, timeout as number) : null;
      const selectReply = select ? await readLine(cs, timeout as number) : null;
      let error: string | null = null;
      const deleted: string[] = [];
      for (const it of items) {
        const line = await readLine(cs, timeout as number);
        got++;
        if ((authReply !== null && authReply[0] === '-') || (selectReply !== null && selectReply[0] === '-') || line[0] === '-') {
          if (error === null) {
            cs.lastDbid = -1;
            const src = authReply !== null && authReply[0] === '-' ? authReply : selectReply !== null && selectReply[0] === '-' ? selectReply : line;
            error = src.slice(1);
          }
        } else if (!copy) {
          // delete the local key if it still holds what was sent
          if (dbAtCall.dict.get(it.key) === it.value) {
            dbAtCall.delete(it.key);
            server.keyspace.notify(NOTIFY_GENERIC, 'del', it.key, dbAtCall.id);
            server.keyspace.dirty++;
            deleted.push(it.key);
          }
        }
      }
      if (deleted.length > 0) server.keyspace.propagateSideEffect(dbAtCall.id, ['DEL', ...deleted]);
      if (error === null) {
        cs.lastDbid = dbid;
        finish(() => c.reply.ok());
      } else {
        const msg = error;
        finish(() => c.error(`ERR Target instance replied with error: ${msg}`));
      }
    } catch (e) {
      closeSocket(server, name);
      if (!(e instanceof Timeout) && mayRetry && got === 0) {
        await run(false);
        return;
      }
      finish(() => c.error(`IOERR error or timeout ${stage} to target instance`));
    }
  };
  run(true).catch(() => finish(() => c.error('IOERR error or timeout reading to target instance')));
}

export function install(host: ModuleHost): void {
  const server = host.server;
  host.addCronTask(() => {
    const m = cacheOf.peek(server);
    if (m === undefined || m.size === 0) return;
    const now = Date.now();
    for (const [name, cs] of m) if (now - cs.lastUse > CACHE_TTL_MS) closeSocket(server, name);
  });
}

export const handlers = { migrate };
