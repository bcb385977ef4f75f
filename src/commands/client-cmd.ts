/*
 * CLIENT: connection introspection and control (ID, SETNAME, GETNAME, LIST,
 * INFO, KILL, PAUSE, UNPAUSE, REPLY, NO-EVICT, HELP), plus the connection
 * lifecycle pieces that belong with it: the `timeout` cron task that closes
 * idle clients and the timer that ends a CLIENT PAUSE.
 *
 * CLIENT LIST reads every field from the Client object: subsystems (MULTI,
 * blocking, pub/sub, tracking, replication) own those fields and this module
 * never keeps a copy, so the listing is always current.
 *
 * Pause: dispatch holds a command while server.pauseEnd is in the future and
 * the command is paused by the current mode (everything for ALL; writes and
 * may-replicate commands for WRITE). Successive pauses keep the later end and
 * the stricter mode, as Redis does. While paused, keys are not expired
 * (keyspace.expiresPaused) so that a paused primary's dataset stays still.
 * The held commands run when a timer fires at the end of the pause or after
 * CLIENT UNPAUSE, once the current command has finished.
 *
 * The client cron task here also keeps the query buffer bookkeeping that
 * CLIENT LIST reports as qbuf-free (Client.qbufAlloc): Redis's growth per
 * read, shrink after a peak and release after 2 s of idleness; and it
 * resizes each reply buffer from its peak as Redis does (CLIENT LIST rbs and
 * rbp, INFO reply_buffer_shrinks/expands, DEBUG REPLYBUFFER).
 */
import { SOURCE_FLUSH, SOURCE_SERVER } from '../keyspace/keyspace';
import type { Client } from '../server/client';
import { REPLY_ON, REPLY_OFF, REPLY_SKIP_NEXT } from '../server/client';
import type { Server } from '../server/server';
import { resumePausedClients } from '../server/dispatch';
import type { HandlerMap } from '../command-model/table';
import { intArg, isWord, msTimeoutArg, replyHelp } from '../command-model/args';
import { parseInteger } from '../util/numbers';
import { validateClientName } from './connection';
import type { ModuleHost } from '../server/module-host';
import { TRACK_BCAST, TRACK_NOLOOP, TRACK_OPTIN, TRACK_OPTOUT } from '../server/tracking';
import type { ClockTimer } from '../util/clock';
import { clientInfoString, clientType, TYPE_NORMAL, TYPE_REPLICA, TYPE_PUBSUB, TYPE_MASTER } from '../server/client-info';

function typeByName(name: string): number {
  switch (name.toLowerCase()) {
    case 'normal': return TYPE_NORMAL;
    case 'slave':
    case 'replica': return TYPE_REPLICA;
    case 'pubsub': return TYPE_PUBSUB;
    case 'master': return TYPE_MASTER;
    default: return -1;
  }
}

function clientId(c: Client): void {
  c.reply.int(c.id);
}

function clientSetname(c: Client, argv: string[]): void {
  const err = validateClientName(argv[2]);
  if (err !== null) {
    c.error(err);
    return;
  }
  c.name = argv[2];
  c.reply.ok();
}

function clientGetname(c: Client): void {
  if (c.name === '') c.reply.nullBulk();
  else c.reply.bulk(c.name);
}

function clientList(c: Client, argv: string[]): void {
  const server = c.server;
  let out = '';
  if (argv.length === 4 && isWord(argv[2], 'type')) {
    const type = typeByName(argv[3]);
    if (type === -1) {
      c.error(`ERR Unknown client type '${argv[3]}'`);
      return;
    }
    for (const cl of server.clients.values()) {
      if (clientType(cl) === type) out += clientInfoString(cl, c, argv) + '\n';
    }
  } else if (argv.length > 3 && isWord(argv[2], 'id')) {
    const ids: number[] = [];
    for (let j = 3; j < argv.length; j++) {
      const id = parseInteger(argv[j]);
      if (id === null) {
        c.error('ERR Invalid client ID');
        return;
      }
      ids.push(id);
    }
    for (const id of ids) {
      const cl = server.clients.get(id);
      if (cl !== undefined) out += clientInfoString(cl, c, argv) + '\n';
    }
  } else if (argv.length !== 2) {
    c.syntaxError();
    return;
  } else {
    for (const cl of server.clients.values()) out += clientInfoString(cl, c, argv) + '\n';
  }
  c.reply.verbatim(out, 'txt');
}

function clientInfo(c: Client, argv: string[]): void {
  c.reply.verbatim(clientInfoString(c, c, argv) + '\n', 'txt');
}

