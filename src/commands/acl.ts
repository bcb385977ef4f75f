/*
 * ACL command family (ACL CAT, DELUSER, DRYRUN, GENPASS, GETUSER, LIST, LOAD,
 * LOG, SAVE, SETUSER, USERS, WHOAMI, HELP) and the glue between the ACL
 * model (server/acl.ts) and the rest of the server:
 * - install(): requirepass drives the default user's password, `user`
 *   directives of the config file and the aclfile are loaded at startup,
 *   acl-pubsub-default and acllog-max-len apply live, CONFIG REWRITE writes
 *   the users, RESET returns a connection to the default user;
 * - aclCheckChannel(), aclAllowed(), aclFullKeyAccess(), aclAuthenticate():
 *   for pub/sub, scripting, SORT and AUTH/HELLO.
 * The checks dispatch, EXEC and scripts run before a command (aclCheckCall
 * and its kin, with the ACL LOG entries they write) are server/acl-check.ts.
 *
 * Clients authenticated as a user that is deleted (ACL DELUSER, ACL LOAD)
 * are disconnected, the current one after its reply, as Redis does.
 */
import type { ModuleHost } from '../server/module-host';
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { Command, HandlerMap } from '../command-model/table';
import { intArg, isWord, replyHelp } from '../command-model/args';
import { aclLogDenial, aclCheckCommand } from '../server/acl-check';
import { KEY_ACCESS } from '../command-model/keys';
import {
  type Acl, type AclUser, type Selector,
  ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_AUTH,
  ACL_LOG_CTX_TOPLEVEL, ACL_LOG_CTX_MULTI, ACL_LOG_CTX_LUA, ACL_LOG_CTX_MODULE,
  ACL_CATEGORIES, categoryFlag, hasSpaces, mergeSelectorArgs, ruleErrorMessage, channelAllowed,
} from '../server/acl';

const REDACTED = '(redacted)';

/** Whether the client's user may run this command line (no ACL LOG entry): redis.acl_check_cmd. */
export function aclAllowed(c: Client, cmd: Command, argv: string[]): boolean {
  return aclCheckCommand(c, cmd, argv) === ACL_OK;
}

/** SORT BY/GET: whether the client's user may run the command with read access to every key. */
export function aclFullKeyAccess(c: Client, argv: string[]): boolean {
  const u = c.aclUser;
  if (u.unrestricted || c.cmd === null) return true;
  return c.server.acl.checkCommandWithUnrestrictedKeys(u, c.cmd, argv, KEY_ACCESS);
}

/** For pub/sub: whether the client's user may use this channel (isPattern: a PSUBSCRIBE pattern). */
export function aclCheckChannel(c: Client, channel: string, isPattern: boolean): boolean {
  const u = c.aclUser;
  if (u.unrestricted) return true;
  return c.server.acl.checkChannel(u, channel, isPattern);
}

/** AUTH / HELLO AUTH: authenticate or log the failure. Returns true on success. */
export function aclAuthenticate(c: Client, username: string, password: string, commandName: string): boolean {
  const u = c.server.acl.checkCredentials(username, password);
  if (u !== null) {
    c.authenticated = true;
    c.aclUser = u;
    c.user = u.name;
    return true;
  }
  aclLogDenial(c, ACL_DENIED_AUTH, c.multi.queued >= 0 ? ACL_LOG_CTX_MULTI : ACL_LOG_CTX_TOPLEVEL, commandName, username);
  return false;
}

/** Disconnect the clients authenticated as a user that no longer exists. */
function killClientsOf(server: Server, u: AclUser): void {
  for (const cl of [...server.clients.values()]) {
    if (cl.aclUser !== u) continue;
    cl.aclUser = server.acl.defaultUser;
    cl.user = 'default';
    cl.authenticated = false;
    if (cl === server.current) cl.closeAfterReply = true;
    else server.closeClient(cl);
  }
}

/** Kill pub/sub clients of `current` whose subscriptions `next` no longer allows (ACLKillPubsubClientsIfNeeded). */
function killPubsubClientsIfNeeded(server: Server, next: AclUser, current: AclUser): void {
  for (const s of next.selectors) if (s.allChannels) return;
  const upcoming: string[] = [];
  for (const s of next.selectors) upcoming.push(...s.channels);
  let match = true;
  for (const s of current.selectors) {
    if (s.allChannels) {
      match = false;
      break;
    }
    for (const ch of s.channels) {
      if (!upcoming.includes(ch)) {
        match = false;
        break;
      }
    }
    if (!match) break;
  }
  if (match) return;
  for (const cl of [...server.clients.values()]) {
    const subs = cl.sub.names;
    if (cl.aclUser !== current || cl.sub.count === 0 || subs === null) continue;
    let kill = false;
    for (const p of subs.patterns) if (!kill && !channelAllowed(upcoming, p, true)) kill = true;
    for (const ch of subs.channels) if (!kill && !channelAllowed(upcoming, ch, false)) kill = true;
    for (const ch of subs.shard) if (!kill && !channelAllowed(upcoming, ch, false)) kill = true;
    if (kill) {
      if (cl === server.current) cl.closeAfterReply = true;
      else server.freeClient(cl);
    }
  }
}

