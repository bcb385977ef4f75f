/*
 * Embedding API: start a Nodis server inside the calling process.
 *
 *   import { startServer } from 'nodis';
 *   const srv = await startServer();            // a free port on 127.0.0.1
 *   const redis = new Redis(srv.port, srv.host);
 *   ...
 *   await srv.close();
 *
 * With { clock: 'manual' } the server's time stands still until
 * srv.clock.advance(ms): keys expire, TTLs count down and blocked clients
 * time out as the manual clock moves, without waiting for real time.
 */
import { loadConfig } from './config/config';
import { Server } from './server/server';
import { composeServer, bootServer } from './compose';
import { type Clock, ManualClock, realClock } from './util/clock';

export interface StartOptions {
  /** port to listen on; 0 or absent picks a free one */
  port?: number;
  /** address to bind, default 127.0.0.1 */
  host?: string;
  /** any redis.conf directives, as on the command line: { 'maxmemory': '100mb' } */
  config?: Record<string, string>;
  /** log to this file ('' = stdout); default: no logging */
  logfile?: string;
  /**
   * the server's time source: 'real' (default), 'manual' (a ManualClock
   * starting at the real time, moved by srv.clock.advance(ms)), or any
   * Clock object (util/clock.ts)
   */
  clock?: 'real' | 'manual' | Clock;
}

export interface RunningServer<C extends Clock = Clock> {
  host: string;
  port: number;
  /** the server's clock (server.clock); a ManualClock when started with { clock: 'manual' } */
  clock: C;
  /** the server object, for advanced embedding */
  server: Server;
  close(): Promise<void>;
}

export async function startServer(opts: StartOptions & { clock: 'manual' }): Promise<RunningServer<ManualClock>>;
export async function startServer<C extends Clock>(opts: StartOptions & { clock: C }): Promise<RunningServer<C>>;
export async function startServer(opts?: StartOptions): Promise<RunningServer>;
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const args: string[] = ['--port', String(opts.port ?? 0), '--bind', host];
  for (const [k, v] of Object.entries(opts.config ?? {})) args.push(`--${k}`, v);
  // several servers may share the process: `dir` is theirs, not the process's working directory
  const config = loadConfig(args, { chdir: false });
  const clock = opts.clock === 'manual' ? new ManualClock() : opts.clock === 'real' || opts.clock === undefined ? realClock : opts.clock;
  const server = composeServer(config, { clock });
  if (opts.logfile === undefined) server.log.level = 99;
  else server.log.file = opts.logfile;
  server.exitProcess = () => {
    void server.close();
  };
  if (!(await bootServer(server))) {
    await server.close();
    throw new Error('the data files could not be loaded (see the log)');
  }
  return {
    host,
    port: server.boundPort,
    clock,
    server,
    close: () => server.close(),
  };
}

export { Server };
export { type Clock, type ClockTimer, ManualClock, RealClock, realClock } from './util/clock';