/** Users that exist (ACLs will provide the real list; until then only "default"). */
function userExists(server: Server, name: string): boolean {
  const acl = (server as unknown as { acl?: { getUser(n: string): unknown } }).acl;
  if (acl !== undefined) return acl.getUser(name) !== undefined && acl.getUser(name) !== null;
  return name === 'default';
}

function clientKill(c: Client, argv: string[]): void {
  const server = c.server;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let type = -1;
  let id = 0;
  let skipme = true;
  const oldForm = argv.length === 3;
  if (oldForm) {
    addr = argv[2];
    skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i];
      const more = i + 1 < argv.length;
      if (!more) {
        c.syntaxError();
        return;
      }
      const val = argv[i + 1];
      if (isWord(opt, 'id')) {
        const v = parseInteger(val);
        if (v === null || v < 1) {
          c.error('ERR client-id should be greater than 0');
          return;
        }
        id = v;
      } else if (isWord(opt, 'type')) {
        type = typeByName(val);
        if (type === -1) {
          c.error(`ERR Unknown client type '${val}'`);
          return;
        }
      } else if (isWord(opt, 'addr')) {
        addr = val;
      } else if (isWord(opt, 'laddr')) {
        laddr = val;
      } else if (isWord(opt, 'user')) {
        if (!userExists(server, val)) {
          c.error(`ERR No such user '${val}'`);
          return;
        }
        user = val;
      } else if (isWord(opt, 'skipme')) {
        if (isWord(val, 'yes')) skipme = true;
        else if (isWord(val, 'no')) skipme = false;
        else {
          c.syntaxError();
          return;
        }
      } else {
        c.syntaxError();
        return;
      }
    }
  }
  let killed = 0;
  let killSelf = false;
  for (const cl of [...server.clients.values()]) {
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (type !== -1 && clientType(cl) !== type) continue;
    if (id !== 0 && cl.id !== id) continue;
    if (user !== null && cl.user !== user) continue;
    if (cl === c && skipme) continue;
    if (cl === c) killSelf = true;
    else server.freeClient(cl);
    killed++;
  }
  if (oldForm) {
    if (killed === 0) c.error('ERR No such client');
    else c.reply.ok();
  } else {
    c.reply.int(killed);
  }
  if (killSelf) c.closeAfterReply = true;
}

/** Start (or extend) a pause: the later end and the stricter mode win. */
export function pauseClients(server: Server, endMs: number, all: boolean): void {
  const now = server.clock.now();
  const active = server.pauseEnd > now;
  server.pauseAll = active ? server.pauseAll || all : all;
  server.pauseEnd = active ? Math.max(server.pauseEnd, endMs) : endMs;
  server.keyspace.expiresPaused = server.pauseEnd > now;
  schedulePauseEnd(server);
}

const pauseTimers = new WeakMap<Server, ClockTimer>();

function schedulePauseEnd(server: Server): void {
  const clock = server.clock;
  const prev = pauseTimers.get(server);
  if (prev !== undefined) clock.clearTimer(prev);
  pauseTimers.delete(server);
  const wait = server.pauseEnd - clock.now();
  if (wait <= 0) {
    unpauseClients(server);
    return;
  }
  // on the server's clock: a manual clock ends the pause from advance()
  const t = clock.setTimer(() => {
    pauseTimers.delete(server);
    if (server.pauseEnd > clock.now()) schedulePauseEnd(server);
    else unpauseClients(server);
  }, wait, true);
  pauseTimers.set(server, t);
}

/** End the pause; held commands run once the current command (if any) has finished. */
export function unpauseClients(server: Server): void {
  const prev = pauseTimers.get(server);
  if (prev !== undefined) server.clock.clearTimer(prev);
  pauseTimers.delete(server);
  server.pauseEnd = 0;
  server.pauseAll = false;
  server.keyspace.expiresPaused = false;
  process.nextTick(() => {
    if (server.pauseEnd === 0) resumePausedClients(server);
  });
}

