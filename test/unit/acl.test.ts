import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildCommandTable } from '../../src/compose';
import {
  Acl, ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_CHANNEL, hashPassword, mergeSelectorArgs,
  channelAllowed, categoryFlag,
} from '../../src/server/acl';
import { KEY_ACCESS, KEY_INSERT } from '../../src/command-model/keys';

const table = buildCommandTable();
const cmd = (name: string) => {
  const c = table.lookupFull(name);
  assert.ok(c, name);
  return c;
};

function user(acl: Acl, name: string, ...rules: string[]) {
  const err = acl.setUserFromArgs(acl.getUser(name) ?? null, name, rules);
  assert.equal(err, null);
  const u = acl.getUser(name);
  assert.ok(u);
  return u;
}

test('default user allows everything and is described as Redis does', () => {
  const acl = new Acl(table);
  const d = acl.defaultUser;
  assert.equal(d.unrestricted, true);
  assert.equal(acl.describeUser(d), 'on nopass ~* &* +@all');
  assert.deepEqual(acl.listLines(), ['user default on nopass ~* &* +@all']);
});

test('new users are off, have no commands and resetchannels', () => {
  const acl = new Acl(table);
  const u = user(acl, 'bob');
  assert.equal(acl.describeUser(u), 'off resetchannels -@all');
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'k']), ACL_DENIED_CMD);
  acl.pubsubDefaultAll = true;
  assert.equal(acl.describeUser(user(acl, 'eve')), 'off &* -@all');
});

test('passwords: >, <, #, !, nopass, resetpass', () => {
  const acl = new Acl(table);
  const u = user(acl, 'u', 'on', '>p1', '>p2', '>p1');
  assert.deepEqual(u.passwords, [hashPassword('p1'), hashPassword('p2')]);
  assert.equal(acl.checkCredentials('u', 'p2'), u);
  assert.equal(acl.checkCredentials('u', 'nope'), null);
  assert.equal(acl.checkCredentials('nouser', 'p1'), null);
  user(acl, 'u', '<p1');
  assert.equal(acl.checkCredentials('u', 'p1'), null);
  assert.equal(acl.setUserFromArgs(u, 'u', ['<p1']),
    "Error in ACL SETUSER modifier '<p1': The password you are trying to remove from the user does not exist");
  assert.equal(acl.setUserFromArgs(u, 'u', ['#abc']),
    "Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters");
  user(acl, 'u', '!' + hashPassword('p2'), '#' + hashPassword('zz'));
  assert.equal(acl.checkCredentials('u', 'zz'), u);
  user(acl, 'u', 'nopass');
  assert.equal(acl.checkCredentials('u', 'anything'), u);
  user(acl, 'u', 'resetpass');
  assert.equal(acl.checkCredentials('u', 'anything'), null);
  user(acl, 'u', 'nopass', 'off');
  assert.equal(acl.checkCredentials('u', 'anything'), null);
});

test('a failing rule leaves the user unchanged', () => {
  const acl = new Acl(table);
  const u = user(acl, 'u', '+get');
  assert.equal(acl.setUserFromArgs(u, 'u', ['+set', '+nosuchcmd']),
    "Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL");
  assert.equal(acl.describeUser(u), 'off resetchannels -@all +get');
  assert.equal(acl.setUserFromArgs(null, 'new', ['+@nosuch']),
    "Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL");
  assert.equal(acl.getUser('new'), undefined);
});

