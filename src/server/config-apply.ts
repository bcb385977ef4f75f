/*
 * Apply hooks: what makes a parameter change take effect, at startup and on
 * CONFIG SET. Installed by the CONFIG command family's install(), run once at
 * startup through Config.applyAll().
 *
 * port/bind: Redis binds the new addresses before answering CONFIG SET and
 * fails with "Unable to listen on this port" / "Failed to bind to specified
 * addresses." when it cannot. Node.js cannot bind synchronously, so the hook
 * first checks the addresses with a short synchronous probe in a child
 * process, then (if they are free) moves the listeners asynchronously:
 * new ones are opened before the old ones close.
 *
 * TLS: not implemented; enabling it at run time is refused with the error
 * Redis gives when it cannot load the TLS configuration.
 */
import { spawnSync } from 'child_process';
import type { Server } from './server';
import type { Config } from '../config/config';
import { PARAMS } from '../config/params';
import { levelFromName } from '../util/log';
import { parseNotifyFlags } from '../keyspace/notify-flags';

/** Try binding each address on port in a child process; returns the failing error code or null. */
export function probeBind(addresses: string[], port: number): string | null {
  const script = `
const net = require('net');
const addrs = JSON.parse(process.argv[1]);
const port = Number(process.argv[2]);
const servers = [];
let i = 0;
const next = () => {
  if (i >= addrs.length) { for (const s of servers) s.close(); process.stdout.write('OK'); return; }
  const raw = addrs[i++];
  const optional = raw.startsWith('-');
  let host = optional ? raw.slice(1) : raw;
  if (host === '*') host = '0.0.0.0'; else if (host === '::*') host = '::';
  const s = net.createServer();
  s.once('error', (e) => { if (optional) next(); else { process.stdout.write(e.code || 'ERR'); process.exit(0); } });
  s.listen({ port, host, exclusive: true }, () => { servers.push(s); next(); });
};
next();`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(addresses), String(port)], {
    encoding: 'utf8', timeout: 5000,
  });
  const out = (r.stdout ?? '').trim();
  return out === 'OK' ? null : out || 'ERR';
}

export function installConfigHooks(server: Server): void {
  const cfg = server.config;
  const ks = server.keyspace;
  for (const [from, to] of cfg.renamedCommands) server.commands.rename(from, to);
  cfg.onChange('loglevel', (c: Config) => {
    server.log.level = Math.max(0, levelFromName(c.loglevel));
  });
  cfg.onChange('logfile', (c: Config) => {
    server.log.file = c.logfile;
  });
  cfg.onChange('notify-keyspace-events', (c: Config) => {
    ks.notifyFlags = Math.max(0, parseNotifyFlags(c.notifyKeyspaceEvents));
  });
  cfg.onChange('maxmemory-policy', (c: Config) => {
    ks.clockMode = c.maxmemoryPolicy.endsWith('-lfu') ? 'lfu' : 'lru';
  });
  cfg.onChange('lfu-log-factor', (c: Config) => {
    ks.lfuLogFactor = c.lfuLogFactor;
  });
  cfg.onChange('lazyfree-lazy-expire', (c: Config) => {
    ks.lazyfreeLazyExpire = c.lazyfreeLazyExpire;
  });
  cfg.onChange('lazyfree-lazy-server-del', (c: Config) => {
    ks.lazyfreeLazyServerDel = c.lazyfreeLazyServerDel;
  });
  cfg.onChange('lfu-decay-time', (c: Config) => {
    ks.lfuDecayTime = c.lfuDecayTime;
  });
  cfg.onChange('slowlog-max-len', (c: Config) => {
    server.slowlog.trim(c.slowlogMaxLen);
  });
  // hz is clamped to 1..500 when set; the cron reads config.hz for each tick.
  let listening = { port: cfg.port, bind: cfg.bind.join(' ') };
  const rebind = (c: Config): string | void => {
    if (!server.isListening()) {
      listening = { port: c.port, bind: c.bind.join(' ') };
      return;
    }
    if (c.port === listening.port && c.bind.join(' ') === listening.bind) return;
    const portChanged = c.port !== listening.port;
    if (c.port !== 0 && c.bind.length > 0) {
      // on the same port, addresses we already listen on are not probed (they are ours)
      const current = listening.bind.split(' ');
      const toProbe = portChanged ? c.bind : c.bind.filter((a) => !current.includes(a));
      const code = toProbe.length === 0 ? null : probeBind(toProbe, c.port);
      if (code !== null) return portChanged ? 'Unable to listen on this port' : 'Failed to bind to specified addresses.';
    }
    listening = { port: c.port, bind: c.bind.join(' ') };
    server.rebindTcp(!portChanged).catch((e: Error) => {
      server.log.warning(`Failed to rebind the TCP listeners: ${e.message}`);
    });
  };
  cfg.onChange('port', rebind);
  cfg.onChange('bind', rebind);
  // Nodis has no TLS: like Redis failing to load certificates, enabling TLS at run time is refused.
  let started = false;
  const tls = (c: Config): string | void => {
    if (c.tlsPort === 0 && !c.tlsReplication && !c.tlsCluster) return;
    server.log.warning('TLS is not supported by this server: the TLS configuration was not applied.');
    if (started) return 'Unable to update TLS configuration. Check server logs.';
  };
  for (const d of PARAMS) if (d.name.startsWith('tls-')) cfg.onChange(d.name, tls);
  const err = cfg.applyAll();
  if (err !== null) throw new Error(err);
  started = true;
}
