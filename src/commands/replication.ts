/*
 * Replication, primary side: SYNC and PSYNC (always a full
 * resynchronisation for now: +FULLRESYNC, then an RDB snapshot of the
 * dataset, then the stream of propagated commands), and REPLCONF.
 *
 * An attached replica is a client flagged isReplica: it receives every
 * effect the Propagator emits (with SELECT and MULTI/EXEC as Redis sends
 * them), encoded once as RESP and appended to each replica's output;
 * master_repl_offset counts the stream's bytes. Partial resynchronisation
 * from a backlog, replica-side replication, WAIT and the replication
 * timeouts come with the replication capability.
 */
import { perServer } from '../server/per-server';
import { encodeCommand } from '../protocol/command-encoder';
import { randomHex } from '../server/server';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from '../command-model/table';
import { isWord, msTimeoutArg } from '../command-model/args';
import { ReplicaLink } from '../replication/replica-link';
import { snapshot } from '../persistence/persistence';
import type { ModuleHost } from '../server/module-host';
import { CMD_WRITE, CMD_STALE } from '../command-model/table';
import { intArg } from '../command-model/args';

/** The attached replicas; the first use wires them into propagation. */
const replicaSet = perServer((server) => {
  const attached = new Set<Client>();
  server.onClientFreed((c) => attached.delete(c));
  server.propagator.addTarget((argv) => {
    if (attached.size > 0) feedReplicas(server, encodeCommand(argv));
  }, () => attached.size > 0);
  return attached;
});

/** Append bytes to the replication stream: every attached replica gets them, the offset counts them. */
function feedReplicas(server: Server, s: string): void {
  const set = replicaSet.peek(server);
  if (set === undefined || set.size === 0) return;
  server.masterReplOffset += s.length;
  for (const r of set) {
    r.reply.raw(s);
    server.scheduleFlush(r);
  }
}

/** Send the snapshot and start streaming to the client. */
function attachReplica(c: Client): void {
  const server = c.server;
  const set = replicaSet(server);
  // the same image as SAVE writes: the functions' libraries travel with the data
  const rdb = snapshot(server);
  c.reply.raw(`$${rdb.length}\r\n`);
  c.reply.rawBytes(rdb);
  c.isReplica = true;
  set.add(c);
  // the stream restarts with a SELECT, as after Redis's full resync
  server.propagator.selectedDb = -1;
  server.log.notice(`Replica ${c.addr} asks for synchronization`);
  server.log.notice(`Synchronization with replica ${c.addr} succeeded`);
}

function sync(c: Client): void {
  if (c.isReplica) return;
  attachReplica(c);
}

function psync(c: Client): void {
  if (c.isReplica) return;
  c.server.log.notice(`Full resync requested by replica ${c.addr}`);
  c.reply.raw(`+FULLRESYNC ${c.server.replId} ${c.server.masterReplOffset}\r\n`);
  attachReplica(c);
}

/** REPLCONF <option> <value> ...: replicas announce themselves; ACKs get no reply. */
function replconf(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) {
    c.syntaxError();
    return;
  }
  for (let i = 1; i < argv.length; i += 2) {
    const opt = argv[i];
    if (isWord(opt, 'ack')) {
      const off = Number(argv[i + 1]);
      if (Number.isFinite(off)) {
        replicaAckOffset.set(c, off);
        replicaAckTime.set(c, c.server.clock.now());
        serveWaiters(c.server);
      }
      return;
    }
    if (isWord(opt, 'getack')) return;
    if (isWord(opt, 'listening-port')) {
      const p = Number(argv[i + 1]);
      if (Number.isInteger(p)) replicaListeningPort.set(c, p);
    }
    if (!['listening-port', 'ip-address', 'capa', 'rdb-only'].includes(opt.toLowerCase())) {
      c.error(`ERR Unrecognized REPLCONF option: ${opt}`);
      return;
    }
  }
  c.reply.ok();
}

/* ------------------------------------------------------------ replica side */

const links = new WeakMap<Server, ReplicaLink>();

