import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Config, ConfigError, loadConfig, PARAMS } from '../../src/config/config';
import { parseCommandLine, loadConfigFromString } from '../../src/config/conf-file';
import { parseMemory, formatMemoryForRewrite } from '../../src/config/values';
import { rewriteContent } from '../../src/config/rewrite';
import { stringMatch as globMatch } from '../../src/util/glob';
import { SHARED } from '../helpers/server';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-conf-'));
}

function load(text: string): Config {
  const cfg = new Config();
  loadConfigFromString(cfg, text, { live: null });
  return cfg;
}

function loadError(text: string): string {
  try {
    load(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('expected a config error');
}

test('every field is named by the camelCase of its parameter and defaults match Redis 7.0.15', () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(SHARED, 'fixtures', 'redis-7.0.15', 'config-defaults.json'), 'utf8')) as { parameters: Record<string, string> };
  const cfg = new Config();
  const fromServerStart = new Set(['dir', 'port', 'logfile', 'daemonize', 'pidfile', 'save']);
  const names = new Set<string>();
  for (const [k, v] of cfg.getMatching(['*'])) {
    names.add(k);
    if (!fromServerStart.has(k)) assert.equal(v, fixture.parameters[k], k);
  }
  assert.deepEqual([...names].sort(), Object.keys(fixture.parameters).sort());
  assert.equal(cfg.getValue('save'), '3600 1 300 100 60 10000');
  assert.equal(cfg.getValue('port'), '6379');
  assert.equal(cfg.getValue('dir'), process.cwd());
  for (const d of PARAMS) assert.ok(d.field in cfg, d.field);
  assert.equal(cfg.slowlogMaxLen, 128);
  assert.equal(cfg.protoMaxBulkLen, 512 * 1024 * 1024);
  assert.deepEqual(cfg.bind, ['*', '-::*']);
  assert.deepEqual(cfg.save, [[3600, 1], [300, 100], [60, 10000]]);
  assert.equal(cfg.clientOutputBufferLimit.replica.hard, 256 * 1024 * 1024);
});

test('memory units: k=1000, kb=1024, case-insensitive, and rewrite formatting', () => {
  assert.equal(parseMemory('1k'), 1000n);
  assert.equal(parseMemory('1kb'), 1024n);
  assert.equal(parseMemory('2M'), 2000000n);
  assert.equal(parseMemory('2mB'), 2097152n);
  assert.equal(parseMemory('1g'), 1000000000n);
  assert.equal(parseMemory('1GB'), 1073741824n);
  assert.equal(parseMemory('05'), 5n);
  assert.equal(parseMemory(''), 0n);
  assert.equal(parseMemory('1.5gb'), null);
  assert.equal(parseMemory('-1'), null);
  assert.equal(formatMemoryForRewrite(3 * 1024 * 1024 * 1024), '3gb');
  assert.equal(formatMemoryForRewrite(64 * 1024 * 1024), '64mb');
  assert.equal(formatMemoryForRewrite(2048), '2kb');
  assert.equal(formatMemoryForRewrite(1000), '1000');
  assert.equal(formatMemoryForRewrite(0), '0');
  const cfg = load('maxmemory 100mb\nmaxmemory-clients 10%\nclient-query-buffer-limit 2gb');
  assert.equal(cfg.maxmemory, 100 * 1024 * 1024);
  assert.equal(cfg.maxmemoryClients, -10);
  assert.equal(cfg.getValue('maxmemory-clients'), '10%');
  assert.equal(cfg.clientQueryBufferLimit, 2 * 1024 * 1024 * 1024);
});

test('quoting, comments, blank lines, case-insensitive directives and aliases', () => {
  const cfg = load([
    '# a comment',
    '',
    '   HZ 20   ',
    'logfile ""',
    "proc-title-template 'a b'",
    'masteruser "x\\ty"',
    'slave-priority 7',
    'hash-max-ziplist-entries 21',
    'lua-time-limit 100',
    'bind 127.0.0.1 ::1',
    'notify-keyspace-events KEA',
  ].join('\n'));
  assert.equal(cfg.hz, 20);
  assert.equal(cfg.logfile, '');
  assert.equal(cfg.procTitleTemplate, 'a b');
  assert.equal(cfg.masteruser, 'x\ty');
  assert.equal(cfg.replicaPriority, 7);
  assert.equal(cfg.hashMaxListpackEntries, 21);
  assert.equal(cfg.busyReplyThreshold, 100);
  assert.deepEqual(cfg.bind, ['127.0.0.1', '::1']);
  assert.equal(cfg.notifyKeyspaceEvents, 'AKE');
});

