/*
 * Test helper for the CLIENT/SLOWLOG/LATENCY/MONITOR tests: send a command
 * on a RawConnection and wait for exactly one complete RESP reply (of any
 * type, nested), returning its raw bytes. Replies are compared byte for
 * byte with what Redis 7.0 sends.
 */
import { RawConnection, resp } from '../helpers/server';

/** Length of the first complete RESP reply in s, or -1 if incomplete. */
export function replyLength(s: string, pos = 0): number {
  const nl = s.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = s[pos];
  const head = s.slice(pos + 1, nl);
  let p = nl + 2;
  switch (type) {
    case '+': case '-': case ':': case ',': case '#': case '_': case '(':
      return p - pos;
    case '$': case '=': case '!': {
      const n = Number(head);
      if (n < 0) return p - pos;
      if (s.length < p + n + 2) return -1;
      return p + n + 2 - pos;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(head);
      if (n < 0) return p - pos;
      if (type === '%' || type === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        const l = replyLength(s, p);
        if (l < 0) return -1;
        p += l;
      }
      return p - pos;
    }
    default:
      throw new Error(`bad RESP at ${pos}: ${JSON.stringify(s.slice(pos, pos + 40))}`);
  }
}

/** Send a command, return its complete reply (raw RESP). */
export async function cmd(conn: RawConnection, ...args: string[]): Promise<string> {
  conn.write(resp(...args));
  return readReply(conn);
}

/** Wait for one complete reply and consume it (leaves any following bytes). */
export async function readReply(conn: RawConnection, timeoutMs = 10000): Promise<string> {
  const all = await conn.readUntil((d) => d.length > 0 && replyLength(d) >= 0, timeoutMs);
  const n = all.length > 0 ? replyLength(all) : -1;
  if (n < 0) throw new Error(`no complete reply: ${JSON.stringify(all)}${conn.closed ? ' (closed)' : ''}`);
  (conn as unknown as { data: string }).data = all.slice(n);
  return all.slice(0, n);
}

/** The text of a bulk or verbatim reply. */
export function bulkText(r: string): string {
  const nl = r.indexOf('\r\n');
  let body = r.slice(nl + 2, r.length - 2);
  if (r[0] === '=') body = body.slice(4);
  return body;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
