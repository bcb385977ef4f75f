/*
 * Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and
 * PUBSUB introspection, over the registry in server/pubsub.ts.
 *
 * Also installed here (install):
 * - the RESP2 subscribed-context gate: a RESP2 client with subscriptions may
 *   only run (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET;
 * - keyspace notifications: each keyspace event passing the
 *   notify-keyspace-events class filter is published on
 *   __keyspace@<db>__:<key> (K) and/or __keyevent@<db>__:<event> (E);
 * - cleanup of subscriptions on RESET and disconnection;
 * - the cron pass over output buffer limits (soft limits expire with time).
 */
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { HandlerMap } from '../command-model/table';
import type { ModuleHost } from '../server/module-host';
import { KIND_CHANNEL, KIND_PATTERN, KIND_SHARD, NAMES, checkOutputBufferLimits } from '../server/pubsub';
import { replyHelp, subcommandSyntaxError } from '../command-model/args';
import { stringMatch } from '../util/glob';
import { NOTIFY_KEYSPACE, NOTIFY_KEYEVENT } from '../keyspace/notify-flags';

/**
 * (P|S)SUBSCRIBE: refused for a client that may not block (a script's, or
 * EXEC's), except that SUBSCRIBE and PSUBSCRIBE queued in MULTI run in EXEC.
 */
function subscribeKind(c: Client, argv: string[], kind: number): void {
  if (c.denyBlocking && (kind === KIND_SHARD || c.multi.queued < 0)) {
    c.error(`ERR ${NAMES.subscribe[kind].toUpperCase()} isn't allowed for a DENY BLOCKING client`);
    return;
  }
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) ps.subscribe(c, kind, argv[i]);
}

function unsubscribeKind(c: Client, argv: string[], kind: number): void {
  const ps = c.server.pubsub;
  if (argv.length === 1) ps.unsubscribeAll(c, kind, true);
  else for (let i = 1; i < argv.length; i++) ps.unsubscribe(c, kind, argv[i], true);
}

/** PUBLISH / SPUBLISH: always propagated, even with no receiver (as Redis). */
function publishKind(c: Client, argv: string[], shard: boolean): void {
  const n = c.server.pubsub.publish(argv[1], argv[2], shard);
  c.server.propagator.force();
  c.reply.int(n);
}

function channelList(c: Client, argv: string[], map: Map<string, Client[]>): void {
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const pat = argv.length === 3 ? argv[2] : null;
  const out: string[] = [];
  for (const name of map.keys()) {
    if (pat === null || stringMatch(pat, name)) out.push(name);
  }
  c.reply.bulkArray(out);
}

function numsub(c: Client, argv: string[], map: Map<string, Client[]>): void {
  c.reply.arrayHeader((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.reply.bulk(argv[i]);
    c.reply.int(map.get(argv[i])?.length ?? 0);
  }
}

function pubsubHelp(c: Client): void {
  replyHelp(c, 'PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}

/** Commands a RESP2 client in subscribed state may still run. */
const SUBSCRIBED_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

/** Publish a keyspace event as Redis's notifyKeyspaceEvent does. */
function keyspaceEvent(server: Server, event: string, key: string, dbid: number): void {
  const ps = server.pubsub;
  if (!ps.active) return;
  const flags = server.keyspace.notifyFlags;
  if (flags & NOTIFY_KEYSPACE) ps.publish(`__keyspace@${dbid}__:${key}`, event, false);
  if (flags & NOTIFY_KEYEVENT) ps.publish(`__keyevent@${dbid}__:${event}`, key, false);
}

export function install(host: ModuleHost): void {
  const server = host.server;
  host.addCommandGate((_server, c, cmd) => {
    if (c.sub.count === 0 || c.resp !== 2) return false;
    if (SUBSCRIBED_ALLOWED.has(cmd.parent !== null ? cmd.parent.name : cmd.name)) return false;
    return `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
  }, (srv) => srv.pubsub.hasSubscribers);
  server.keyspace.onNotify((_type, event, key, dbid) => keyspaceEvent(server, event, key, dbid));
  host.onClientReset((c) => server.pubsub.dropClient(c));
  host.onClientFreed((c) => server.pubsub.dropClient(c));
  // soft limits are time based: a client that stays over one is closed even if nothing new is queued
  host.addCronTask(() => {
    for (const c of [...server.clients.values()]) {
      if (c.obufSoftLimitSince !== 0) checkOutputBufferLimits(server, c, false);
    }
  });
}

export const handlers: HandlerMap = {
  subscribe: (c, argv) => subscribeKind(c, argv, KIND_CHANNEL),
  psubscribe: (c, argv) => subscribeKind(c, argv, KIND_PATTERN),
  ssubscribe: (c, argv) => subscribeKind(c, argv, KIND_SHARD),
  unsubscribe: (c, argv) => unsubscribeKind(c, argv, KIND_CHANNEL),
  punsubscribe: (c, argv) => unsubscribeKind(c, argv, KIND_PATTERN),
  sunsubscribe: (c, argv) => unsubscribeKind(c, argv, KIND_SHARD),
  publish: (c, argv) => publishKind(c, argv, false),
  spublish: (c, argv) => publishKind(c, argv, true),
  'pubsub|channels': (c, argv) => channelList(c, argv, c.server.pubsub.channels),
  'pubsub|shardchannels': (c, argv) => channelList(c, argv, c.server.pubsub.shardChannels),
  'pubsub|numsub': (c, argv) => numsub(c, argv, c.server.pubsub.channels),
  'pubsub|shardnumsub': (c, argv) => numsub(c, argv, c.server.pubsub.shardChannels),
  'pubsub|numpat': (c) => c.reply.int(c.server.pubsub.patterns.size),
  'pubsub|help': pubsubHelp,
};
