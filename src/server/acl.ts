/*
 * ACL model (Redis 7.0 access control lists).
 *
 * A user has on/off, a password list (SHA-256 hex digests, insertion order,
 * no duplicates), a nopass flag, the sanitize-payload flags and a list of
 * selectors. The first selector is the "root" one (rules given outside
 * parentheses); further selectors come from "(...)" rules. A command is
 * allowed when any selector allows it, with all its keys and channels.
 *
 * A selector holds:
 * - a command bitmap indexed by a per-command id (every command and
 *   subcommand of the original table, before rename-command), plus one extra
 *   reserved id set only by +@all / allcommands ("future commands"), which is
 *   how the rule describer knows whether to start from +@all or -@all;
 * - optional allowed first arguments per command ("+select|0");
 * - key patterns with read/write permission bits (or the allkeys flag);
 * - channel patterns (or the allchannels flag).
 *
 * Rules are applied to a copy of the user and only committed when every rule
 * parsed, as Redis does. Descriptions (ACL LIST, GETUSER, SAVE, CONFIG
 * REWRITE) are rebuilt from the bitmaps with Redis's best-fit category
 * algorithm, so they round-trip through SETUSER.
 *
 * This module has no I/O: the ACL command family, dispatch and AUTH use it.
 * The checker keeps one reusable KeysResult so checks do not allocate, and
 * a user whose only selector allows everything (the default user) is
 * recognised with one flag test.
 */
import * as crypto from 'crypto';
import type { Command, CommandTable } from '../command-model/table';
import { CMD_NO_AUTH, CMD_MODULE } from '../command-model/table';
import {
  KeysResult, getKeysFromCommandWithSpecs, doesCommandHaveKeys,
  KEY_ACCESS, KEY_INSERT, KEY_DELETE, KEY_UPDATE,
} from '../command-model/keys';
import { stringMatch } from '../util/glob';
import { splitArgs } from '../protocol/split-args';

export const ACL_OK = 0;
export const ACL_DENIED_CMD = 1;
export const ACL_DENIED_KEY = 2;
export const ACL_DENIED_AUTH = 3;
export const ACL_DENIED_CHANNEL = 4;

export const ACL_LOG_CTX_TOPLEVEL = 0;
export const ACL_LOG_CTX_LUA = 1;
export const ACL_LOG_CTX_MULTI = 2;
export const ACL_LOG_CTX_MODULE = 3;

/** Key pattern permissions. */
export const ACL_READ = 1;
export const ACL_WRITE = 2;
export const ACL_ALL = 3;

/** The categories, in Redis's order (ACL CAT, COMMAND INFO, the describer's tie-breaks). */
export const ACL_CATEGORIES: readonly string[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap',
  'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking',
  'dangerous', 'connection', 'transaction', 'scripting',
];

/** Category bit (1 << index) by name, case-insensitive; 0 when unknown. */
export function categoryFlag(name: string): number {
  const i = ACL_CATEGORIES.indexOf(name.toLowerCase());
  return i < 0 ? 0 : 1 << i;
}

/** SHA-256 hex digest of a (latin1) password. */
export function hashPassword(pass: string): string {
  return crypto.createHash('sha256').update(Buffer.from(pass, 'latin1')).digest('hex');
}

function isValidHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

/** isspace() or NUL anywhere. */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0 || ch === 32 || (ch >= 9 && ch <= 13)) return true;
  }
  return false;
}

/**
 * Commands known to the ACL system, each with a dense id. Built once from
 * the original command table, so ACL rules name commands by their original
 * names even when rename-command moved them.
 */
export class AclCommands {
  readonly list: Command[] = [];
  readonly ids = new Map<Command, number>();
  readonly cats: number[] = [];
  /** top-level commands in table order */
  readonly top: Command[] = [];
  private byName = new Map<string, Command>();
  /** the reserved "future commands" id */
  readonly futureId: number;

