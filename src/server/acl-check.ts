/*
 * The ACL checks that run before a command: dispatch's (authentication,
 * then the command, its keys and channels, as Redis's processCommand),
 * EXEC's re-check of each queued command, and redis.call's in scripts. A
 * denial is logged in the ACL LOG with the client's description and
 * answered with Redis's NOPERM text. The ACL model itself (users,
 * selectors, the log) is server/acl.ts; the ACL command family is
 * commands/acl.ts.
 */
import type { Client } from './client';
import type { Command } from '../command-model/table';
import { clientInfoString } from './client-info';
import {
  ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY,
  ACL_LOG_CTX_TOPLEVEL, ACL_LOG_CTX_MULTI, ACL_LOG_CTX_LUA,
} from './acl';

/** Whether the client must authenticate before running commands other than AUTH/HELLO (Redis's authRequired). */
export function authRequired(c: Client): boolean {
  return !c.authenticated && !c.server.acl.defaultAutoAuth();
}

/** Add an ACL LOG entry for a denial by the client (object: the command, key, channel or AUTH/HELLO). */
export function aclLogDenial(c: Client, reason: number, context: number, object: string, username?: string, argv?: string[]): void {
  const server = c.server;
  server.acl.addLogEntry({
    count: 1,
    reason,
    context,
    object,
    username: username ?? c.aclUser.name,
    ctime: server.clock.now(),
    cinfo: clientInfoString(c, argv === undefined ? null : c, argv ?? null),
  }, server.config.acllogMaxLen);
}

/**
 * Scripting's check for redis.call(): ACL_OK or the denial reason, with the
 * offending argv index in `c.server.acl.errPos`. Nothing is logged: use
 * aclLogDenial(c, reason, ACL_LOG_CTX_LUA, object).
 */
export function aclCheckCommand(c: Client, cmd: Command, argv: string[]): number {
  const u = c.aclUser;
  if (u.unrestricted) return ACL_OK;
  return c.server.acl.checkCommand(u, cmd, argv);
}

/** aclCheckCommand, logging a denial in `context` (the command, or the offending key or channel). */
function checkAndLog(c: Client, cmd: Command, argv: string[], context: number, logArgv: boolean): number {
  const r = aclCheckCommand(c, cmd, argv);
  if (r !== ACL_OK) {
    aclLogDenial(c, r, context, r === ACL_DENIED_CMD ? cmd.fullName : argv[c.server.acl.errPos], undefined, logArgv ? argv : undefined);
  }
  return r;
}

/**
 * Dispatch's ACL check for a command about to run or be queued. Returns null
 * when allowed, else the NOPERM error (already logged in the ACL LOG).
 */
export function aclCheckCall(c: Client, cmd: Command, argv: string[]): string | null {
  const r = checkAndLog(c, cmd, argv, c.multi.queued >= 0 ? ACL_LOG_CTX_MULTI : ACL_LOG_CTX_TOPLEVEL, true);
  if (r === ACL_OK) return null;
  if (r === ACL_DENIED_CMD) return `NOPERM this user has no permissions to run the '${cmd.fullName}' command`;
  if (r === ACL_DENIED_KEY) return 'NOPERM this user has no permissions to access one of the keys used as arguments';
  return 'NOPERM this user has no permissions to access one of the channels used as arguments';
}

/** EXEC's check of each queued command (rules may have changed since it was queued). */
export function aclCheckExec(c: Client, cmd: Command, argv: string[]): string | null {
  const r = checkAndLog(c, cmd, argv, ACL_LOG_CTX_MULTI, true);
  if (r === ACL_OK) return null;
  const reason = r === ACL_DENIED_CMD ? 'no permission to execute the command or subcommand'
    : r === ACL_DENIED_KEY ? 'no permission to touch the specified keys'
      : 'no permission to access one of the channels used as arguments';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
}

/**
 * Scripting (redis.call / server.call): check a command the script runs with
 * the user of the client that runs the script. Returns null when allowed,
 * else the message Redis raises in the script ("The user executing the
 * script can't ..."), after logging the denial with the lua context.
 */
export function aclScriptCheck(caller: Client, cmd: Command, argv: string[]): string | null {
  const r = checkAndLog(caller, cmd, argv, ACL_LOG_CTX_LUA, false);
  if (r === ACL_OK) return null;
  const what = r === ACL_DENIED_CMD ? "can't run this command or subcommand"
    : r === ACL_DENIED_KEY ? "can't access at least one of the keys mentioned in the command arguments"
      : "can't publish to the channel mentioned in the command";
  return `The user executing the script ${what}`;
}
