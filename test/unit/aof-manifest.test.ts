import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AofManifest, parseManifest, isManifestError } from '../../src/persistence/aof-manifest';

test('manifest: format and parse round trip, base first, then history (newest first, as Redis), then incr', () => {
  const m = new AofManifest();
  m.newBase('appendonly.aof', true);
  m.newIncr('appendonly.aof');
  m.newIncr('appendonly.aof');
  m.newBase('appendonly.aof', false);
  m.markRewrittenIncrAsHistory();
  const text = m.format();
  assert.equal(text,
    'file appendonly.aof.2.base.aof seq 2 type b\n' +
    'file appendonly.aof.1.incr.aof seq 1 type h\n' +
    'file appendonly.aof.1.base.rdb seq 1 type h\n' +
    'file appendonly.aof.2.incr.aof seq 2 type i\n');
  const p = parseManifest(text);
  assert.ok(!isManifestError(p));
  assert.equal(p.format(), text);
  assert.equal(p.curBaseSeq, 2);
  assert.equal(p.curIncrSeq, 2);
  assert.equal(p.newIncr('appendonly.aof'), 'appendonly.aof.3.incr.aof');
});

test('manifest: names needing quotes are written quoted and read back', () => {
  const m = new AofManifest();
  m.newBase('my file.aof', false);
  const text = m.format();
  assert.equal(text, 'file "my file.aof.1.base.aof" seq 1 type b\n');
  const p = parseManifest(text);
  assert.ok(!isManifestError(p));
  assert.equal(p.base?.name, 'my file.aof.1.base.aof');
});

test('manifest: comments are skipped; keys are case-insensitive and extra pairs are allowed', () => {
  const p = parseManifest('# comment\nFILE a.1.incr.aof SEQ 1 TYPE i future x\n');
  assert.ok(!isManifestError(p));
  assert.equal(p.incr[0].name, 'a.1.incr.aof');
});

test('manifest: errors with Redis wording', () => {
  const cases: [string, string][] = [
    ['', 'Found an empty AOF manifest'],
    ['file a seq 1 type b', 'The AOF manifest file contains too long line'],
    ['\n', 'Invalid AOF manifest file format'],
    ['file a seq 1\n', 'Invalid AOF manifest file format'],
    ['file a seq 1 type b x\n', 'Invalid AOF manifest file format'],
    ['file a seq 0 type b\n', 'Invalid AOF manifest file format'],
    ['file dir/a seq 1 type b\n', "File can't be a path, just a filename"],
    ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
    ['file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number'],
    ['file a seq 1 type x\n', 'Unknown AOF file type'],
    ['file a seq 1 type b\nfile "b seq 2 type i\n', 'Invalid AOF manifest file format'],
  ];
  for (const [text, message] of cases) {
    const p = parseManifest(text);
    assert.ok(isManifestError(p), text);
    assert.equal(p.message, message, text);
  }
  const e = parseManifest('file a seq 1 type b\n  bogus  \n');
  assert.ok(isManifestError(e));
  assert.equal(e.lineNumber, 2);
  assert.equal(e.line, 'bogus');
});
