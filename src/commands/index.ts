/*
 * The command families, each a module (server/module-host.ts): a family
 * file exports `handlers`, keyed by the command's full name ("get",
 * "config|get"), and optionally `install(host)` to attach what it needs to
 * its server (cron tasks, keyspace listeners, command gates, INFO fields).
 * The composition root (src/compose.ts) joins them with the other modules.
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

interface FamilyFile {
  handlers: HandlerMap;
  install?: (host: ModuleHost) => void;
}

/** In installation order: gates and listeners run in the order their modules installed them. */
const FAMILIES: [string, FamilyFile][] = [
  ['connection', connection],
  ['cluster', cluster],
  ['string', string],
  ['keyspace', keyspace],
  ['expire', expire],
  ['config', configCmd],
  ['client', clientCmd],
  ['introspection', introspection],
  ['debug', debug],
  ['functions', functions],
  ['monitoring', monitoring],
  ['list', list],
  ['hash', hash],
  ['set', set],
  ['zset', zset],
  ['sort', sort],
  ['multi', multi],
  ['replication', replication],
  ['bitmap', bitmap],
];

const LATER_FAMILIES: [string, FamilyFile][] = [
  ['geo', geo],
  ['pubsub', pubsub],
  ['acl', acl],
  ['persistence', persistence],
  ['hyperloglog', hyperloglog],
  ['scripting', scripting],
  ['stream', stream],
  ['migrate', migrate],
];

function asModule([name, f]: [string, FamilyFile]): ServerModule {
  return { name, commands: f.handlers, install: f.install };
}

/** The families installed before the AOF (which installs between bitmap and geo, as it always has). */
export const EARLY_FAMILIES: ServerModule[] = FAMILIES.map(asModule);
/** ... and those after it. */
export const LATE_FAMILIES: ServerModule[] = LATER_FAMILIES.map(asModule);
