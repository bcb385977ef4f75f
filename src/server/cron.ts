/*
 * serverCron: what runs hz times per second: the active expiry cycle,
 * closing idle clients, instantaneous metrics. Each task keeps its own time
 * budget so that the loop is never held for long. Nothing runs while a busy
 * script holds the server (the event loop then only serves -BUSY replies).
 */
import type { Server } from './server';

export function serverCron(server: Server): void {
  if (server.debugKnobs.pauseCron || server.scriptBusy) return;
  server.clock.resync();
  const now = server.clock.now();
  server.keyspace.now = now;
  server.cronLoops++;
  server.stats.sampleMetric('commands', server.stats.numCommands, now);
  server.stats.sampleMetric('net_input', server.stats.netInputBytes, now);
  server.stats.sampleMetric('net_output', server.stats.netOutputBytes, now);
  for (const task of server.cronTasks) task(now);
}