test('command rules: commands, subcommands, categories, first args', () => {
  const acl = new Acl(table);
  const u = user(acl, 'u', 'on', 'allkeys', '+@string', '-get', '+config|get', '+select|0');
  assert.equal(acl.checkCommand(u, cmd('set'), ['set', 'k', 'v']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'k']), ACL_DENIED_CMD);
  assert.equal(acl.checkCommand(u, cmd('config|get'), ['config', 'get', 'x']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('config|set'), ['config', 'set', 'x', 'y']), ACL_DENIED_CMD);
  assert.equal(acl.checkCommand(u, cmd('select'), ['select', '0']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('select'), ['select', '1']), ACL_DENIED_CMD);
  // AUTH and HELLO are never refused
  assert.equal(acl.checkCommand(u, cmd('auth'), ['auth', 'x']), ACL_OK);
  assert.equal(acl.setUserFromArgs(u, 'u', ['+config|get|x']),
    "Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported");
  assert.equal(acl.setUserFromArgs(u, 'u', ['+get|']), "Error in ACL SETUSER modifier '+get|': Syntax error");
  assert.equal(acl.setUserFromArgs(u, 'u', ['+config|nosuch']),
    "Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category name in ACL");
  assert.equal(acl.setUserFromArgs(u, 'u', ['bogus']), "Error in ACL SETUSER modifier 'bogus': Syntax error");
});

test('describing command rules round-trips', () => {
  const acl = new Acl(table);
  const cases: string[][] = [
    ['+@all', '-config|set', '-client', '+client|id'],
    ['+@all', '-@dangerous'],
    ['-@all', '+@string', '-get'],
    ['-@all', '+get', '+select|0', '+select|1'],
    ['+@read', '+@write', '-@dangerous', '+debug|digest'],
  ];
  for (const rules of cases) {
    const u = user(acl, 'r', 'reset', ...rules);
    const described = acl.describeCommandRules(u.root);
    const v = user(acl, 'copy', 'reset', ...described.split(' '));
    assert.deepEqual(v.root.allowed, u.root.allowed, described);
    assert.equal(acl.describeCommandRules(v.root), described);
  }
  assert.equal(acl.describeCommandRules(user(acl, 'x', 'reset', '+@all', '-@dangerous').root), '+@all -@dangerous');
  assert.equal(acl.describeCommandRules(user(acl, 'y', 'reset', '+@all', '-flushdb').root), '+@all -flushdb');
});

test('key patterns with read and write permissions', () => {
  const acl = new Acl(table);
  const u = user(acl, 'u', 'on', '+@all', '~obj:*', '%R~ro:*', '%W~wo:*');
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'obj:1']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'ro:1']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('set'), ['set', 'ro:1', 'v']), ACL_DENIED_KEY);
  assert.equal(acl.checkCommand(u, cmd('set'), ['set', 'wo:1', 'v']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'wo:1']), ACL_DENIED_KEY);
  // LMOVE reads and deletes from the source, inserts into the destination
  assert.equal(acl.checkCommand(u, cmd('lmove'), ['lmove', 'obj:a', 'wo:b', 'left', 'right']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('mget'), ['mget', 'obj:1', 'ro:2', 'other']), ACL_DENIED_KEY);
  assert.equal(acl.errPos, 3);
  assert.equal(acl.checkKeyPerm(u, 'ro:x', KEY_ACCESS), true);
  assert.equal(acl.checkKeyPerm(u, 'ro:x', KEY_INSERT), false);
  assert.equal(acl.describeUser(u), 'on ~obj:* %R~ro:* %W~wo:* resetchannels +@all');
  // the same pattern twice merges permissions
  user(acl, 'u', '%W~ro:*');
  assert.equal(acl.describeUser(u), 'on ~obj:* ~ro:* %W~wo:* resetchannels +@all');
  assert.equal(acl.setUserFromArgs(u, 'u', ['%X~a']), "Error in ACL SETUSER modifier '%X~a': Syntax error");
  assert.match(acl.setUserFromArgs(u, 'u', ['allkeys', '~x']) ?? '', /Try 'resetkeys'/);
});

test('channels: patterns match channel names, subscription patterns match literally', () => {
  assert.equal(channelAllowed(['chan:*'], 'chan:1', false), true);
  assert.equal(channelAllowed(['chan:*'], 'chan:1', true), false);
  assert.equal(channelAllowed(['chan:*'], 'chan:*', true), true);
  const acl = new Acl(table);
  const u = user(acl, 'u', 'on', '+@all', 'allkeys', '&chan:*');
  assert.equal(acl.checkChannel(u, 'chan:x', false), true);
  assert.equal(acl.checkChannel(u, 'other', false), false);
  assert.match(acl.setUserFromArgs(u, 'u', ['allchannels', '&x']) ?? '', /Try 'resetchannels'/);
});

