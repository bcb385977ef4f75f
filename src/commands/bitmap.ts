/*
 * Bitmap commands: bits of string values, most significant bit of each byte
 * first, as Redis numbers them. Bitmaps are plain strings: SETBIT turns the
 * value into a ByteString ("raw") and flips the bit in place, growing the
 * string with zero bytes when the offset lies beyond its end.
 *
 * This module starts the bitmap family with SETBIT and GETBIT; BITCOUNT,
 * BITPOS, BITOP and BITFIELD belong here too.
 */
import type { Client } from '../server/client';
import type { HandlerMap } from './table';
import { ByteString, isStringValue, stringOf, WRONGTYPE } from '../keyspace/values';
import { NOTIFY_STRING } from '../keyspace/notify-flags';
import { parseInteger } from '../util/numbers';
import { unshare } from './string';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';

/** getBitOffsetFromArgument: a bit offset below 2^32 whose byte fits proto-max-bulk-len, or null after replying. */
function bitOffsetArg(c: Client, s: string): number | null {
  const v = parseInteger(s);
  if (v === null || v < 0 || v >= 4294967296 || Math.floor(v / 8) >= c.server.config.protoMaxBulkLen) {
    c.error(ERR_BIT_OFFSET);
    return null;
  }
  return v;
}

function setbit(c: Client, argv: string[]): void {
  const key = argv[1];
  const offset = bitOffsetArg(c, argv[2]);
  if (offset === null) return;
  const on = argv[3];
  if (on !== '0' && on !== '1') {
    c.error('ERR bit is not an integer or out of range');
    return;
  }
  const db = c.db;
  const byte = offset >>> 3;
  const o = db.lookupWrite(key);
  let b: ByteString;
  if (o === undefined) {
    b = new ByteString('', byte + 1);
    db.add(key, b);
  } else {
    if (!isStringValue(o)) {
      c.error(WRONGTYPE);
      return;
    }
    b = unshare(c, key, o, 0);
  }
  b.ensureLength(byte + 1);
  const mask = 1 << (7 - (offset & 7));
  const old = (b.buf[byte] & mask) !== 0 ? 1 : 0;
  if (on === '1') b.buf[byte] |= mask;
  else b.buf[byte] &= ~mask;
  const ks = c.server.keyspace;
  ks.signalModified(db, key);
  ks.notify(NOTIFY_STRING, 'setbit', key, db.id);
  ks.dirty++;
  c.reply.int(old);
}

function getbit(c: Client, argv: string[]): void {
  const offset = bitOffsetArg(c, argv[2]);
  if (offset === null) return;
  const o = c.db.lookupRead(argv[1]);
  if (o === undefined) {
    c.reply.int(0);
    return;
  }
  if (!isStringValue(o)) {
    c.error(WRONGTYPE);
    return;
  }
  const byte = offset >>> 3;
  const shift = 7 - (offset & 7);
  let value: number;
  if (o instanceof ByteString) value = byte < o.len ? o.buf[byte] : 0;
  else {
    const s = stringOf(o);
    value = byte < s.length ? s.charCodeAt(byte) : 0;
  }
  c.reply.int((value >> shift) & 1);
}

export const handlers: HandlerMap = { setbit, getbit };