/** Become a replica of host:port (replicationSetMaster). */
function setMaster(server: Server, host: string, port: number): void {
  const old = links.get(server);
  if (old !== undefined) old.close();
  const link = new ReplicaLink(server, host, port);
  // a previous link's position lets the new master try a partial resync
  if (old !== undefined) {
    link.replId = old.replId;
    link.offset = old.offset;
  } else {
    link.replId = server.replId;
    link.offset = server.masterReplOffset;
  }
  links.set(server, link);
  server.keyspace.isReplica = true;
  server.log.notice(`Connecting to MASTER ${host}:${port}`);
  link.connect();
}

/** Stop replicating and become a master again (replicationUnsetMaster). */
function unsetMaster(server: Server): void {
  const link = links.get(server);
  if (link === undefined) return;
  link.close();
  links.delete(server);
  server.keyspace.isReplica = false;
  server.keyspace.forgetReplicaKeysWithExpire();
  // the history so far keeps its id as the secondary one
  server.replId2 = link.replId === '?' ? server.replId : link.replId;
  server.masterReplOffset = Math.max(link.offset, 0);
  server.secondReplOffset = server.masterReplOffset + 1;
  server.replId = randomHex(40);
  server.log.notice(`Setting secondary replication ID to ${server.replId2}, valid up to offset: ${server.secondReplOffset}. New replication ID is ${server.replId}`);
  // replicas must learn the new id: drop them (they reconnect)
  const set = replicaSet.peek(server);
  if (set !== undefined) for (const r of [...set]) server.closeClient(r);
  server.propagator.selectedDb = -1;
}

/** REPLICAOF host port | NO ONE (SLAVEOF is the same command). */
function replicaof(c: Client, argv: string[]): void {
  const server = c.server;
  if (isWord(argv[1], 'no') && isWord(argv[2], 'one')) {
    if (links.has(server)) {
      unsetMaster(server);
      server.log.notice(`MASTER MODE enabled (user request from '${server.clientDescription(c)}')`);
    }
    c.reply.ok();
    return;
  }
  if (c.isReplica) {
    c.error('ERR Command is not valid when client is a replica.');
    return;
  }
  const port = intArg(c, argv[2], 'ERR Invalid master port');
  if (port === null) return;
  if (port < 0 || port > 65535) {
    c.error('ERR Invalid master port');
    return;
  }
  const cur = links.get(server);
  if (cur !== undefined && cur.host.toLowerCase() === argv[1].toLowerCase() && cur.port === port) {
    server.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    c.reply.simple('OK Already connected to specified master');
    return;
  }
  setMaster(server, argv[1], port);
  server.log.notice(`REPLICAOF ${argv[1]}:${port} enabled (user request from '${server.clientDescription(c)}')`);
  c.reply.ok();
}

/** ROLE */
function role(c: Client): void {
  const server = c.server;
  const r = c.reply;
  const link = links.get(server);
  if (link === undefined) {
    const set = replicaSet.peek(server);
    const list = set === undefined ? [] : [...set];
    r.arrayHeader(3);
    r.bulk('master');
    r.int(server.masterReplOffset);
    r.arrayHeader(list.length);
    for (const rep of list) {
      r.arrayHeader(3);
      r.bulk(rep.addr.slice(0, rep.addr.lastIndexOf(':')));
      r.bulk(String(replicaListeningPort.get(rep) ?? 0));
      r.bulk(String(replicaAckOffset.get(rep) ?? 0));
    }
    return;
  }
  const state = link.state === 'connected' ? 'connected'
    : link.state === 'transfer' ? 'sync'
    : link.state === 'connect' ? 'connect'
    : link.state === 'connecting' ? 'connecting' : 'handshake';
  r.arrayHeader(5);
  r.bulk('slave');
  r.bulk(link.host);
  r.int(link.port);
  r.bulk(state);
  r.int(link.offset);
}

const replicaListeningPort = new WeakMap<Client, number>();

/** When each replica last acknowledged (ms). */
const replicaAckTime = new WeakMap<Client, number>();

/** Replicas whose last ACK is within min-replicas-max-lag seconds. */
function goodReplicas(server: Server): number {
  const set = replicaSet.peek(server);
  if (set === undefined) return 0;
  const maxLag = server.config.minReplicasMaxLag * 1000;
  const now = server.clock.now();
  let n = 0;
  for (const r of set) if (now - (replicaAckTime.get(r) ?? 0) <= maxLag) n++;
  return n;
}

