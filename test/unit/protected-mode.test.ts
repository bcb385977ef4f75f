import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isLocalPeer, refusedByProtectedMode, PROTECTED_MODE_ERROR } from '../../src/server/protected-mode';

test('only loopback peers and unix sockets count as local (Redis islocalClient)', () => {
  assert.equal(isLocalPeer('127.0.0.1'), true);
  assert.equal(isLocalPeer('::1'), true);
  assert.equal(isLocalPeer('::ffff:127.0.0.1'), true);
  assert.equal(isLocalPeer(undefined), true, 'unix socket');
  assert.equal(isLocalPeer('127.0.0.2'), false, 'Redis compares the exact text 127.0.0.1');
  assert.equal(isLocalPeer('10.1.2.3'), false);
  assert.equal(isLocalPeer('fe80::1'), false);
});

test('protected mode refuses remote peers only without a password and while enabled', () => {
  assert.equal(refusedByProtectedMode(true, '', '192.0.2.7'), true);
  assert.equal(refusedByProtectedMode(true, 'secret', '192.0.2.7'), false);
  assert.equal(refusedByProtectedMode(false, '', '192.0.2.7'), false);
  assert.equal(refusedByProtectedMode(true, '', '127.0.0.1'), false);
  assert.ok(PROTECTED_MODE_ERROR.startsWith('-DENIED Redis is running in protected mode'));
  assert.ok(PROTECTED_MODE_ERROR.endsWith('accepting connections from the outside.\r\n'));
});