test('selectors: any selector may allow a command; the last key no selector matched is reported', () => {
  const acl = new Acl(table);
  const u = user(acl, 'u', 'on', '+get', '~a*', '(', '+set', '~b*', ')');
  assert.equal(acl.describeUser(u), 'on ~a* resetchannels -@all +get (~b* resetchannels -@all +set)');
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'a1']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('set'), ['set', 'b1', 'v']), ACL_OK);
  assert.equal(acl.checkCommand(u, cmd('set'), ['set', 'a1', 'v']), ACL_DENIED_KEY);
  assert.equal(acl.checkCommand(u, cmd('get'), ['get', 'b1']), ACL_DENIED_KEY);
  assert.equal(acl.checkCommand(u, cmd('del'), ['del', 'a1']), ACL_DENIED_CMD);
  assert.equal(acl.setUserFromArgs(u, 'u', ['(+get', '~x']), "Unmatched parenthesis in acl selector starting at '(+get'.");
  user(acl, 'u', 'clearselectors');
  assert.equal(u.selectors.length, 1);
  assert.deepEqual(mergeSelectorArgs(['on', '(+get', '~a)', '(+set)']), ['on', '(+get ~a)', '(+set)']);
  assert.equal(mergeSelectorArgs(['(+get']), 0);
});

test('reset returns a user to its initial state (with sanitize-payload)', () => {
  const acl = new Acl(table);
  const u = user(acl, 'u', 'on', '>x', '+@all', 'allkeys', 'allchannels', '(+get)');
  user(acl, 'u', 'reset');
  assert.equal(acl.describeUser(u), 'off sanitize-payload resetchannels -@all');
});

test('ACL file loading reports errors and keeps the default user object', () => {
  const acl = new Acl(table);
  const ok = acl.loadFromText('user alice on >a ~* &* +@all\n\nuser default on nopass ~* +@all\n', 'users.acl');
  assert.equal(ok.errors, '');
  const old = acl.installUsers(ok.users);
  assert.deepEqual(old, []);
  assert.equal(acl.getUser('default'), acl.defaultUser);
  assert.equal(acl.describeUser(acl.defaultUser), 'on nopass ~* resetchannels +@all');
  const bad = acl.loadFromText('user bob +nosuch\nfoo\nuser bob on\nuser c %X~x', 'users.acl');
  assert.equal(bad.errors,
    "users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
    'users.acl:2 should start with user keyword followed by the username. ' +
    "WARNING: Duplicate user 'bob' found on line 3. users.acl:4: Syntax error. ");
});

test('categories and ACL LOG grouping', () => {
  assert.equal(categoryFlag('STRING'), categoryFlag('string'));
  assert.equal(categoryFlag('nosuch'), 0);
  const acl = new Acl(table);
  assert.ok(acl.commandsInCategory(categoryFlag('string')).includes('get'));
  assert.ok(acl.commandsInCategory(categoryFlag('admin')).includes('config|set'));
  const e = { count: 1, reason: ACL_DENIED_CHANNEL, context: 0, object: 'x', username: 'u', ctime: 1000, cinfo: 'a' };
  acl.addLogEntry({ ...e }, 2);
  acl.addLogEntry({ ...e, cinfo: 'b', ctime: 2000 }, 2);
  assert.equal(acl.log.length, 1);
  assert.equal(acl.log[0].count, 2);
  assert.equal(acl.log[0].cinfo, 'b');
  acl.addLogEntry({ ...e, object: 'y' }, 2);
  acl.addLogEntry({ ...e, object: 'z' }, 2);
  assert.deepEqual(acl.log.map((x) => x.object), ['z', 'y']);
});