test('save: the first line replaces the defaults, later lines add, save "" clears', () => {
  assert.deepEqual(load('save 900 1').save, [[900, 1]]);
  assert.deepEqual(load('save 900 1\nsave 300 10').save, [[900, 1], [300, 10]]);
  assert.deepEqual(load('save 900 1\nsave ""').save, []);
  assert.deepEqual(load('save ""\nsave 5 5').save, [[5, 5]]);
  assert.deepEqual(load('save "100 1 200 2"').save, [[100, 1], [200, 2]]);
  assert.deepEqual(load('hz 5').save, [[3600, 1], [300, 100], [60, 10000]]);
});

test('errors carry the line number, the line and Redis\'s reason', () => {
  assert.equal(loadError('# c\nport 1234\n\nfoo bar\n'),
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 4\n>>> 'foo bar'\nBad directive or wrong number of arguments\n");
  assert.match(loadError('port "12'), /at line 1\n>>> 'port "12'\nUnbalanced quotes in configuration line\n$/);
  assert.match(loadError('port 1 2'), /wrong number of arguments\n$/);
  assert.match(loadError('hz abc'), /argument couldn't be parsed into an integer\n$/);
  assert.match(loadError('port 70000'), /argument must be between 0 and 65535 inclusive\n$/);
  assert.match(loadError('appendonly maybe'), /argument must be 'yes' or 'no'\n$/);
  assert.match(loadError('maxmemory lots'), /argument must be a memory value\n$/);
  assert.match(loadError('loglevel loud'), /argument\(s\) must be one of the following: debug, verbose, notice, warning\n$/);
  assert.match(loadError('save 10'), /Invalid save parameters\n$/);
  assert.match(loadError('rename-command nosuchcmd foo'), /No such command in rename-command\n$/);
  assert.match(loadError('sentinel monitor a b c d'), /sentinel directive while not in sentinel mode\n$/);
  assert.match(loadError('mymodule.opt'), /Module config specified without value\n$/);
});

test('directives for features without an implementation are accepted and kept', () => {
  const cfg = load('loadmodule /x/y.so a b\nuser alice on >pw ~* +@all\nrename-command echo ""\nrename-command ping pong\nmymod.opt 1 2\nsentinel\nlist-max-ziplist-entries 5');
  assert.deepEqual(cfg.loadModules, [['/x/y.so', 'a', 'b']]);
  assert.deepEqual(cfg.userDirectives, [['alice', 'on', '>pw', '~*', '+@all']]);
  assert.deepEqual(cfg.renamedCommands, [['echo', ''], ['ping', 'pong']]);
  assert.equal(cfg.moduleConfigs.get('mymod.opt'), '1 2');
});

test('include, with glob patterns (a pattern matching nothing is fine)', () => {
  const dir = tmpdir();
  fs.mkdirSync(path.join(dir, 'conf.d'));
  fs.writeFileSync(path.join(dir, 'conf.d', 'a.conf'), 'hz 7\n');
  fs.writeFileSync(path.join(dir, 'conf.d', 'b.conf'), 'maxclients 77\n');
  fs.writeFileSync(path.join(dir, 'main.conf'), `include ${dir}/conf.d/*.conf\ninclude ${dir}/none/*.conf\ntimeout 3\n`);
  const cfg = loadConfig([path.join(dir, 'main.conf')]);
  assert.equal(cfg.hz, 7);
  assert.equal(cfg.maxclients, 77);
  assert.equal(cfg.timeout, 3);
  assert.equal(cfg.configFile, path.join(dir, 'main.conf'));
  // an error inside included files is reported with the line number in their
  // concatenated text (Redis reads every file a pattern matches as one text)
  fs.writeFileSync(path.join(dir, 'conf.d', 'b.conf'), '\n\nmaxclients 0\n');
  assert.throws(() => loadConfig([path.join(dir, 'main.conf')]), (e: Error) =>
    e.message.includes("at line 4\n>>> 'maxclients 0'\nargument must be between 1 and 4294967295 inclusive"));
  assert.throws(() => loadConfig([path.join(dir, 'missing.conf')]), (e: Error) =>
    e.message.includes(`Fatal error, can't open config file '${path.join(dir, 'missing.conf')}': No such file or directory`));
});

test('command line becomes config text the way redis-server builds it', () => {
  assert.deepEqual(parseCommandLine(['--port', '7777']), { configFile: null, fromStdin: false, options: 'port "7777" ' });
  assert.deepEqual(parseCommandLine(['/etc/r.conf', '--port', '1', '2', '-']),
    { configFile: '/etc/r.conf', fromStdin: true, options: 'port "1" "2" ' });
  assert.equal(parseCommandLine(['--save', '--loglevel', 'verbose']).options, 'save ""\nloglevel "verbose" ');
  assert.equal(parseCommandLine(['--loglevel', 'verbose', '--save']).options, 'loglevel "verbose" \nsave ""');
  assert.equal(parseCommandLine(['--port', '--loglevel', 'verbose']).options, 'port "--loglevel" "verbose" ');
  assert.equal(parseCommandLine(['--maxmemory 700mb', '--maxmemory-policy volatile-lru']).options, 'maxmemory 700mb \nmaxmemory-policy volatile-lru ');
  const cfg = loadConfig(['--maxmemory 700mb', '--proc-title-template', '--my--title', '--shutdown-on-sigint', 'nosave', 'force', 'now', '--save', '']);
  assert.equal(cfg.maxmemory, 734003200);
  assert.equal(cfg.procTitleTemplate, '--my--title');
  assert.equal(cfg.shutdownOnSigint, 'nosave now force');
  assert.deepEqual(cfg.save, []);
  assert.deepEqual(loadConfig(['-'], { stdin: () => 'hz 33\n' }).hz, 33);
  assert.throws(() => loadConfig(['--port', '6379', '6380']), (e: Error) =>
    e.message === "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"6379\" \"6380\"'\nwrong number of arguments\n");
});

test('CONFIG SET semantics: all or nothing, duplicates, immutables, listeners', () => {
  const cfg = new Config();
  const seen: string[] = [];
  cfg.onChange('maxmemory', (c) => { seen.push(`mm=${c.maxmemory}`); });
  cfg.onChange('hz', (c) => (c.hz === 42 ? 'refused' : undefined));
  assert.equal(cfg.setFromCommand([['maxmemory', '10mb'], ['hz', '600']], false), null);
  assert.equal(cfg.maxmemory, 10 * 1024 * 1024);
  assert.equal(cfg.hz, 500);
  assert.deepEqual(seen, ['mm=10485760']);
  assert.equal(cfg.setFromCommand([['maxmemory', '1'], ['maxmemory-clients', '200%']], false),
    "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100");
  assert.equal(cfg.maxmemory, 10 * 1024 * 1024);
  assert.equal(cfg.setFromCommand([['maxmemory', '1'], ['hz', '42']], false),
    "ERR CONFIG SET failed (possibly related to argument 'hz') - refused");
  assert.equal(cfg.maxmemory, 10 * 1024 * 1024);
  assert.equal(cfg.hz, 500);
  assert.equal(cfg.setFromCommand([['hz', '5'], ['HZ', '6']], false),
    "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  assert.equal(cfg.setFromCommand([['hz', '5'], ['foo', '6']], false),
    "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  assert.equal(cfg.setFromCommand([['daemonize', 'yes']], false),
    "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  assert.equal(cfg.setFromCommand([['dir', '/tmp']], false),
    "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  assert.equal(cfg.setFromCommand([['save', '100 1 200']], false),
    "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters");
  assert.equal(cfg.setFromCommand([['client-output-buffer-limit', 'normal 1mb 2mb 3']], false), null);
  assert.equal(cfg.getValue('client-output-buffer-limit'), 'normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  assert.equal(cfg.setFromCommand([['maxmemory', '99999999999999999999999']], false), null);
  assert.equal(cfg.getValue('maxmemory'), '18446744073709551615');
});

test('CONFIG GET: globs, aliases, hidden parameters, each key once', () => {
  const cfg = new Config();
  const keys = (pats: string[]) => cfg.getMatching(pats).map(([k]) => k);
  assert.deepEqual(keys(['port', 'port']), ['port']);
  assert.deepEqual(keys(['*of']).sort(), ['replicaof', 'slaveof']);
  assert.ok(!keys(['*']).includes('key-load-delay'));
  assert.deepEqual(keys(['key-load-delay']), ['key-load-delay']);
  assert.deepEqual(keys(['HZ*']), ['hz']);
  assert.ok(globMatch('h[a-z]?', 'hzz'));
  assert.ok(!globMatch('h[^z]', 'hz'));
});

test('CONFIG REWRITE keeps comments and order, replaces in place, appends, blanks leftovers', () => {
  const cfg = load('port 7000\nsave 100 1\nsave 200 2\nrequirepass foo\nslave-priority 50\nhz 10');
  cfg.setFromCommand([['requirepass', ''], ['save', '50 5'], ['maxmemory', '3gb'], ['notify-keyspace-events', 'Ex']], false);
  const old = '# top\nport 7000\nsave 100 1\nsave 200 2\n\nrequirepass foo\n   slave-priority 50\nfoo-unknown bar\nrename-command KEYS ""\nhz 10\n';
  const out = rewriteContent(cfg, old);
  assert.equal(out, [
    '# top',
    'port 7000',
    'save 50 5',
    '',
    'replica-priority 50',
    '# ??? foo-unknown bar',
    'rename-command KEYS ""',
    'hz 10',
    '',
    '# Generated by CONFIG REWRITE',
    `dir ${JSON.stringify(process.cwd())}`,
    'maxmemory 3gb',
    'latency-tracking-info-percentiles 50 99 99.9',
    'notify-keyspace-events "xE"',
    'user default on nopass ~* &* +@all',
    '',
  ].join('\n'));
  // the result loads back to the same values
  const again = load(out.split('\n').filter((l) => !l.startsWith('rename-command')).join('\n'));
  assert.equal(again.maxmemory, 3 * 1024 * 1024 * 1024);
  assert.deepEqual(again.save, [[50, 5]]);
});

test('value corner cases match redis-server: octal, percent wrap-around, save tokens, validations', () => {
  const cfg = new Config();
  const set = (k: string, v: string) => cfg.setFromCommand([[k, v]], false);
  assert.equal(load('unixsocketperm 700').unixsocketperm, 0o700);
  assert.match(loadError('unixsocketperm 1000'), /argument must be between 0 and 777 inclusive\n$/);
  assert.match(loadError('unixsocketperm abc'), /argument couldn't be parsed as an octal number\n$/);
  assert.equal(set('maxmemory-clients', '18446744073709551616'), null);
  assert.equal(cfg.getValue('maxmemory-clients'), '1%');
  assert.equal(set('save', '5 '), null);
  assert.deepEqual(cfg.save, [[5, 0]]);
  assert.equal(set('repl-backlog-size', '1'), null);
  assert.equal(cfg.replBacklogSize, 16384);
  assert.match(set('proc-title-template', '{title}') ?? '', /template format is invalid or contains unknown variables$/);
  assert.equal(set('proc-title-template', 'x {port}'), null);
  assert.match(set('shutdown-on-sigint', 'save nosave') ?? '', /shutdown options SAVE and NOSAVE can't be used simultaneously$/);
  assert.equal(set('shutdown-on-sigint', 'now nosave force'), null);
  assert.equal(cfg.shutdownOnSigint, 'nosave now force');
  assert.match(loadError('appenddirname a/b'), /appenddirname can't be a path, just a dirname\n$/);
  assert.match(loadError('replicaof 127.0.0.1 abc'), /Invalid master port\n$/);
  assert.equal(load('replicaof 127.0.0.1 6380').replicaof, '127.0.0.1 6380');
});

test('CONFIG REWRITE force-all writes every parameter, and the result loads back', () => {
  const cfg = new Config();
  const out = rewriteContent(cfg, '', true);
  assert.ok(out.startsWith('# Generated by CONFIG REWRITE\n'));
  assert.ok(out.includes('\nhz 10\n'));
  assert.ok(out.includes('\nclient-output-buffer-limit replica 256mb 64mb 60\n'));
  const again = load(out);
  for (const [k, v] of cfg.getMatching(['*'])) assert.equal(again.getValue(k), v, k);
});
