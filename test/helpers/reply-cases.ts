/*
 * Replies recorded from redis-server, replayed in-process: each case is a
 * command with its exact RESP2 and RESP3 replies; every group runs on a
 * fresh server once per protocol version.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inProcess } from './inprocess';

/** argv, RESP2 reply, RESP3 reply */
export type ReplyCase = [string[], string, string];

export function runReplyCases(cases: Record<string, ReplyCase[]>): void {
  for (const [name, list] of Object.entries(cases)) {
    for (const proto of [2, 3]) {
      test(`${name} (RESP${proto})`, () => {
        const { run } = inProcess();
        run('HELLO', String(proto));
        for (const [argv, r2, r3] of list) {
          assert.equal(run(...argv), proto === 2 ? r2 : r3, argv.join(' '));
        }
      });
    }
  }
}
