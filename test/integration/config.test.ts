import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';
import { startNodis, runNodisToExit, freePort, RawConnection, resp, SHARED, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;
let redis: Redis;

before(async () => {
  srv = await startNodis();
  redis = new Redis({ port: srv.port, lazyConnect: true, enableReadyCheck: false });
  await redis.connect();
});
after(async () => {
  redis.disconnect();
  await srv.stop();
});

function pairs(list: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < list.length; i += 2) m.set(list[i], list[i + 1]);
  return m;
}

test('CONFIG GET * has exactly the parameters of Redis 7.0.15, with its defaults', async () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(SHARED, 'fixtures', 'redis-7.0.15', 'config-defaults.json'), 'utf8')) as { parameters: Record<string, string> };
  const got = pairs(await redis.config('GET', '*') as string[]);
  assert.deepEqual([...got.keys()].sort(), Object.keys(fixture.parameters).sort());
  const fromStart = new Set(['dir', 'port', 'logfile', 'daemonize', 'pidfile', 'save', 'bind']);
  for (const [k, v] of Object.entries(fixture.parameters)) {
    if (!fromStart.has(k)) assert.equal(got.get(k), v, k);
  }
  assert.equal(got.get('port'), String(srv.port));
  assert.equal(got.get('dir'), fs.realpathSync(srv.dir));
});

test('CONFIG GET: several patterns, aliases, exact hidden names, RESP3 map', async () => {
  const r = pairs(await redis.config('GET', 'maxmemory', 'maxmemory*', 'bind', '*of') as string[]);
  assert.ok(r.has('slaveof') && r.has('replicaof') && r.has('maxmemory-clients') && r.has('bind'));
  assert.equal((await redis.config('GET', 'key-load-delay') as string[]).join(','), 'key-load-delay,0');
  const c = await RawConnection.connect(srv.port);
  await c.request(resp('HELLO', '3'), '%7');
  await c.readUntil((d) => d.includes('modules'));
  await c.read();
  assert.equal(await c.request(resp('CONFIG', 'GET', 'hz'), '%1\r\n$2\r\nhz\r\n$2\r\n10\r\n'), '%1\r\n$2\r\nhz\r\n$2\r\n10\r\n');
  assert.equal(await c.request(resp('CONFIG', 'GET', 'nosuch*'), '%0\r\n'), '%0\r\n');
  c.close();
});

test('CONFIG SET: errors and all-or-nothing', async () => {
  const c = await RawConnection.connect(srv.port);
  const cases: [string[], string][] = [
    [['hz', '5', 'hz', '6'], "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n"],
    [['hz', '5', 'foo', '1'], "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n"],
    [['daemonize', 'yes'], "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config\r\n"],
    [['dir', '/tmp'], "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n"],
    [['maxmemory', '10000001', 'maxmemory-clients', '200%'], "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n"],
    [['slave-priority', 'abc'], "-ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer\r\n"],
    [['appendfsync', 'sometimes'], "-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no\r\n"],
    [['hz'], "-ERR wrong number of arguments for 'config|set' command\r\n"],
    [['hz', '1', 'port'], "-ERR wrong number of arguments for 'config|set' command\r\n"],
  ];
  for (const [args, expected] of cases) {
    assert.equal(await c.request(resp('CONFIG', 'SET', ...args)), expected, args.join(' '));
  }
  assert.equal(await c.request(resp('CONFIG', 'GET', 'maxmemory')), '*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
  assert.equal(await c.request(resp('CONFIG', 'SET', 'maxmemory', '1gb', 'save', '100 10', 'hz', '1000')), '+OK\r\n');
  const r = pairs(await redis.config('GET', 'maxmemory', 'save', 'hz') as string[]);
  assert.deepEqual([...r.entries()].sort(), [['hz', '500'], ['maxmemory', '1073741824'], ['save', '100 10']]);
  assert.equal(await c.request(resp('CONFIG', 'SET', 'maxmemory', '0', 'hz', '10', 'save', '')), '+OK\r\n');
  c.close();
});

test('CONFIG SET requirepass applies to new connections', async () => {
  await redis.config('SET', 'requirepass', 'secret');
  try {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.request(resp('PING')), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.request(resp('AUTH', 'secret')), '+OK\r\n');
    assert.equal(await c.request(resp('CONFIG', 'SET', 'requirepass', '')), '+OK\r\n');
    c.close();
  } finally {
    await redis.config('SET', 'requirepass', '');
  }
});

