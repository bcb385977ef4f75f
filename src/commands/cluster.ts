/*
 * Cluster family, standalone only: CLUSTER (every subcommand), READONLY and
 * READWRITE exist, so that COMMAND, ACL rules and clients can name them,
 * and answer as Redis 7.0 does with cluster mode off: "This instance has
 * cluster support disabled". Cluster mode itself comes with Redis Cluster.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';

const DISABLED = 'ERR This instance has cluster support disabled';

/** READONLY / READWRITE: reads from replicas of a cluster, once cluster mode exists. */
function setReadonlyMode(c: Client, on: boolean): void {
  if (!c.server.config.clusterEnabled) {
    c.error(DISABLED);
    return;
  }
  c.readonlyMode = on;
  c.reply.ok();
}

function clusterDisabled(c: Client): void {
  c.error(DISABLED);
}

const CLUSTER_SUBCOMMANDS = [
  'addslots', 'addslotsrange', 'bumpepoch', 'count-failure-reports', 'countkeysinslot', 'delslots',
  'delslotsrange', 'failover', 'flushslots', 'forget', 'getkeysinslot', 'help', 'info', 'keyslot',
  'links', 'meet', 'myid', 'nodes', 'replicas', 'replicate', 'reset', 'saveconfig', 'set-config-epoch',
  'setslot', 'shards', 'slaves', 'slots',
];

export const handlers: HandlerMap = {
  readonly: (c: Client) => setReadonlyMode(c, true),
  readwrite: (c: Client) => setReadonlyMode(c, false),
  ...Object.fromEntries(CLUSTER_SUBCOMMANDS.map((s) => [`cluster|${s}`, clusterDisabled])),
};
