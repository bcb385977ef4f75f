/*
 * The command families, each a module (server/module-host.ts): a family
 * file exports `handlers`, keyed by the command's full name ("get",
 * "config|get"), and optionally `install(host)` to attach what it needs to
 * its server (cron tasks, keyspace listeners, command gates, INFO fields).
 * The composition root (src/compose.ts) joins them with the server-level
 * modules.
 */
import type { HandlerMap } from '../command-model/table';
import type { ModuleHost, ServerModule } from '../server/module-host';
import * as connection from './connection';
import * as cluster from './cluster';
import * as string from './string';
import * as keyspace from './keyspace';
import * as expire from './expire';
import * as configCmd from './config-cmd';
import * as clientCmd from './client-cmd';
import * as introspection from './introspection';
import * as debug from './debug';
import * as functions from './functions';
import * as monitoring from './monitoring';
import * as list from './list';
import * as hash from './hash';
import * as set from './set';
import * as zset from './zset';
import * as sort from './sort';
import * as multi from './multi';
import * as replication from './replication';
import * as bitmap from './bitmap';
import * as geo from './geo';
import * as pubsub from './pubsub';
import * as acl from './acl';
import * as persistence from './persistence';
import * as hyperloglog from './hyperloglog';
import * as scripting from './scripting';
import * as stream from './stream';
import * as migrate from './migrate';
import { aofModule } from '../persistence/aof';

interface FamilyFile {
  handlers: HandlerMap;
  install?: (host: ModuleHost) => void;
}

/** A family file as a module. */
function family(name: string, f: FamilyFile): ServerModule {
  return { name, commands: f.handlers, install: f.install };
}

/** In installation order: gates and listeners run in the order their modules installed them. */
export const FAMILY_MODULES: readonly ServerModule[] = [
  family('connection', connection),
  family('cluster', cluster),
  family('string', string),
  family('keyspace', keyspace),
  family('expire', expire),
  family('config', configCmd),
  family('client', clientCmd),
  family('introspection', introspection),
  family('debug', debug),
  family('functions', functions),
  family('monitoring', monitoring),
  family('list', list),
  family('hash', hash),
  family('set', set),
  family('zset', zset),
  family('sort', sort),
  family('multi', multi),
  family('replication', replication),
  family('bitmap', bitmap),
  // the AOF (persistence/aof.ts) installs here, where its family file used to
  aofModule,
  family('geo', geo),
  family('pubsub', pubsub),
  family('acl', acl),
  family('persistence', persistence),
  family('hyperloglog', hyperloglog),
  family('scripting', scripting),
  family('stream', stream),
  family('migrate', migrate),
];
