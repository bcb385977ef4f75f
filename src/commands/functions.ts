/*
 * Functions (FUNCTION ...). Only FUNCTION FLUSH exists until scripting
 * arrives: with no function libraries it has nothing to remove.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from './table';

function functionFlush(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.arityError();
    return;
  }
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode !== 'sync' && mode !== 'async') {
      c.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      return;
    }
  }
  c.reply.ok();
}

export const handlers: HandlerMap = { 'function|flush': functionFlush };