function clientPause(c: Client, argv: string[]): void {
  if (argv.length !== 3 && argv.length !== 4) {
    c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`);
    return;
  }
  let all = true;
  if (argv.length === 4) {
    if (isWord(argv[3], 'write')) all = false;
    else if (!isWord(argv[3], 'all')) {
      c.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  const ms = msTimeoutArg(c, argv[2]);
  if (ms === null) return;
  const now = c.server.clock.now();
  if (ms > Number.MAX_SAFE_INTEGER - now) {
    c.error('ERR timeout is out of range');
    return;
  }
  pauseClients(c.server, ms > 0 ? now + ms : 0, all);
  c.reply.ok();
}

function clientUnpause(c: Client): void {
  unpauseClients(c.server);
  c.reply.ok();
}

function clientReply(c: Client, argv: string[]): void {
  const mode = argv[2];
  if (isWord(mode, 'on')) {
    c.replyMode = REPLY_ON;
    c.reply.ok();
  } else if (isWord(mode, 'off')) {
    c.replyMode = REPLY_OFF;
  } else if (isWord(mode, 'skip')) {
    if (c.replyMode !== REPLY_OFF) c.replyMode = REPLY_SKIP_NEXT;
  } else {
    c.syntaxError();
  }
}

/** CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: end another client's blocking wait. */
function clientUnblock(c: Client, argv: string[]): void {
  let withError = false;
  if (argv.length === 4) {
    const how = argv[3].toLowerCase();
    if (how === 'error') withError = true;
    else if (how !== 'timeout') {
      c.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  } else if (argv.length > 4) {
    c.syntaxError();
    return;
  }
  const id = intArg(c, argv[2]);
  if (id === null) return;
  const target = c.server.clients.get(id);
  c.reply.int(target !== undefined && c.server.blocking.unblock(target, withError) ? 1 : 0);
}

function clientNoEvict(c: Client, argv: string[]): void {
  if (isWord(argv[2], 'on')) c.noEvict = true;
  else if (isWord(argv[2], 'off')) c.noEvict = false;
  else {
    c.syntaxError();
    return;
  }
  c.reply.ok();
}

function clientHelp(c: Client): void {
  replyHelp(c, 'CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);
}

/**
 * Query buffer bookkeeping, as Redis's client cron resizes it: when more
 * than 4 KiB is unused, free the spare room of a client idle for over 2
 * seconds, or shrink a buffer above 32 KiB that is more than twice its recent
 * peak down to that peak. The peak restarts from the current length.
 */
function resizeQueryBuffer(c: Client, nowSec: number): void {
  const len = c.parser.pendingBytes;
  if (c.qbufAlloc - len > 4096) {
    if (nowSec - Math.floor(c.lastInteraction / 1000) > 2) c.qbufAlloc = len;
    else if (c.qbufAlloc > 32768 && c.qbufAlloc / 2 > c.qbufPeak) c.qbufAlloc = Math.max(len, c.qbufPeak);
  }
  c.qbufPeak = len;
}

/**
 * `timeout`: close normal clients idle for more than `timeout` seconds.
 * Replicas, masters, monitors, blocked (or paused) clients and pub/sub
 * subscribers are never closed for idleness, as in Redis. Idle time is
 * compared in whole seconds like Redis's unixtime arithmetic.
 */
function clientsCron(server: Server, now: number): void {
  const timeout = server.config.timeout;
  const nowSec = Math.floor(now / 1000);
  const { replyBufferResizing, replyBufferPeakResetTime } = server.debugKnobs;
  const stats = server.stats;
  for (const c of server.clients.values()) {
    resizeQueryBuffer(c, nowSec);
    if (!replyBufferResizing) continue;
    const change = c.reply.resizeBuffer(now, replyBufferPeakResetTime);
    if (change < 0) stats.replyBufferShrinks++;
    else if (change > 0) stats.replyBufferExpands++;
  }
  if (timeout <= 0) return;
  for (const c of [...server.clients.values()]) {
    if (c.isReplica || c.isMaster || c.monitor || c.blocked || c.pausedArgv !== null || c.sub.count > 0) continue;
    if (nowSec - Math.floor(c.lastInteraction / 1000) > timeout) {
      server.log.verbose('Closing idle client');
      server.freeClient(c);
    }
  }
}

/*
 * CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: argument checks and
 * replies; the tracking state itself lives in server/tracking.ts.
 */
function clientTracking(c: Client, argv: string[]): void {
  let redir = 0;
  let options = 0;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    const opt = argv[j];
    if (isWord(opt, 'redirect') && more) {
      j++;
      if (redir !== 0) {
        c.error('ERR A client can only redirect to a single other client');
        return;
      }
      const id = intArg(c, argv[j]);
      if (id === null) return;
      if (!c.server.clients.has(id)) {
        c.error('ERR The client ID you want redirect to does not exist');
        return;
      }
      redir = id;
    } else if (isWord(opt, 'bcast')) {
      options |= TRACK_BCAST;
    } else if (isWord(opt, 'optin')) {
      options |= TRACK_OPTIN;
    } else if (isWord(opt, 'optout')) {
      options |= TRACK_OPTOUT;
    } else if (isWord(opt, 'noloop')) {
      options |= TRACK_NOLOOP;
    } else if (isWord(opt, 'prefix') && more) {
      j++;
      prefixes.push(argv[j]);
    } else {
      c.syntaxError();
      return;
    }
  }
  const tracking = c.server.tracking;
  if (isWord(argv[2], 'on')) {
    if ((options & TRACK_BCAST) === 0 && prefixes.length > 0) {
      c.error('ERR PREFIX option requires BCAST mode to be enabled');
      return;
    }
    if (c.tracking.enabled && c.tracking.bcast !== ((options & TRACK_BCAST) !== 0)) {
      c.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
      return;
    }
    if ((options & TRACK_BCAST) !== 0 && (options & (TRACK_OPTIN | TRACK_OPTOUT)) !== 0) {
      c.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
      return;
    }
    if ((options & TRACK_OPTIN) !== 0 && (options & TRACK_OPTOUT) !== 0) {
      c.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
      return;
    }
    const cur = c.tracking.enabled ? c.tracking.options : 0;
    if (((options & TRACK_OPTIN) !== 0 && (cur & TRACK_OPTOUT) !== 0) || ((options & TRACK_OPTOUT) !== 0 && (cur & TRACK_OPTIN) !== 0)) {
      c.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
      return;
    }
    if ((options & TRACK_BCAST) !== 0) {
      const err = tracking.prefixCollision(c, prefixes);
      if (err !== null) {
        c.error(err);
        return;
      }
    }
    tracking.enable(c, redir, options, prefixes);
  } else if (isWord(argv[2], 'off')) {
    tracking.disable(c);
  } else {
    c.syntaxError();
    return;
  }
  c.reply.ok();
}

function clientCaching(c: Client, argv: string[]): void {
  if (!c.tracking.enabled) {
    c.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  if (isWord(argv[2], 'yes')) {
    if ((c.tracking.options & TRACK_OPTIN) === 0) {
      c.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (isWord(argv[2], 'no')) {
    if ((c.tracking.options & TRACK_OPTOUT) === 0) {
      c.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    c.syntaxError();
    return;
  }
  c.tracking.caching = true;
  c.reply.ok();
}

function clientGetredir(c: Client): void {
  c.reply.int(c.tracking.enabled ? c.tracking.redirect : -1);
}

function clientTrackinginfo(c: Client): void {
  const r = c.reply;
  r.mapHeader(3);
  r.bulk('flags');
  const flags = [c.tracking.enabled ? 'on' : 'off'];
  const o = c.tracking.options;
  if (c.tracking.bcast) flags.push('bcast');
  if (o & TRACK_OPTIN) {
    flags.push('optin');
    if (c.tracking.caching) flags.push('caching-yes');
  }
  if (o & TRACK_OPTOUT) {
    flags.push('optout');
    if (c.tracking.caching) flags.push('caching-no');
  }
  if (o & TRACK_NOLOOP) flags.push('noloop');
  if (c.tracking.brokenRedir) flags.push('broken_redirect');
  r.setHeader(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.int(c.tracking.enabled ? c.tracking.redirect : -1);
  r.bulk('prefixes');
  const prefixes = c.tracking.prefixes !== null ? [...c.tracking.prefixes].sort() : [];
  r.bulkArray(prefixes);
}

export function install(host: ModuleHost): void {
  const server = host.server;
  host.addCronTask((now) => clientsCron(server, now));
  const tracking = server.tracking;
  const ks = server.keyspace;
  ks.onModified((_db, key) => {
    if (tracking.table.size === 0 && tracking.prefixes.size === 0) return;
    const src = ks.modifiedSource;
    if (src === SOURCE_FLUSH) return; // a flush: one "everything" invalidation follows
    tracking.invalidateKey(src === SOURCE_SERVER ? null : server.current, key, true);
  });
  // SWAPDB also signals both databases as flushed, but Redis sends no invalidation for it
  let swapping = 0;
  ks.onSwap(() => {
    swapping = 2;
  });
  ks.onFlush(() => {
    if (swapping > 0) {
      swapping--;
      return;
    }
    tracking.invalidateAll();
  });
  host.onClientReset((c) => tracking.disable(c));
  host.onClientFreed((c) => tracking.disable(c));
  host.addCronTask(() => {
    if (tracking.clients > 0) tracking.limitUsedSlots();
  });
  // before each command, as Redis's processCommand: keep the table within tracking-table-max-keys
  host.addCommandGate(() => {
    tracking.limitUsedSlots();
    return false;
  }, () => tracking.clients > 0);
}

export const handlers: HandlerMap = {
  'client|id': clientId,
  'client|setname': clientSetname,
  'client|getname': clientGetname,
  'client|list': clientList,
  'client|info': clientInfo,
  'client|kill': clientKill,
  'client|pause': clientPause,
  'client|unpause': clientUnpause,
  'client|reply': clientReply,
  'client|no-evict': clientNoEvict,
  'client|unblock': clientUnblock,
  'client|help': clientHelp,
  'client|tracking': clientTracking,
  'client|caching': clientCaching,
  'client|getredir': clientGetredir,
  'client|trackinginfo': clientTrackinginfo,
};