  constructor(table: CommandTable) {
    for (const cmd of table.commands.values()) {
      this.top.push(cmd);
      this.add(cmd);
      if (cmd.subcommands !== null) for (const sub of cmd.subcommands.values()) this.add(sub);
    }
    this.futureId = this.list.length;
  }

  private add(cmd: Command): void {
    const id = this.list.length;
    this.list.push(cmd);
    this.ids.set(cmd, id);
    let f = 0;
    for (const c of cmd.spec.acl_categories) f |= categoryFlag(c.replace(/^@/, ''));
    this.cats.push(f);
    this.byName.set(cmd.fullName, cmd);
  }

  /** "get" or "config|get", any case. */
  lookup(name: string): Command | undefined {
    return this.byName.get(name.toLowerCase());
  }

  idOf(cmd: Command): number {
    const id = this.ids.get(cmd);
    return id === undefined ? -1 : id;
  }

  get size(): number {
    return this.list.length + 1;
  }
}

export interface KeyPattern {
  pattern: string;
  flags: number;
}

export class Selector {
  root: boolean;
  allKeys = false;
  allChannels = false;
  allCommands = false;
  allowed: Uint8Array;
  /** allowed first arguments by command id (only for commands whose bit is clear) */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(size: number, root: boolean, allChannels: boolean) {
    this.allowed = new Uint8Array(size);
    this.root = root;
    this.allChannels = allChannels;
  }

  copy(): Selector {
    const s = new Selector(0, this.root, this.allChannels);
    s.allowed = this.allowed.slice();
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    if (this.firstArgs !== null) {
      s.firstArgs = new Map();
      for (const [k, v] of this.firstArgs) s.firstArgs.set(k, [...v]);
    }
    s.patterns = this.patterns.map((p) => ({ pattern: p.pattern, flags: p.flags }));
    s.channels = [...this.channels];
    return s;
  }
}

/** Why a rule failed (Redis's errno cases), mapped to messages by ruleErrorMessage(). */
export type RuleError = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD' | 'EALREADY';

export function ruleErrorMessage(e: RuleError): string {
  switch (e) {
    case 'ENOENT': return 'Unknown command or category name in ACL';
    case 'EINVAL': return 'Syntax error';
    case 'EEXIST': return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR': return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV': return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG': return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY': return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD': return 'Allowing first-arg of a subcommand is not supported';
  }
}

export const SANITIZE_NONE = 0;
export const SANITIZE_SKIP = 1;
export const SANITIZE_YES = 2;

export class AclUser {
  name: string;
  enabled = false;
  nopass = false;
  sanitize = SANITIZE_NONE;
  passwords: string[] = [];
  selectors: Selector[];
  /** cached description (ACL LIST), cleared by every change */
  described: string | null = null;
  /** true when the root selector is the only one and allows everything (fast path) */
  unrestricted = false;

  constructor(name: string, size: number, allChannels: boolean) {
    this.name = name;
    this.selectors = [new Selector(size, true, allChannels)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** Copy everything but the name from another user. */
  copyFrom(src: AclUser): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.copy());
    this.described = src.described;
    this.unrestricted = src.unrestricted;
  }

  refresh(): void {
    this.described = null;
    const s = this.selectors[0];
    this.unrestricted = this.selectors.length === 1 && s.allCommands && s.allKeys && s.allChannels;
  }
}

export interface AclLogEntry {
  count: number;
  reason: number;
  context: number;
  object: string;
  username: string;
  /** ms, last update */
  ctime: number;
  cinfo: string;
}