/** min-replicas-to-write: may a master accept writes now? (checkGoodReplicasStatus) */
export function enoughGoodReplicas(server: Server): boolean {
  if (links.has(server)) return true;
  const min = server.config.minReplicasToWrite;
  return !(min > 0 && server.config.minReplicasMaxLag > 0 && goodReplicas(server) < min);
}

/** A replica whose link is down while replica-serve-stale-data is off: most commands are refused. */
export function isStaleReplica(server: Server): boolean {
  return isStaleLink(server, links.get(server));
}

function isStaleLink(server: Server, link: ReplicaLink | undefined): boolean {
  return link !== undefined && link.state !== 'connected' && !server.config.replicaServeStaleData;
}

/** A replica with replica-read-only: writes from clients are refused. */
export function isReadonlyReplica(server: Server): boolean {
  return links.has(server) && server.config.replicaReadOnly;
}

/* -------------------------------------------------------------------- WAIT */

interface WaitState {
  offset: number;
  numReplicas: number;
}
const waiters = new Map<Client, WaitState>();

/** Replicas whose acknowledged offset reached `offset`. */
function ackedReplicas(server: Server, offset: number): number {
  const set = replicaSet.peek(server);
  if (set === undefined) return 0;
  let n = 0;
  for (const r of set) if ((replicaAckOffset.get(r) ?? 0) >= offset) n++;
  return n;
}

/** An ACK arrived: wake the WAITs it satisfies (their reply is the count). */
function serveWaiters(server: Server): void {
  for (const [c, w] of waiters) {
    if (c.server !== server) continue;
    if (ackedReplicas(server, w.offset) >= w.numReplicas) server.blocking.unblock(c, false);
  }
}

/** Ask every replica for its offset now (part of the stream, as Redis). */
function requestAcks(server: Server): void {
  feedReplicas(server, GETACK);
}

const GETACK = encodeCommand(['REPLCONF', 'GETACK', '*']);
const PING = encodeCommand(['PING']);

