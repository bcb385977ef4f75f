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
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from './table';
import { isWord } from './args';
import { writeRdb } from '../persistence/rdb-writer';
import { provideInfoField } from '../info/info';

const replicas = new WeakMap<Server, Set<Client>>();

function replicaSet(server: Server): Set<Client> {
  let set = replicas.get(server);
  if (set === undefined) {
    set = new Set();
    replicas.set(server, set);
    const attached = set;
    server.onClientFreed((c) => attached.delete(c));
    server.propagator.addTarget((argv) => {
      if (attached.size === 0) return;
      let s = `*${argv.length}\r\n`;
      for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
      server.masterReplOffset += s.length;
      for (const r of attached) {
        r.reply.raw(s);
        server.scheduleFlush(r);
      }
    });
  }
  return set;
}

/** Send the snapshot and start streaming to the client. */
function attachReplica(c: Client): void {
  const server = c.server;
  const set = replicaSet(server);
  const rdb = writeRdb(server.keyspace, process.memoryUsage().heapUsed);
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
    if (isWord(opt, 'ack') || isWord(opt, 'getack')) return;
    if (!['listening-port', 'ip-address', 'capa', 'rdb-only'].includes(opt.toLowerCase())) {
      c.error(`ERR Unrecognized REPLCONF option: ${opt}`);
      return;
    }
  }
  c.reply.ok();
}

export function setup(server: Server): void {
  provideInfoField('connected_slaves', (s) => replicas.get(s)?.size ?? 0);
}

export const handlers: HandlerMap = { sync, psync, replconf };