// ---------------------------------------------------------------------------
// Commands

function setuser(c: Client, argv: string[]): void {
  const acl = c.server.acl;
  const args = argv.slice(3);
  const username = argv[2];
  // every argument is redacted (SLOWLOG, MONITOR), whatever the outcome
  for (let j = 2; j < argv.length; j++) argv[j] = REDACTED;
  if (hasSpaces(username)) {
    c.error("ERR Usernames can't contain spaces or null characters");
    return;
  }
  const u = acl.getUser(username) ?? null;
  const err = acl.setUserFromArgs(u, username, args);
  if (err !== null) {
    c.error('ERR ' + err.replace(/[\r\n]/g, ' '));
    return;
  }
  c.reply.ok();
}

function deluser(c: Client, argv: string[]): void {
  const server = c.server;
  for (let j = 2; j < argv.length; j++) {
    if (argv[j] === 'default') {
      c.error("ERR The 'default' user cannot be removed");
      return;
    }
  }
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    const u = server.acl.users.get(argv[j]);
    if (u === undefined) continue;
    server.acl.users.delete(argv[j]);
    killClientsOf(server, u);
    deleted++;
  }
  c.reply.int(deleted);
}

function describeSelectorFields(c: Client, acl: Acl, s: Selector): void {
  const r = c.reply;
  r.bulk('commands');
  r.bulk(acl.describeCommandRules(s));
  r.bulk('keys');
  r.bulk(s.allKeys ? '~*' : s.patterns.map((p) => patternString(p.pattern, p.flags)).join(' '));
  r.bulk('channels');
  r.bulk(s.allChannels ? '&*' : s.channels.map((ch) => '&' + ch).join(' '));
}

function patternString(pattern: string, flags: number): string {
  return flags === 3 ? '~' + pattern : flags === 1 ? '%R~' + pattern : '%W~' + pattern;
}

function getuser(c: Client, argv: string[]): void {
  const acl = c.server.acl;
  const u = acl.getUser(argv[2]);
  const r = c.reply;
  if (u === undefined) {
    r.nullBulk();
    return;
  }
  r.mapHeader(6);
  r.bulk('flags');
  const flags: string[] = [u.enabled ? 'on' : 'off'];
  if (u.nopass) flags.push('nopass');
  if (u.sanitize === 1) flags.push('skip-sanitize-payload');
  if (u.sanitize === 2) flags.push('sanitize-payload');
  r.setHeader(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('passwords');
  r.arrayHeader(u.passwords.length);
  for (const p of u.passwords) r.bulk(p);
  describeSelectorFields(c, acl, u.root);
  r.bulk('selectors');
  r.arrayHeader(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    r.mapHeader(3);
    describeSelectorFields(c, acl, u.selectors[i]);
  }
}

function list(c: Client): void {
  const lines = c.server.acl.listLines();
  c.reply.arrayHeader(lines.length);
  for (const l of lines) c.reply.bulk(l);
}

function users(c: Client): void {
  const all = c.server.acl.sortedUsers();
  c.reply.arrayHeader(all.length);
  for (const u of all) c.reply.bulk(u.name);
}

function whoami(c: Client): void {
  c.reply.bulk(c.aclUser.name);
}

const NO_ACLFILE = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** The aclfile path as Redis opens it (relative to the working directory, which `dir` sets). */
function aclFilePath(server: Server): string {
  const f = server.config.aclfile;
  return path.isAbsolute(f) ? f : path.join(server.config.dir, f);
}

/** Load the aclfile. Returns null or the error text (without "ERR "). */
export function loadAclFile(server: Server): string | null {
  const name = server.config.aclfile;
  let text: string;
  try {
    text = fs.readFileSync(aclFilePath(server), 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${name}': ${strerror(e)}`;
  }
  const acl = server.acl;
  const { users: loaded, errors } = acl.loadFromText(text, name);
  if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  const old = acl.installUsers(loaded);
  for (const u of old) killClientsOf(server, u);
  return null;
}

function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    default: return code ?? String(e);
  }
}

function load(c: Client): void {
  const server = c.server;
  if (server.config.aclfile === '') {
    c.error(NO_ACLFILE);
    return;
  }
  const err = loadAclFile(server);
  if (err !== null) c.error('ERR ' + err);
  else c.reply.ok();
}