test('CONFIG SET port moves the listener, and a busy port is refused', async () => {
  const s = await startNodis();
  try {
    const r = new Redis({ port: s.port, lazyConnect: true, enableReadyCheck: false });
    await r.connect();
    await assert.rejects(r.config('SET', 'maxmemory', '10000001', 'port', String(srv.port)),
      /^ReplyError: ERR CONFIG SET failed \(possibly related to argument 'port'\) - Unable to listen on this port/);
    assert.equal((await r.config('GET', 'maxmemory') as string[])[1], '0');
    const newPort = await freePort();
    assert.equal(await r.config('SET', 'port', String(newPort)), 'OK');
    let pong = '';
    for (let i = 0; i < 50 && pong !== '+PONG\r\n'; i++) {
      try {
        const c = await RawConnection.connect(newPort);
        pong = await c.request(resp('PING'));
        c.close();
      } catch {
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    assert.equal(pong, '+PONG\r\n');
    assert.equal(await r.ping(), 'PONG');
    r.disconnect();
  } finally {
    await s.stop();
  }
});

test('CONFIG RESETSTAT and CONFIG HELP', async () => {
  assert.equal(await redis.config('RESETSTAT'), 'OK');
  const help = await redis.config('HELP') as string[];
  assert.equal(help[0], 'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.equal(help.length, 11);
  assert.equal(help[10], '    Prints this help.');
  await assert.rejects(redis.config('REWRITE'), /ERR The server is running without a config file/);
});

test('CONFIG REWRITE updates the file in place, keeping comments', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-rw-'));
  const file = path.join(dir, 'redis.conf');
  fs.writeFileSync(file, '# my settings\nhz 10\nsave 100 1\nsave 200 2\nslave-priority 50\nrename-command echo ""\n');
  const s = await startNodis([], { configFile: file });
  try {
    const r = new Redis({ port: s.port, lazyConnect: true, enableReadyCheck: false });
    await r.connect();
    await assert.rejects(r.echo('x'), /unknown command 'echo'/);
    await r.config('SET', 'hz', '20', 'save', '', 'maxmemory', '2mb', 'replica-priority', '100');
    assert.equal(await r.config('REWRITE'), 'OK');
    const text = fs.readFileSync(file, 'latin1');
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 6), ['# my settings', 'hz 20', 'save ""', '', 'replica-priority 100', 'rename-command echo ""']);
    assert.ok(lines.includes('# Generated by CONFIG REWRITE'));
    assert.ok(lines.includes('maxmemory 2mb'));
    assert.ok(lines.includes(`port ${s.port}`));
    assert.ok(lines.includes('bind 127.0.0.1'));
    r.disconnect();
  } finally {
    await s.stop();
  }
});

test('startup errors: Redis\'s fatal block on stderr and exit status 1', async () => {
  let r = await runNodisToExit(['--port', '6379', '6380']);
  assert.equal(r.code, 1);
  assert.equal(r.output, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"6379\" \"6380\"'\nwrong number of arguments\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-bad-'));
  const file = path.join(dir, 'bad.conf');
  fs.writeFileSync(file, '# comment\nport 1234\n\nfoo bar\n');
  r = await runNodisToExit([file, '--hz', '5']);
  assert.equal(r.code, 1);
  assert.equal(r.output, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 4\n>>> 'foo bar'\nBad directive or wrong number of arguments\n");
  r = await runNodisToExit(['--port', '--bla', '--loglevel', 'verbose']);
  assert.equal(r.code, 1);
  assert.match(r.output, />>> 'port "--bla"'\nargument couldn't be parsed into an integer\n$/);
  r = await runNodisToExit([path.join(dir, 'missing.conf')]);
  assert.equal(r.code, 1);
  assert.match(r.output, /# Fatal error, can't open config file '.*missing\.conf': No such file or directory\n$/);
});