/** WAIT numreplicas timeout */
function wait(c: Client, argv: string[]): void {
  const server = c.server;
  if (links.has(server)) {
    c.error('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
    return;
  }
  const numReplicas = intArg(c, argv[1]);
  if (numReplicas === null) return;
  const timeout = msTimeoutArg(c, argv[2]);
  if (timeout === null) return;
  const offset = server.masterReplOffset;
  const acked = ackedReplicas(server, offset);
  if (acked >= numReplicas || c.denyBlocking) {
    c.reply.int(acked);
    return;
  }
  waiters.set(c, { offset, numReplicas });
  server.blocking.block(c, c.db, [], timeout, {
    serve: () => false,
    timeout: () => {
      waiters.delete(c);
      c.reply.int(ackedReplicas(server, offset));
    },
  });
  requestAcks(server);
}
const replicaAckOffset = new WeakMap<Client, number>();

function replicationInfo(server: Server): string {
  const link = links.get(server);
  let out = `role:${link === undefined ? 'master' : 'slave'}\r\n`;
  if (link !== undefined) {
    const now = server.clock.now();
    const up = link.state === 'connected';
    const off = link.offset < 0 ? 1 : link.offset;
    out += `master_host:${link.host}\r\n` +
      `master_port:${link.port}\r\n` +
      `master_link_status:${up ? 'up' : 'down'}\r\n` +
      `master_last_io_seconds_ago:${link.master !== null ? Math.floor((now - link.lastIo) / 1000) : -1}\r\n` +
      `master_sync_in_progress:${link.state === 'transfer' ? 1 : 0}\r\n` +
      `slave_read_repl_offset:${off}\r\n` +
      `slave_repl_offset:${off}\r\n`;
    if (link.state === 'transfer') {
      const total = Math.max(link.transferSize, 0);
      const perc = total > 0 ? (link.transferRead / total) * 100 : 0;
      out += `master_sync_total_bytes:${total}\r\n` +
        `master_sync_read_bytes:${link.transferRead}\r\n` +
        `master_sync_left_bytes:${total - link.transferRead}\r\n` +
        `master_sync_perc:${perc.toFixed(2)}\r\n` +
        `master_sync_last_io_seconds_ago:${Math.floor((now - link.lastIo) / 1000)}\r\n`;
    }
    if (!up) out += `master_link_down_since_seconds:${link.downSince > 0 ? Math.floor((now - link.downSince) / 1000) : -1}\r\n`;
    const cfg = server.config;
    out += `slave_priority:${cfg.replicaPriority}\r\n` +
      `slave_read_only:${cfg.replicaReadOnly ? 1 : 0}\r\n` +
      `replica_announced:${cfg.replicaAnnounced ? 1 : 0}\r\n`;
  }
  const set = replicaSet.peek(server);
  out += `connected_slaves:${set?.size ?? 0}\r\n`;
  if (server.config.minReplicasToWrite > 0 && server.config.minReplicasMaxLag > 0) {
    out += `min_slaves_good_slaves:${set?.size ?? 0}\r\n`;
  }
  if (set !== undefined) {
    let i = 0;
    for (const rep of set) {
      const ip = rep.addr.slice(0, rep.addr.lastIndexOf(':'));
      const now = server.clock.now();
      const lag = Math.floor((now - (replicaAckTime.get(rep) ?? now)) / 1000);
      out += `slave${i++}:ip=${ip},port=${replicaListeningPort.get(rep) ?? 0},state=online,offset=${replicaAckOffset.get(rep) ?? 0},lag=${lag}\r\n`;
    }
  }
  const replId = link !== undefined && link.replId !== '?' ? link.replId : server.replId;
  const offset = link !== undefined ? Math.max(link.offset, 0) : server.masterReplOffset;
  out += 'master_failover_state:no-failover\r\n' +
    `master_replid:${replId}\r\n` +
    `master_replid2:${server.replId2}\r\n` +
    `master_repl_offset:${offset}\r\n` +
    `second_repl_offset:${server.secondReplOffset}\r\n` +
    'repl_backlog_active:0\r\n' +
    `repl_backlog_size:${server.config.replBacklogSize}\r\n` +
    'repl_backlog_first_byte_offset:0\r\n' +
    'repl_backlog_histlen:0\r\n';
  return out;
}

export function install(host: ModuleHost): void {
  const server = host.server;
  host.onClientFreed((c) => waiters.delete(c));
  host.onClientReset((c) => waiters.delete(c));
  host.provideInfoField('connected_slaves', (s) => replicaSet.peek(s)?.size ?? 0);
  host.provideInfoSection('replication', replicationInfo);
  host.addCronTask((now) => {
    const link = links.get(server);
    if (link === undefined) return;
    link.cron(now);
    if (server.activeExpireEnabled) server.keyspace.expireReplicaKeys(now);
  });
  // the master pings its replicas every repl-ping-replica-period seconds (part of the stream)
  let lastPing = server.clock.now();
  host.addCronTask((now) => {
    if (links.has(server) || now - lastPing < server.config.replPingReplicaPeriod * 1000) return;
    lastPing = now;
    feedReplicas(server, PING);
  });
  // a replica refuses writes from its clients; with the link down it may refuse everything
  host.addCommandGate((srv, c, cmd) => {
    // the common case first: a master without min-replicas-to-write has nothing to check
    if (c.isMaster || (!srv.keyspace.isReplica && srv.config.minReplicasToWrite === 0)) return false;
    const isExec = cmd.isExec;
    const flags = isExec ? c.multi.cmdFlags : cmd.flags;
    const isWrite = (flags & CMD_WRITE) !== 0;
    // a link exists exactly while keyspace.isReplica is set (setMaster / unsetMaster)
    const link = links.get(srv);
    // min-replicas-to-write: a master with too few good replicas refuses writes
    if (link === undefined) return isWrite && !enoughGoodReplicas(srv) ? 'NOREPLICAS Not enough good replicas to write.' : false;
    // isReadonlyReplica, with the link in hand
    if (isWrite && srv.config.replicaReadOnly) return "READONLY You can't write against a read only replica.";
    const denyStale = (cmd.flags & CMD_STALE) === 0 || (isExec && (c.multi.cmdInvFlags & CMD_STALE) !== 0);
    if (denyStale && isStaleLink(srv, link)) return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    return false;
  }, (srv) => srv.keyspace.isReplica || srv.config.minReplicasToWrite > 0);
  const initial = server.config.replicaof.trim();
  if (initial !== '') {
    const [host, port] = initial.split(/\s+/);
    setImmediate(() => setMaster(server, host, Number(port)));
  }
}

export const handlers: HandlerMap = { sync, psync, replconf, replicaof, slaveof: replicaof, role, wait };
