/*
 * strpack: a sequence of byte strings packed into ONE latin1 JS string,
 * our stand-in for Redis's listpack where memory matters (small hashes).
 *
 * Why: a JS array of n short strings costs about 24 bytes per string plus
 * the array's own slots and slack; one packed string costs its header plus
 * the bytes plus one length char per element. For the "1M hashes of 5
 * small fields" workload that is the difference between ~3.5x and well
 * under 2x Redis's memory.
 *
 * Layout: for each element a length header then its bytes. The header is
 * one char (0..254) for lengths below 255, else char 255 followed by four
 * chars holding the length big-endian, 8 bits each.
 *
 * Packed strings are immutable: every change builds a new flat string
 * through a shared scratch Buffer (latin1Slice gives a flat sequential
 * string, never a rope). Elements are O(n) to locate, as in a listpack;
 * callers keep packs small (hash-max-listpack-entries/-value).
 *
 * Reading protocol (no allocation): `hdr(s, pos)` decodes the header at
 * pos, leaving the element's start and length in `el.start` / `el.len`,
 * and returns the position of the next element.
 */

type Latin1Buffer = Buffer & {
  latin1Write(s: string, offset: number, length?: number): number;
  latin1Slice(start: number, end: number): string;
};

/** The element decoded by the last hdr() call. */
export const el = { start: 0, len: 0 };

/** Decode the header at pos; returns the position after the element. */
export function hdr(s: string, pos: number): number {
  const c = s.charCodeAt(pos);
  if (c < 255) {
    el.start = pos + 1;
    el.len = c;
    return pos + 1 + c;
  }
  const len =
    s.charCodeAt(pos + 1) * 16777216 + (s.charCodeAt(pos + 2) << 16) + (s.charCodeAt(pos + 3) << 8) + s.charCodeAt(pos + 4);
  el.start = pos + 5;
  el.len = len;
  return pos + 5 + len;
}

/** Bytes the header of an element of this length takes. */
export function headerSize(len: number): number {
  return len < 255 ? 1 : 5;
}

/** True when s[start, start+len) equals x. */
export function equalsAt(s: string, start: number, len: number, x: string): boolean {
  if (len !== x.length) return false;
  for (let i = 0; i < len; i++) if (s.charCodeAt(start + i) !== x.charCodeAt(i)) return false;
  return true;
}

/** Number of elements in a pack. */
export function count(s: string): number {
  let n = 0;
  for (let pos = 0; pos < s.length; n++) pos = hdr(s, pos);
  return n;
}

/* ---------------------------------------------------------------- building */

let scratch = Buffer.allocUnsafe(4096) as Latin1Buffer;
let wlen = 0;

function reserve(extra: number): void {
  const need = wlen + extra;
  if (need <= scratch.length) return;
  let cap = scratch.length * 2;
  while (cap < need) cap *= 2;
  const nb = Buffer.allocUnsafe(cap) as Latin1Buffer;
  scratch.copy(nb, 0, 0, wlen);
  scratch = nb;
}

/** Start building a new pack. */
export function begin(): void {
  wlen = 0;
}

/** Append s[start, end) verbatim (already packed bytes). */
export function putRaw(s: string, start: number, end: number): void {
  const n = end - start;
  if (n <= 0) return;
  reserve(n);
  if (start === 0 && end === s.length) scratch.latin1Write(s, wlen, n);
  else scratch.latin1Write(s.slice(start, end), wlen, n);
  wlen += n;
}

/** Append one element (header + bytes). */
export function put(x: string): void {
  const n = x.length;
  reserve(n + 5);
  const b = scratch;
  if (n < 255) {
    b[wlen++] = n;
  } else {
    b[wlen++] = 255;
    b[wlen++] = (n >>> 24) & 255;
    b[wlen++] = (n >>> 16) & 255;
    b[wlen++] = (n >>> 8) & 255;
    b[wlen++] = n & 255;
  }
  if (n > 0) wlen += b.latin1Write(x, wlen, n);
}

/** The pack built since begin(), as a flat string. */
export function end(): string {
  return scratch.latin1Slice(0, wlen);
}

/** A pack holding the given elements. */
export function pack(items: readonly string[]): string {
  begin();
  for (let i = 0; i < items.length; i++) put(items[i]);
  return end();
}

/** All elements of a pack, in order. */
export function unpack(s: string): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < s.length;) {
    pos = hdr(s, pos);
    out.push(s.slice(el.start, el.start + el.len));
  }
  return out;
}