function save(c: Client): void {
  const server = c.server;
  if (server.config.aclfile === '') {
    c.error(NO_ACLFILE);
    return;
  }
  const file = aclFilePath(server);
  const content = server.acl.listLines().map((l) => l + '\n').join('');
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`; // (real time: only a unique file name)
  try {
    fs.writeFileSync(tmp, content, 'latin1');
    fs.renameSync(tmp, file);
  } catch (e) {
    server.log.warning(`Writing ACL file for ACL SAVE: ${strerror(e)}`);
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* not created */
    }
    c.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
    return;
  }
  c.reply.ok();
}

function cat(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    c.reply.arrayHeader(ACL_CATEGORIES.length);
    for (const name of ACL_CATEGORIES) c.reply.bulk(name);
    return;
  }
  if (argv.length !== 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const flag = categoryFlag(argv[2]);
  if (flag === 0) {
    c.error(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
    return;
  }
  const names = c.server.acl.commandsInCategory(flag);
  c.reply.arrayHeader(names.length);
  for (const n of names) c.reply.bulk(n);
}

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ACL HELP.`);
}

function genpass(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  let bits = 256;
  if (argv.length === 3) {
    const v = intArg(c, argv[2]);
    if (v === null) return;
    bits = v;
  }
  if (bits <= 0 || bits > 4096) {
    c.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
    return;
  }
  const chars = Math.floor((bits + 3) / 4);
  c.reply.bulk(crypto.randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

const REASONS = ['unknown', 'command', 'key', 'auth', 'channel'];
const CONTEXTS: Record<number, string> = {
  [ACL_LOG_CTX_TOPLEVEL]: 'toplevel',
  [ACL_LOG_CTX_MULTI]: 'multi',
  [ACL_LOG_CTX_LUA]: 'lua',
  [ACL_LOG_CTX_MODULE]: 'module',
};

function log(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const acl = c.server.acl;
  let count = 10;
  if (argv.length === 3) {
    if (isWord(argv[2], 'reset')) {
      acl.log = [];
      c.reply.ok();
      return;
    }
    const v = intArg(c, argv[2]);
    if (v === null) return;
    count = v < 0 ? 0 : v;
  }
  if (count > acl.log.length) count = acl.log.length;
  const r = c.reply;
  const now = c.server.clock.now();
  r.arrayHeader(count);
  for (let i = 0; i < count; i++) {
    const e = acl.log[i];
    r.mapHeader(7);
    r.bulk('count'); r.int(e.count);
    r.bulk('reason'); r.bulk(REASONS[e.reason] ?? 'unknown');
    r.bulk('context'); r.bulk(CONTEXTS[e.context] ?? 'unknown');
    r.bulk('object'); r.bulk(e.object);
    r.bulk('username'); r.bulk(e.username);
    r.bulk('age-seconds'); r.double((now - e.ctime) / 1000);
    r.bulk('client-info'); r.bulk(e.cinfo);
  }
}

function dryrun(c: Client, argv: string[]): void {
  const server = c.server;
  const u = server.acl.getUser(argv[2]);
  if (u === undefined) {
    c.error(`ERR User '${argv[2]}' not found`);
    return;
  }
  const target = argv.slice(3);
  let cmd = server.commands.lookup(target[0]);
  if (cmd !== undefined && cmd.subcommands !== null && target.length >= 2) {
    cmd = cmd.subcommands.get(target[1].toLowerCase());
  }
  if (cmd === undefined) {
    c.error(`ERR Command '${argv[3]}' not found`);
    return;
  }
  if (!cmd.arityOk(target.length)) {
    c.error(`ERR wrong number of arguments for '${cmd.fullName}' command`);
    return;
  }
  const r = server.acl.checkCommand(u, cmd, target);
  if (r === ACL_OK) {
    c.reply.ok();
    return;
  }
  const at = target[server.acl.errPos];
  if (r === ACL_DENIED_CMD) c.reply.bulk(`This user has no permissions to run the '${cmd.fullName}' command`);
  else if (r === ACL_DENIED_KEY) c.reply.bulk(`This user has no permissions to access the '${at}' key`);
  else c.reply.bulk(`This user has no permissions to access the '${at}' channel`);
}

function help(c: Client): void {
  replyHelp(c, 'ACL', [
    'CAT [<category>]',
    '    List all commands that belong to <category>, or all command categories',
    '    when no category is specified.',
    'DELUSER <username> [<username> ...]',
    '    Delete a list of users.',
    'DRYRUN <username> <command> [<arg> ...]',
    '    Returns whether the user can execute the given command without executing the command.',
    'GETUSER <username>',
    "    Get the user's details.",
    'GENPASS [<bits>]',
    '    Generate a secure 256-bit user password. The optional `bits` argument can',
    '    be used to specify a different size.',
    'LIST',
    '    Show users details in config file format.',
    'LOAD',
    '    Reload users from the ACL file.',
    'LOG [<count> | RESET]',
    '    Show the ACL log entries.',
    'SAVE',
    '    Save the current config to the ACL file.',
    'SETUSER <username> <attribute> [<attribute> ...]',
    '    Create or modify a user with the specified attributes.',
    'USERS',
    '    List all the registered usernames.',
    'WHOAMI',
    '    Return the current connection username.',
  ]);
}

export const handlers: HandlerMap = {
  'acl|cat': cat,
  'acl|deluser': deluser,
  'acl|dryrun': dryrun,
  'acl|genpass': genpass,
  'acl|getuser': getuser,
  'acl|help': help,
  'acl|list': list,
  'acl|load': load,
  'acl|log': log,
  'acl|save': save,
  'acl|setuser': setuser,
  'acl|users': users,
  'acl|whoami': whoami,
};

// ---------------------------------------------------------------------------
// Startup

/** A fatal configuration error, printed as redis-server prints them, then exit. */
function fatalUserDirective(server: Server, directive: string[], arg: string, msg: string): never {
  process.stdout.write(`\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n>>> 'user ${directive.join(' ')}'\nError in user declaration '${arg}': ${msg}\n`);
  server.exitProcess(1);
  throw new Error(msg);
}

/** Validate and load the `user` directives of the configuration (ACLAppendUserForLoading + ACLLoadConfiguredUsers). */
function loadConfiguredUsers(server: Server): void {
  const acl = server.acl;
  const directives = server.config.userDirectives;
  const seen = new Set<string>();
  const pending: [string, string[]][] = [];
  for (const d of directives) {
    const name = d[0];
    if (seen.has(name)) fatalUserDirective(server, d, name, ruleErrorMessage('EALREADY'));
    seen.add(name);
    const merged = mergeSelectorArgs(d.slice(1));
    if (typeof merged === 'number') fatalUserDirective(server, d, d[1 + merged], 'Syntax error');
    const fake = acl.newUser('__fake__');
    for (const op of merged) {
      const err = acl.setUser(fake, op);
      if (err !== null && err !== 'ENOENT') fatalUserDirective(server, d, op, ruleErrorMessage(err));
    }
    pending.push([name, merged]);
  }
  if (pending.length > 0 && server.config.aclfile !== '') {
    server.log.warning('Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.');
    server.exitProcess(1);
    throw new Error('users and aclfile');
  }
  for (const [name, rules] of pending) {
    if (hasSpaces(name)) {
      server.log.warning('Spaces not allowed in ACL usernames');
      server.log.warning('Critical error while loading ACLs. Exiting.');
      server.exitProcess(1);
      throw new Error('bad user');
    }
    let u = acl.getUser(name);
    if (u === undefined) {
      u = acl.newUser(name);
      acl.users.set(name, u);
    } else {
      acl.setUser(u, 'reset');
    }
    for (const op of rules) {
      const err = acl.setUser(u, op);
      if (err !== null) {
        server.log.warning(`Error loading ACL rule '${op}' for the user named '${name}': ${ruleErrorMessage(err)}`);
        server.log.warning('Critical error while loading ACLs. Exiting.');
        server.exitProcess(1);
        throw new Error('bad rule');
      }
    }
    if (!u.enabled) {
      server.log.notice(`The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
    }
  }
}

export function install(host: ModuleHost): void {
  const server = host.server;
  const acl = server.acl;
  const cfg = server.config;
  acl.pubsubDefaultAll = cfg.aclPubsubDefault === 'allchannels';
  cfg.onChange('acl-pubsub-default', (c) => {
    acl.pubsubDefaultAll = c.aclPubsubDefault === 'allchannels';
  });
  acl.setDefaultPassword(cfg.requirepass);
  cfg.onChange('requirepass', (c) => {
    acl.setDefaultPassword(c.requirepass);
  });
  cfg.onChange('acllog-max-len', (c) => {
    if (acl.log.length > c.acllogMaxLen) acl.log.length = Math.max(0, c.acllogMaxLen);
  });
  acl.onChannelsNarrowed = (next, current) => killPubsubClientsIfNeeded(server, next, current);
  loadConfiguredUsers(server);
  if (cfg.aclfile !== '') {
    const err = loadAclFile(server);
    if (err !== null) {
      server.log.warning(`Aborting Redis startup because of ACL errors: ${err}`);
      server.exitProcess(1);
      throw new Error(err);
    }
  }
  cfg.aclRewriteLines = () => acl.listLines();
  host.onClientReset((c) => {
    c.aclUser = acl.defaultUser;
  });
}