/** Merge "(a" "b)" arguments into "(a b)". Returns the index of an unmatched "(" as a number. */
export function mergeSelectorArgs(args: readonly string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let sel = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op.startsWith('(') && !op.endsWith(')')) {
      sel = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      sel += ' ' + op;
      if (op.endsWith(')')) {
        open = -1;
        out.push(sel);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? open : out;
}

/** The ACL state of one server: users, the log, and the command registry. */
export class Acl {
  readonly commands: AclCommands;
  users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  log: AclLogEntry[] = [];
  /** acl-pubsub-default: new selectors start with allchannels */
  pubsubDefaultAll = false;
  private keys = new KeysResult();
  /** position (argv index) of the key/channel that caused the last denial */
  errPos = 0;

  constructor(table: CommandTable) {
    this.commands = new AclCommands(table);
    this.defaultUser = this.createDefaultUser();
    this.users.set('default', this.defaultUser);
  }

  newUser(name: string): AclUser {
    const u = new AclUser(name, this.commands.size, this.pubsubDefaultAll);
    u.refresh();
    return u;
  }

  createDefaultUser(): AclUser {
    const u = this.newUser('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) this.setUser(u, op);
    return u;
  }

  getUser(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** Users sorted by name, as Redis's radix tree iterates them (byte order). */
  sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---------------------------------------------------------------------------
  // Rules

  private setCommandBit(s: Selector, id: number, on: boolean): void {
    s.allowed[id] = on ? 1 : 0;
    if (!on) s.allCommands = false;
  }

  private changePerm(s: Selector, cmd: Command, allow: boolean): void {
    const id = this.commands.idOf(cmd);
    if (id < 0) return;
    this.setCommandBit(s, id, allow);
    if (s.firstArgs !== null) s.firstArgs.delete(id);
    if (cmd.subcommands !== null) {
      for (const sub of cmd.subcommands.values()) {
        const sid = this.commands.idOf(sub);
        if (sid >= 0) this.setCommandBit(s, sid, allow);
      }
    }
  }

  private setCategory(s: Selector, flag: number, allow: boolean): void {
    const reg = this.commands;
    for (const cmd of reg.top) {
      if ((cmd.flags & CMD_MODULE) !== 0) continue;
      if ((reg.cats[reg.idOf(cmd)] & flag) !== 0) this.changePerm(s, cmd, allow);
      if (cmd.subcommands !== null) {
        for (const sub of cmd.subcommands.values()) {
          if ((reg.cats[reg.idOf(sub)] & flag) !== 0) this.changePerm(s, sub, allow);
        }
      }
    }
  }

  /** Apply one selector rule. Returns null or the error kind. */
  setSelector(s: Selector, op: string): RuleError | null {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      s.allKeys = true;
      s.patterns = [];
    } else if (lower === 'resetkeys') {
      s.allKeys = false;
      s.patterns = [];
    } else if (lower === 'allchannels' || op === '&*') {
      s.allChannels = true;
      s.channels = [];
    } else if (lower === 'resetchannels') {
      s.allChannels = false;
      s.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      s.allowed.fill(1);
      s.allCommands = true;
      s.firstArgs = null;
    } else if (lower === 'nocommands' || lower === '-@all') {
      s.allowed.fill(0);
      s.allCommands = false;
      s.firstArgs = null;
    } else if (op[0] === '~' || op[0] === '%') {
      if (s.allKeys) return 'EEXIST';
      let flags = 0;
      let offset = 1;
      if (op[0] === '%') {
        for (; offset < op.length; offset++) {
          const ch = op[offset].toUpperCase();
          if (ch === 'R' && (flags & ACL_READ) === 0) flags |= ACL_READ;
          else if (ch === 'W' && (flags & ACL_WRITE) === 0) flags |= ACL_WRITE;
          else if (op[offset] === '~') {
            offset++;
            break;
          } else return 'EINVAL';
        }
      } else {
        flags = ACL_ALL;
      }
      const pat = op.slice(offset);
      if (hasSpaces(pat)) return 'EINVAL';
      const existing = s.patterns.find((p) => p.pattern === pat);
      if (existing === undefined) s.patterns.push({ pattern: pat, flags });
      else existing.flags |= flags;
      s.allKeys = false;
    } else if (op[0] === '&') {
      if (s.allChannels) return 'EISDIR';
      const pat = op.slice(1);
      if (hasSpaces(pat)) return 'EINVAL';
      if (!s.channels.includes(pat)) s.channels.push(pat);
      s.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      const bar = op.lastIndexOf('|');
      if (bar < 0) {
        const cmd = this.commands.lookup(op.slice(1));
        if (cmd === undefined) return 'ENOENT';
        this.changePerm(s, cmd, true);
      } else {
        const cmd = this.commands.lookup(op.slice(1, bar));
        const sub = op.slice(bar + 1);
        if (cmd === undefined) return 'ENOENT';
        if (cmd.parent !== null) return 'ECHILD';
        if (sub.length === 0) return 'EINVAL';
        if (cmd.subcommands !== null) {
          const sc = this.commands.lookup(op.slice(1));
          if (sc === undefined) return 'ENOENT';
          this.changePerm(s, sc, true);
        } else {
          const id = this.commands.idOf(cmd);
          if (s.firstArgs === null) s.firstArgs = new Map();
          let list = s.firstArgs.get(id);
          if (list === undefined) s.firstArgs.set(id, (list = []));
          const lsub = sub.toLowerCase();
          if (!list.some((x) => x.toLowerCase() === lsub)) list.push(sub);
        }
      }
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = this.commands.lookup(op.slice(1));
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(s, cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const flag = categoryFlag(op.slice(2));
      if (flag === 0) return 'ENOENT';
      this.setCategory(s, flag, op[0] === '+');
    } else {
      return 'EINVAL';
    }
    return null;
  }

  /** Apply one user rule (ACLSetUser). Returns null or the error kind. */
  setUser(u: AclUser, op: string): RuleError | null {
    const err = this.setUserInner(u, op);
    u.refresh();
    return err;
  }

  private setUserInner(u: AclUser, op: string): RuleError | null {
    if (op.length === 0) return null;
    const lower = op.toLowerCase();
    if (lower === 'on') {
      u.enabled = true;
    } else if (lower === 'off') {
      u.enabled = false;
    } else if (lower === 'skip-sanitize-payload') {
      u.sanitize = SANITIZE_SKIP;
    } else if (lower === 'sanitize-payload') {
      u.sanitize = SANITIZE_YES;
    } else if (lower === 'nopass') {
      u.nopass = true;
      u.passwords = [];
    } else if (lower === 'resetpass') {
      u.nopass = false;
      u.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let h: string;
      if (op[0] === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!isValidHash(h)) return 'EBADMSG';
      }
      if (!u.passwords.includes(h)) u.passwords.push(h);
      u.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let h: string;
      if (op[0] === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!isValidHash(h)) return 'EBADMSG';
      }
      const i = u.passwords.indexOf(h);
      if (i < 0) return 'ENODEV';
      u.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(this.commands.size, false, this.pubsubDefaultAll);
      const args = splitArgs(op.slice(1, -1)) ?? [];
      for (const a of args) {
        const err = this.setSelector(s, a);
        if (err !== null) return err;
      }
      u.selectors.push(s);
    } else if (lower === 'clearselectors') {
      u.selectors.length = 1;
    } else if (lower === 'reset') {
      this.setUserInner(u, 'resetpass');
      this.setUserInner(u, 'resetkeys');
      this.setUserInner(u, 'resetchannels');
      if (this.pubsubDefaultAll) this.setUserInner(u, 'allchannels');
      this.setUserInner(u, 'off');
      this.setUserInner(u, 'sanitize-payload');
      this.setUserInner(u, 'clearselectors');
      this.setUserInner(u, '-@all');
    } else {
      return this.setSelector(u.root, op);
    }
    return null;
  }

  /**
   * ACL SETUSER semantics: apply every rule to a copy and commit only when all
   * parsed. `u` null creates the user. Returns null or the error text (without "ERR ").
   */
  setUserFromArgs(u: AclUser | null, name: string, args: readonly string[]): string | null {
    const merged = mergeSelectorArgs(args);
    if (typeof merged === 'number') {
      return `Unmatched parenthesis in acl selector starting at '${args[merged]}'.`;
    }
    const temp = this.newUser(name);
    if (u !== null) temp.copyFrom(u);
    for (const op of merged) {
      const err = this.setUser(temp, op);
      if (err !== null) return `Error in ACL SETUSER modifier '${op}': ${ruleErrorMessage(err)}`;
    }
    if (u !== null) this.onChannelsNarrowed?.(temp, u);
    let target = u;
    if (target === null) {
      target = this.newUser(name);
      this.users.set(name, target);
    }
    target.copyFrom(temp);
    target.refresh();
    return null;
  }

  /** Called before a user's rules are replaced (pub/sub kills clients whose subscriptions are no longer allowed). */
  onChannelsNarrowed: ((next: AclUser, current: AclUser) => void) | null = null;

  // ---------------------------------------------------------------------------
  // Credentials

  /** ACL_OK, or ACL_DENIED_AUTH (unknown user, disabled, wrong password). */
  checkCredentials(name: string, pass: string): AclUser | null {
    const u = this.users.get(name);
    if (u === undefined || !u.enabled) return null;
    if (u.nopass) return u;
    const h = Buffer.from(hashPassword(pass), 'latin1');
    for (const p of u.passwords) {
      if (crypto.timingSafeEqual(h, Buffer.from(p, 'latin1'))) return u;
    }
    return null;
  }

  /** requirepass: the default user's password. '' means nopass. */
  setDefaultPassword(pass: string): void {
    this.setUser(this.defaultUser, 'resetpass');
    this.setUser(this.defaultUser, pass === '' ? 'nopass' : '>' + pass);
  }

  /** Whether new connections start authenticated (default user on and nopass). */
  defaultAutoAuth(): boolean {
    return this.defaultUser.nopass && this.defaultUser.enabled;
  }

  // ---------------------------------------------------------------------------
  // Permission checks

  private checkKey(s: Selector, key: string, keyFlags: number): boolean {
    if (s.allKeys) return true;
    let need = 0;
    if ((keyFlags & KEY_ACCESS) !== 0) need |= ACL_READ;
    if ((keyFlags & (KEY_INSERT | KEY_DELETE | KEY_UPDATE)) !== 0) need |= ACL_WRITE;
    for (const p of s.patterns) {
      if ((p.flags & need) !== need) continue;
      if (stringMatch(p.pattern, key)) return true;
    }
    return false;
  }

  /** Check one selector. Sets errPos on a key/channel denial. */
  private checkSelector(s: Selector, cmd: Command, id: number, argv: readonly string[], keysState: { init: boolean; n: number }): number {
    if (!s.allCommands && (cmd.flags & CMD_NO_AUTH) === 0) {
      if (id < 0 || s.allowed[id] === 0) {
        if (argv.length < 2 || s.firstArgs === null) return ACL_DENIED_CMD;
        const list = s.firstArgs.get(id);
        if (list === undefined) return ACL_DENIED_CMD;
        const arg = argv[cmd.parent !== null ? 2 : 1];
        if (arg === undefined) return ACL_DENIED_CMD;
        const la = arg.toLowerCase();
        if (!list.some((x) => x.toLowerCase() === la)) return ACL_DENIED_CMD;
      }
    }
    if (!s.allKeys && doesCommandHaveKeys(cmd)) {
      if (!keysState.init) {
        keysState.n = getKeysFromCommandWithSpecs(cmd, argv, 0, this.keys);
        if (keysState.n < 0) keysState.n = 0;
        keysState.init = true;
      }
      const r = this.keys;
      for (let j = 0; j < keysState.n; j++) {
        const pos = r.pos[j];
        if (!this.checkKey(s, argv[pos], r.flags[j])) {
          this.errPos = pos;
          return ACL_DENIED_KEY;
        }
      }
    }
    if (!s.allChannels) {
      const ch = channelSpec(cmd);
      if (ch !== null && ch.checked) {
        const stop = ch.count < 0 ? argv.length : Math.min(argv.length, 1 + ch.count);
        for (let i = 1; i < stop; i++) {
          if (!channelAllowed(s.channels, argv[i], ch.pattern)) {
            this.errPos = i;
            return ACL_DENIED_CHANNEL;
          }
        }
      }
    }
    return ACL_OK;
  }

  private keysState = { init: false, n: 0 };

  /**
   * Whether user `u` may run `cmd` with `argv` (argv[0] the command name).
   * Returns ACL_OK or the denial reason; errPos then holds the argv index of
   * the key or channel at fault (the last one no selector could match).
   */
  checkCommand(u: AclUser, cmd: Command, argv: readonly string[]): number {
    if (u.unrestricted) return ACL_OK;
    const id = this.commands.idOf(cmd);
    let relevant = ACL_DENIED_CMD;
    let lastIdx = 0;
    const ks = this.keysState;
    ks.init = false;
    for (const s of u.selectors) {
      this.errPos = 0;
      const r = this.checkSelector(s, cmd, id, argv, ks);
      if (r === ACL_OK) return ACL_OK;
      if (r > relevant || (r === relevant && this.errPos > lastIdx)) {
        relevant = r;
        lastIdx = this.errPos;
      }
    }
    this.errPos = lastIdx;
    return relevant;
  }

  /**
   * Whether some selector both allows the command and grants `keyFlags`
   * access to every key (SORT's BY and GET need full read access).
   */
  checkCommandWithUnrestrictedKeys(u: AclUser, cmd: Command, argv: readonly string[], keyFlags: number): boolean {
    const id = this.commands.idOf(cmd);
    const ks = this.keysState;
    ks.init = false;
    let need = 0;
    if ((keyFlags & KEY_ACCESS) !== 0) need |= ACL_READ;
    if ((keyFlags & (KEY_INSERT | KEY_DELETE | KEY_UPDATE)) !== 0) need |= ACL_WRITE;
    for (const s of u.selectors) {
      if (this.checkSelector(s, cmd, id, argv, ks) !== ACL_OK) continue;
      if (s.allKeys) return true;
      for (const p of s.patterns) if ((p.flags & need) === need && p.pattern === '*') return true;
    }
    return false;
  }

  /** Whether the user may use a channel (isPattern: a PSUBSCRIBE pattern, compared literally). */
  checkChannel(u: AclUser, channel: string, isPattern: boolean): boolean {
    for (const s of u.selectors) {
      if (s.allChannels) return true;
      if (channelAllowed(s.channels, channel, isPattern)) return true;
    }
    return false;
  }

  /** Whether the user may access a key with the given key-spec flags (KEY_ACCESS, KEY_INSERT...). */
  checkKeyPerm(u: AclUser, key: string, keyFlags: number): boolean {
    for (const s of u.selectors) if (this.checkKey(s, key, keyFlags)) return true;
    return false;
  }

  // ---------------------------------------------------------------------------
  // Descriptions

  private countCategory(s: Selector, flag: number): [number, number] {
    let on = 0;
    let off = 0;
    const reg = this.commands;
    for (let id = 0; id < reg.list.length; id++) {
      if ((reg.cats[id] & flag) === 0) continue;
      if (s.allowed[id]) on++;
      else off++;
    }
    return [on, off];
  }

  /** The command rules of a selector ("+@all -flushdb", "-@all +get"...). */
  describeCommandRules(s: Selector): string {
    const reg = this.commands;
    const rules: string[] = [];
    const fake = new Selector(reg.size, false, false);
    const additive = s.allowed[reg.futureId] === 0;
    if (!additive) {
      rules.push('+@all');
      this.setSelector(fake, '+@all');
    } else {
      rules.push('-@all');
      this.setSelector(fake, '-@all');
    }
    const temp = new Selector(0, false, false);
    temp.allowed = s.allowed.slice();
    const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
    for (;;) {
      let best = -1;
      let mindiff = Number.MAX_SAFE_INTEGER;
      let maxsame = 0;
      for (let j = 0; j < ACL_CATEGORIES.length; j++) {
        if (applied[j]) continue;
        const [on, off] = this.countCategory(temp, 1 << j);
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
          best = j;
          mindiff = diff;
          maxsame = same;
        }
      }
      if (best === -1) break;
      const name = ACL_CATEGORIES[best];
      const op = (additive ? '+@' : '-@') + name;
      this.setSelector(fake, op);
      this.setSelector(temp, (additive ? '-@' : '+@') + name);
      rules.push(op);
      applied[best] = true;
    }
    // single commands that still differ, and allowed first arguments
    for (const cmd of reg.top) {
      this.describeSingle(s, fake, cmd, rules);
      if (cmd.subcommands !== null) {
        for (const sub of cmd.subcommands.values()) this.describeSingle(s, fake, sub, rules);
      }
    }
    return rules.join(' ');
  }

  private describeSingle(s: Selector, fake: Selector, cmd: Command, rules: string[]): void {
    const id = this.commands.idOf(cmd);
    const userbit = s.allowed[id];
    if (userbit !== fake.allowed[id]) {
      rules.push((userbit ? '+' : '-') + cmd.fullName);
      this.changePerm(fake, cmd, userbit === 1);
    }
    if (userbit === 0 && s.firstArgs !== null) {
      const list = s.firstArgs.get(id);
      if (list !== undefined) for (const a of list) rules.push(`+${cmd.fullName}|${a}`);
    }
  }

  static patternString(p: KeyPattern): string {
    if (p.flags === ACL_ALL) return '~' + p.pattern;
    if (p.flags === ACL_READ) return '%R~' + p.pattern;
    return '%W~' + p.pattern;
  }

  describeSelector(s: Selector): string {
    let res = '';
    if (s.allKeys) res += '~* ';
    else for (const p of s.patterns) res += Acl.patternString(p) + ' ';
    if (s.allChannels) res += '&* ';
    else {
      res += 'resetchannels ';
      for (const c of s.channels) res += '&' + c + ' ';
    }
    return res + this.describeCommandRules(s);
  }

  /** The user's rules as ACL LIST shows them (without "user <name> "). */
  describeUser(u: AclUser): string {
    if (u.described !== null) return u.described;
    let res = '';
    if (u.enabled) res += 'on ';
    else res += 'off ';
    if (u.nopass) res += 'nopass ';
    if (u.sanitize === SANITIZE_SKIP) res += 'skip-sanitize-payload ';
    if (u.sanitize === SANITIZE_YES) res += 'sanitize-payload ';
    for (const p of u.passwords) res += '#' + p + ' ';
    for (const s of u.selectors) {
      const d = this.describeSelector(s);
      res += s.root ? d : ` (${d})`;
    }
    u.described = res;
    return res;
  }

  /** "user <name> <rules>" lines for every user, sorted by name (ACL LIST, ACL SAVE, CONFIG REWRITE). */
  listLines(): string[] {
    return this.sortedUsers().map((u) => `user ${u.name} ${this.describeUser(u)}`);
  }

  /** Commands of a category, in table order (ACL CAT <category>). */
  commandsInCategory(flag: number): string[] {
    const reg = this.commands;
    const out: string[] = [];
    for (const cmd of reg.top) {
      if ((cmd.flags & CMD_MODULE) !== 0) continue;
      if ((reg.cats[reg.idOf(cmd)] & flag) !== 0) out.push(cmd.fullName);
      if (cmd.subcommands !== null) {
        for (const sub of cmd.subcommands.values()) {
          if ((reg.cats[reg.idOf(sub)] & flag) !== 0) out.push(sub.fullName);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // Loading

  /**
   * Parse an ACL file's text into a fresh users map (ACLLoadFromFile). On
   * errors returns the error text and changes nothing. `fileName` appears in
   * the messages. The default user keeps its identity: its rules are copied.
   */
  loadFromText(text: string, fileName: string): { users: Map<string, AclUser>; errors: string } {
    const users = new Map<string, AclUser>();
    let errors = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const linenum = i + 1;
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line === '') continue;
      const argv = line.split(' ').filter((x) => x !== '');
      if (argv.length === 0) continue;
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${fileName}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      if (hasSpaces(argv[1])) {
        errors += `'${fileName}:${linenum}: username '${argv[1]}' contains invalid characters. `;
        continue;
      }
      if (users.has(argv[1])) {
        errors += `WARNING: Duplicate user '${argv[1]}' found on line ${linenum}. `;
        continue;
      }
      const u = this.newUser(argv[1]);
      users.set(argv[1], u);
      const merged = mergeSelectorArgs(argv.slice(2));
      if (typeof merged === 'number') {
        errors += `${fileName}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      let syntaxError = false;
      for (let op of merged) {
        op = op.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        const err = this.setUser(u, op);
        if (err === null) continue;
        if (err === 'ENOENT') {
          errors += `${fileName}:${linenum}: Error in applying operation '${op}': ${ruleErrorMessage(err)}. `;
        } else if (!syntaxError) {
          errors += `${fileName}:${linenum}: ${ruleErrorMessage(err)}. `;
          syntaxError = true;
        }
      }
    }
    return { users, errors };
  }

  /** Install a loaded users map: the default user object is kept and takes the new rules. */
  installUsers(users: Map<string, AclUser>): AclUser[] {
    const newDefault = users.get('default') ?? this.createDefaultUser();
    this.defaultUser.copyFrom(newDefault);
    this.defaultUser.refresh();
    users.set('default', this.defaultUser);
    const old: AclUser[] = [];
    for (const u of this.users.values()) if (u !== this.defaultUser) old.push(u);
    this.users = users;
    return old;
  }

  // ---------------------------------------------------------------------------
  // Log

  addLogEntry(entry: AclLogEntry, maxLen: number): void {
    const scan = Math.min(10, this.log.length);
    for (let i = 0; i < scan; i++) {
      const e = this.log[i];
      if (e.reason === entry.reason && e.context === entry.context && Math.abs(e.ctime - entry.ctime) <= 60000 &&
        e.object === entry.object && e.username === entry.username) {
        e.cinfo = entry.cinfo;
        e.ctime = entry.ctime;
        e.count++;
        this.log.splice(i, 1);
        this.log.unshift(e);
        return;
      }
    }
    this.log.unshift(entry);
    if (this.log.length > maxLen) this.log.length = Math.max(0, maxLen);
  }
}

/** Channel arguments of pub/sub commands (Redis's commands_with_channels table). */
interface ChannelSpec {
  /** whether ACLs check these channels (publish/subscribe; unsubscribes are not checked) */
  checked: boolean;
  pattern: boolean;
  /** channels from argv[1]: all (-1) or this many */
  count: number;
}

const CHANNEL_SPECS: Record<string, ChannelSpec> = {
  subscribe: { checked: true, pattern: false, count: -1 },
  ssubscribe: { checked: true, pattern: false, count: -1 },
  unsubscribe: { checked: false, pattern: false, count: -1 },
  sunsubscribe: { checked: false, pattern: false, count: -1 },
  psubscribe: { checked: true, pattern: true, count: -1 },
  punsubscribe: { checked: false, pattern: true, count: -1 },
  publish: { checked: true, pattern: false, count: 1 },
  spublish: { checked: true, pattern: false, count: 1 },
};

function channelSpec(cmd: Command): ChannelSpec | null {
  if (cmd.parent !== null) return null;
  return CHANNEL_SPECS[cmd.fullName] ?? null;
}

/** A channel name matches ACL patterns as a glob; a subscription pattern must equal an ACL pattern literally. */
export function channelAllowed(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) {
    if (isPattern ? p === channel : stringMatch(p, channel)) return true;
  }
  return false;
}
