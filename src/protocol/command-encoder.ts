/*
 * A command as a RESP array of bulk strings, the form commands take on the
 * wire to a server and in the replication stream and AOF files. Arguments
 * are latin1 strings (one char per byte), so their length is their size.
 */
export function encodeCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}
