/*
 * A client as CLIENT LIST, CLIENT INFO, the ACL LOG and the log describe
 * it: one "id=... addr=... flags=... cmd=..." line, in Redis 7.0's field
 * order, read from the Client object every time (subsystems own those
 * fields; nothing here keeps a copy), and the client type that CLIENT
 * LIST TYPE, CLIENT KILL TYPE and the output buffer limits go by.
 */
import type { Client } from './client';
import { pendingOutput } from './pubsub';

/** Client types as CLIENT LIST TYPE / CLIENT KILL TYPE name them. */
export const TYPE_NORMAL = 0;
export const TYPE_REPLICA = 1;
export const TYPE_PUBSUB = 2;
export const TYPE_MASTER = 3;

/** Redis's getClientType(): a monitor counts as a replica, as it does in Redis. */
export function clientType(c: Client): number {
  if (c.isMaster) return TYPE_MASTER;
  if (c.isReplica || c.monitor) return TYPE_REPLICA;
  if (c.sub.count > 0) return TYPE_PUBSUB;
  return TYPE_NORMAL;
}

function flagsOf(c: Client): string {
  let f = '';
  if (c.monitor) f += 'O';
  else if (c.isReplica) f += 'S';
  if (c.isMaster) f += 'M';
  if (c.sub.count > 0) f += 'P';
  if (c.multi.queued >= 0) f += 'x';
  if (c.blocked || c.pausedArgv !== null) f += 'b';
  if (c.tracking.enabled) f += 't';
  if (c.tracking.brokenRedir) f += 'R';
  if (c.tracking.bcast) f += 'B';
  if (c.multi.dirtyCas) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.unblocked) f += 'u';
  if (c.closeAsap) f += 'A';
  if (c.socket !== null && c.socket.remoteAddress === undefined) f += 'U';
  if (c.readonlyMode) f += 'r';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

/** Size of a command as it travelled in RESP (what sat in the query buffer). */
function requestBytes(argv: string[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

/** An approximation of the fixed per-client memory (the client struct and its lists). */
const CLIENT_STRUCT_BYTES = 1024;

/**
 * One CLIENT LIST line (without the newline). `self`/`argv` describe the
 * client running CLIENT LIST/INFO: its request still counts as query buffer
 * and argument memory, as it does in Redis while the command runs.
 */
export function clientInfoString(c: Client, self: Client | null = null, argv: string[] | null = null): string {
  const now = c.server.clock.now();
  let qbuf = c.parser.pendingBytes;
  let argvMem = 0;
  if (c === self && argv !== null) {
    qbuf += requestBytes(argv);
    for (const a of argv) argvMem += a.length;
  }
  const qbufFree = Math.max(0, c.qbufAlloc - qbuf);
  const rbs = c.reply.size;
  const rbp = Math.min(c.reply.peak, rbs);
  const obl = c.reply.len;
  const omem = pendingOutput(c) - obl;
  const multiMem = c.multi.queued >= 0 && c.multi.state !== null ? c.multi.state.memory() : 0;
  const totMem = Math.max(qbuf, c.qbufAlloc) + rbs + argvMem + multiMem + omem + CLIENT_STRUCT_BYTES;
  const events = obl > 0 || omem > 0 ? 'rw' : 'r';
  const cmd = c.cmd !== null ? c.cmd.fullName : 'NULL';
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${Math.floor((now - c.ctime) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)}` +
    ` flags=${flagsOf(c)} db=${c.db.id} sub=${c.sub.channels} psub=${c.sub.patterns} ssub=${c.sub.shardChannels}` +
    ` multi=${c.multi.queued} qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=${rbs} rbp=${rbp} obl=${obl} oll=0 omem=${omem} tot-mem=${totMem}` +
    ` events=${events} cmd=${cmd} user=${c.user} redir=${c.tracking.enabled ? c.tracking.redirect : -1} resp=${c.resp}`;
}
