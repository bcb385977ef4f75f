import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { RawConnection, resp, freePort, ROOT } from '../helpers/server';

// A server whose V8 heap is tiny: filling it must end in -OOM refusals, not a crash.
test('writes are refused with -OOM near the heap limit and the server survives', async () => {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--max-old-space-size=64', path.join(ROOT, 'dist', 'src', 'main.js'), '--port', String(port), '--hz', '100'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(out)), 20000);
    proc.stdout.on('data', () => { if (out.includes('Ready to accept')) { clearTimeout(t); resolve(); } });
  });
  try {
    const c = await RawConnection.connect(port);
    const value = 'v'.repeat(100000);
    let refused = false;
    for (let i = 0; i < 2000 && !refused; i++) {
      const r = await c.request(resp('SET', `k${i}`, value));
      if (r.startsWith('-OOM')) {
        assert.equal(r, "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
        refused = true;
      } else {
        assert.equal(r, '+OK\r\n', `reply ${i}: ${JSON.stringify(r)} server output: ${out.slice(-2000)}`);
      }
    }
    assert.ok(refused, 'expected an OOM refusal before 200 MB of values');
    // reads still work
    assert.equal(await c.request(resp('PING')), '+PONG\r\n');
    c.close();
  } finally {
    proc.kill('SIGKILL');
  }
});
