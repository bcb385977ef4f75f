/*
 * util/gc.ts: a forced collection with sweepNow leaves final figures,
 * dead Buffers' memory included (V8 sweeps array buffers concurrently by
 * default, and they stay counted in external_memory after gc() returns),
 * and forcedGcCount() counts collections. Runs in a child process started
 * with --expose-gc, as bin/nodis-server starts the server.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const GC_MODULE = path.join(__dirname, '../../src/util/gc.js');

function runWithGc(body: string): string {
  const script = `const v8 = require('v8'); const g = require(${JSON.stringify(GC_MODULE)});\n${body}`;
  return execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }).trim();
}

test('fullGc({ sweepNow }) releases a dropped Buffer before returning; forcedGcCount counts collections', () => {
  const out = runWithGc(`
    const results = [];
    for (let i = 0; i < 5; i++) {
      let b = Buffer.alloc(400 * 1024, 1);
      g.fullGc({ sweepNow: true });
      const before = v8.getHeapStatistics().external_memory;
      b = null;
      const count = g.forcedGcCount();
      g.fullGc({ sweepNow: true });
      results.push((before - v8.getHeapStatistics().external_memory) + ':' + (g.forcedGcCount() - count));
    }
    console.log(results.join(' '));
  `);
  for (const r of out.split(' ')) {
    const [freed, counted] = r.split(':').map(Number);
    assert.ok(freed >= 400 * 1024, `freed ${freed}`);
    assert.equal(counted, 1);
  }
});

test('without exposed gc, fullGc does nothing and says so', () => {
  const out = execFileSync(process.execPath, ['-e', `const g = require(${JSON.stringify(GC_MODULE)}); console.log(g.fullGc({ sweepNow: true }), g.gcAvailable(), g.forcedGcCount())`], { encoding: 'utf8' }).trim();
  assert.equal(out, 'false false 0');
});
