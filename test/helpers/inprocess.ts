/*
 * In-process test harness: a Server without sockets, clients driven with
 * executeCommand (replies taken as latin1 text), and a recorder of what
 * commands cause beside their replies: keyspace notifications ("event:key")
 * and the effects they propagate explicitly (keyspace.propagate: rewrites
 * such as SET ... PXAT, BLPOP served as LPOP).
 */
import type { Server } from '../../src/server/server';
import { composeServer } from '../../src/compose';
import { Config } from '../../src/config/config';
import { Client } from '../../src/server/client';
import { executeCommand } from '../../src/server/dispatch';
import { NOTIFY_ALL, NOTIFY_NEW, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT } from '../../src/keyspace/notify-flags';

/** notify-keyspace-events KEAn: every event, on both channels. */
const ALL_EVENTS = NOTIFY_ALL | NOTIFY_NEW | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT;

export interface InProcess {
  server: Server;
  /** client 1, on db 0 */
  c: Client;
  /** another client on db 0 (ids 2, 3, ...) */
  client(): Client;
  /** run a command on c, return its reply */
  run(...argv: string[]): string;
  /** run a command on a given client, return its reply */
  runOn(cl: Client, ...argv: string[]): string;
}

/** A fresh server (configure() may change its config first) and a client to drive it. */
export function inProcess(configure?: (config: Config) => void): InProcess {
  const config = new Config();
  configure?.(config);
  const server = composeServer(config);
  let nextId = 1;
  const client = (): Client => {
    const id = nextId++;
    return new Client(server, null, id, server.keyspace.dbs[0], `127.0.0.1:${id}`, '127.0.0.1:2', -1);
  };
  const c = client();
  const runOn = (cl: Client, ...argv: string[]): string => {
    executeCommand(server, cl, argv);
    return cl.reply.take().toString('latin1');
  };
  return { server, c, client, run: (...argv) => runOn(c, ...argv), runOn };
}

export interface Effects {
  /** notifications so far, as "event:key" */
  events: string[];
  /** explicitly propagated commands so far, argv joined with spaces */
  props: string[];
  /** what was recorded since the last take() */
  take(): { events: string[]; props: string[] };
}

/** Record the server's keyspace notifications (enabled with `flags`) and propagated effects. */
export function recordEffects(server: Server, flags = ALL_EVENTS): Effects {
  const events: string[] = [];
  const props: string[] = [];
  server.keyspace.notifyFlags = flags;
  server.keyspace.onNotify((_t, ev, key) => events.push(`${ev}:${key}`));
  server.keyspace.onPropagate((_db, argv) => props.push(argv.join(' ')));
  return { events, props, take: () => ({ events: events.splice(0), props: props.splice(0) }) };
}

/** A counter of the server's dirty changes: each call returns how many were made since the previous one. */
export function dirtyCounter(server: Server): () => number {
  let last = server.keyspace.dirty;
  return () => {
    const n = server.keyspace.dirty - last;
    last = server.keyspace.dirty;
    return n;
  };
}
