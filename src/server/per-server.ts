/*
 * State a subsystem keeps per server without a field on Server itself (the
 * AOF, the script host, eviction...): created on first use, dropped with the
 * server (a WeakMap), so several servers can live in one process (tests,
 * the embedding API).
 */
import type { Server } from './server';

export interface PerServer<T> {
  /** The server's instance, created on first use. */
  (server: Server): T;
  /** The server's instance if one was created. */
  peek(server: Server): T | undefined;
}

export function perServer<T>(create: (server: Server) => T): PerServer<T> {
  const map = new WeakMap<Server, T>();
  const get = (server: Server): T => {
    let v = map.get(server);
    if (v === undefined) {
      v = create(server);
      map.set(server, v);
    }
    return v;
  };
  return Object.assign(get, { peek: (server: Server) => map.get(server) });
}
