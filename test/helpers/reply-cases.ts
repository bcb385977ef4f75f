/*
 * Replies recorded from redis-server, replayed in-process: each case is a
 * command with its exact RESP2 and RESP3 replies; every group runs on a
 * fresh server once per protocol version.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Server } from '../../src/server/server';
import { Config } from '../../src/config/config';
import { Client } from '../../src/server/client';
import { executeCommand } from '../../src/server/dispatch';

/** argv, RESP2 reply, RESP3 reply */
export type ReplyCase = [string[], string, string];

export function runReplyCases(cases: Record<string, ReplyCase[]>): void {
  for (const [name, list] of Object.entries(cases)) {
    for (const proto of [2, 3]) {
      test(`${name} (RESP${proto})`, () => {
        const server = new Server(new Config());
        const c = new Client(server, null, 1, server.keyspace.dbs[0], '127.0.0.1:1', '127.0.0.1:2', -1);
        executeCommand(server, c, ['HELLO', String(proto)]);
        c.reply.take();
        for (const [argv, r2, r3] of list) {
          executeCommand(server, c, argv);
          const got = c.reply.take().toString('latin1');
          assert.equal(got, proto === 2 ? r2 : r3, argv.join(' '));
        }
      });
    }
  }
}
