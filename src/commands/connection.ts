/*
 * Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET.
 * AUTH and HELLO AUTH check credentials against the ACL users (commands/acl.ts).
 */
import type { Client } from '../server/client';
import type { HandlerMap } from '../command-model/table';
import { int32Arg, isWord } from '../command-model/args';
import { REDIS_VERSION } from '../server/server';
import { aclAuthenticate } from './acl';

const REDACTED = '(redacted)';

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.arityError();
    return;
  }
  if (c.sub.count > 0 && c.resp === 2) {
    c.reply.arrayHeader(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 1 ? '' : argv[1]);
  } else if (argv.length === 1) {
    c.reply.simple('PONG');
  } else {
    c.reply.bulk(argv[1]);
  }
}

function echo(c: Client, argv: string[]): void {
  c.reply.bulk(argv[1]);
}

function quit(c: Client): void {
  c.reply.ok();
  c.closeAfterReply = true;
}

function select(c: Client, argv: string[]): void {
  const id = int32Arg(c, argv[1]);
  if (id === null) return;
  const dbs = c.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    c.error('ERR DB index is out of range');
    return;
  }
  c.db = dbs[id];
  c.reply.ok();
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.syntaxError();
    return;
  }
  let user = 'default';
  let pass: string;
  // the arguments are always redacted (SLOWLOG, MONITOR), whatever the outcome
  if (argv.length === 2) {
    pass = argv[1];
    argv[1] = REDACTED;
    if (c.server.acl.defaultUser.nopass) {
      c.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      return;
    }
  } else {
    user = argv[1];
    pass = argv[2];
    argv[1] = REDACTED;
    argv[2] = REDACTED;
  }
  if (aclAuthenticate(c, user, pass, argv[0])) {
    c.reply.ok();
  } else {
    c.error('WRONGPASS invalid username-password pair or user is disabled.');
  }
}

function hello(c: Client, argv: string[]): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = int32Arg(c, argv[next++], 'ERR Protocol version is not an integer or out of range');
    if (v === null) return;
    if (v < 2 || v > 3) {
      c.error('NOPROTO unsupported protocol version');
      return;
    }
    ver = v;
  }
  let user: string | null = null;
  let pass: string | null = null;
  let name: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (isWord(opt, 'auth') && more >= 2) {
      user = argv[j + 1];
      pass = argv[j + 2];
      argv[j + 1] = REDACTED;
      argv[j + 2] = REDACTED;
      j += 2;
    } else if (isWord(opt, 'setname') && more >= 1) {
      name = argv[j + 1];
      j++;
    } else {
      c.error(`ERR Syntax error in HELLO option '${opt}'`);
      return;
    }
  }
  if (user !== null && pass !== null) {
    if (!aclAuthenticate(c, user, pass, argv[0])) {
      c.error('WRONGPASS invalid username-password pair or user is disabled.');
      return;
    }
  }
  if (!c.authenticated) {
    c.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (name !== null) {
    const err = validateClientName(name);
    if (err !== null) {
      c.error(err);
      return;
    }
    c.name = name;
  }
  if (ver) c.reply.resp = ver as 2 | 3;
  const r = c.reply;
  r.mapHeader(7);
  r.bulk('server'); r.bulk('redis');
  r.bulk('version'); r.bulk(REDIS_VERSION);
  r.bulk('proto'); r.int(c.resp);
  r.bulk('id'); r.int(c.id);
  r.bulk('mode'); r.bulk('standalone');
  r.bulk('role'); r.bulk(c.server.keyspace.isReplica ? 'replica' : 'master');
  r.bulk('modules'); r.emptyArray();
}

/** Client names may not contain spaces, newlines or other special characters. */
export function validateClientName(name: string): string | null {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return 'ERR Client names cannot contain spaces, newlines or special characters.';
  }
  return null;
}

function reset(c: Client): void {
  c.server.resetClient(c);
  c.reply.simple('RESET');
}

export const handlers: HandlerMap = {
  ping,
  echo,
  quit,
  select,
  auth,
  hello,
  reset,
};
