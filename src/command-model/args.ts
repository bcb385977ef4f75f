/*
 * Argument helpers shared by command handlers: parse a number the way
 * Redis's getLongLongFromObjectOrReply & co. do, replying with Redis's exact
 * error when it fails. Each returns null after replying, so handlers read:
 *   const n = intArg(c, argv[2]); if (n === null) return;
 */
import type { Client } from '../server/client';
import { parseInteger, parseBigInteger, parseDouble } from '../util/numbers';

export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_SYNTAX = 'ERR syntax error';

/** A 64-bit integer argument (as a JS number; exact below 2^53). */
export function intArg(c: Client, s: string, msg = ERR_NOT_INTEGER): number | null {
  const v = parseInteger(s);
  if (v === null) {
    c.error(msg);
    return null;
  }
  return v;
}

/** A 64-bit integer argument, exact. */
export function bigIntArg(c: Client, s: string, msg = ERR_NOT_INTEGER): bigint | null {
  const v = parseBigInteger(s);
  if (v === null) {
    c.error(msg);
    return null;
  }
  return v;
}

/** A 32-bit signed integer argument (getIntFromObjectOrReply). */
export function int32Arg(c: Client, s: string, msg = ERR_NOT_INTEGER): number | null {
  const v = parseInteger(s);
  if (v === null || v > 2147483647 || v < -2147483648) {
    c.error(msg);
    return null;
  }
  return v;
}

/** A non-negative integer argument ("ERR <name> is out of range" style messages are the caller's). */
export function rangeArg(c: Client, s: string, min: number, max: number, msg = ERR_NOT_INTEGER): number | null {
  const v = parseInteger(s);
  if (v === null || v < min || v > max) {
    c.error(msg);
    return null;
  }
  return v;
}

/** A double argument (getDoubleFromObjectOrReply). */
export function floatArg(c: Client, s: string, msg = ERR_NOT_FLOAT): number | null {
  const v = parseDouble(s);
  if (v === null) {
    c.error(msg);
    return null;
  }
  return v;
}

/**
 * A timeout in milliseconds (getTimeoutFromObjectOrReply with UNIT_MILLISECONDS,
 * before the "now +" step): an integer, not negative.
 */
export function msTimeoutArg(c: Client, s: string): number | null {
  const v = parseInteger(s);
  if (v === null) {
    c.error('ERR timeout is not an integer or out of range');
    return null;
  }
  if (v < 0) {
    c.error('ERR timeout is negative');
    return null;
  }
  return v;
}

/** Case-insensitive comparison with an upper- or lower-case keyword. */
export function isWord(arg: string, word: string): boolean {
  return arg.length === word.length && arg.toLowerCase() === word;
}

/** Reply to a HELP subcommand: the command name line then the given lines, as Redis's addReplyHelp. */
export function replyHelp(c: Client, command: string, lines: string[]): void {
  const all = [`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.'];
  c.reply.arrayHeader(all.length);
  for (const l of all) c.reply.simple(l);
}

/** Redis's addReplySubcommandSyntaxError: a container command's subcommand with the wrong arguments. */
export function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}
