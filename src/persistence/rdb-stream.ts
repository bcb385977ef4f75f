/*
 * Streams in Redis's persistence formats: the RDB value (type 19,
 * RDB_TYPE_STREAM_LISTPACKS_2, what Redis 7.0 writes; 15 and 21 are read
 * too) and the commands an AOF rewrite uses to rebuild a stream.
 *
 * RDB. Entries go in listpacks keyed by their first ID, as Redis's radix
 * tree holds them. Each listpack starts with a master entry (live count,
 * deleted count, the first entry's field names, a 0 terminator); every
 * entry is then: flags, ms and seq as differences from the master ID, the
 * field count and fields unless flagged SAMEFIELDS (same names as the
 * master entry), the values, and lp-count (how many elements the entry
 * used, for reading backwards). After the listpacks: length, last ID,
 * first ID, max deleted ID, entries added, then the consumer groups (in
 * name order) with their last ID, entries read, global PEL (raw 16-byte
 * IDs, delivery time, delivery count) and consumers (name, seen time, own
 * PEL as raw IDs). Deleted entries are not written.
 *
 * Loading rebuilds the stream with StreamValue.append (Nodis's own node
 * layout), then restores the counters and groups as saved.
 */
import { ListpackBuilder, rdbValueEncoders, type ByteSink } from './rdb-writer';
import {
  rdbTypeDecoders, readStreamRaw, listpackEntries, RdbError,
  RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_STREAM_LISTPACKS_3,
  type RawStreamId,
} from './rdb-reader';
import { aofKeyRewriters, type AofCommandSink } from './aof-rewrite';
import type { RedisObject, RedisValue } from '../keyspace/values';
import {
  StreamValue, StreamIterator, ConsumerGroup, Consumer, NACK, MIN_ID, MAX_ID, idToString,
} from '../types/stream';

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const NODE_MAX_ENTRIES = 100;
const NODE_MAX_BYTES = 4096;

/** ms and seq of an ID key (16 big-endian bytes). */
function idParts(id: string): [bigint, bigint] {
  const b = Buffer.from(id, 'latin1');
  return [b.readBigUInt64BE(0), b.readBigUInt64BE(8)];
}

function idKey(ms: bigint, seq: bigint): string {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(BigInt.asUintN(64, ms), 0);
  b.writeBigUInt64BE(BigInt.asUintN(64, seq), 8);
  return b.toString('latin1');
}

/** RDB length encoding of an unsigned 64-bit value. */
function len64(out: ByteSink, v: bigint): void {
  if (v <= 0xffffffffn) {
    out.length(Number(v));
    return;
  }
  out.byte(0x81);
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  out.rawBytes(b);
}

function int64LE(out: ByteSink, v: number): void {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(Math.trunc(v)));
  out.rawBytes(b);
}

function idLen(out: ByteSink, id: string): void {
  const [ms, seq] = idParts(id);
  len64(out, ms);
  len64(out, seq);
}

interface Entry {
  id: string;
  fields: string[];
  values: string[];
}

/** The iterator's current entry, copied out. */
function entryAt(it: StreamIterator): Entry {
  const fields: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < it.pairs; i++) {
    it.nextField();
    fields.push(it.field());
    values.push(it.value());
  }
  return { id: it.id(), fields, values };
}

function sameFields(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One listpack holding these entries, the first as master. */
function nodeListpack(entries: Entry[]): Buffer {
  const lp = new ListpackBuilder();
  const master = entries[0];
  const [mms, mseq] = idParts(master.id);
  lp.add(String(entries.length));
  lp.add('0');
  lp.add(String(master.fields.length));
  for (const f of master.fields) lp.add(f);
  lp.add('0');
  for (const e of entries) {
    const [ms, seq] = idParts(e.id);
    const same = sameFields(e.fields, master.fields);
    lp.add(String(same ? FLAG_SAMEFIELDS : 0));
    lp.add(String(ms - mms));
    lp.add(String(seq - mseq));
    if (!same) {
      lp.add(String(e.fields.length));
      for (let j = 0; j < e.fields.length; j++) {
        lp.add(e.fields[j]);
        lp.add(e.values[j]);
      }
    } else {
      for (const v of e.values) lp.add(v);
    }
    const n = e.fields.length;
    lp.add(String(same ? n + 3 : n * 2 + 4));
  }
  return lp.finish();
}

/** One radix-tree node: its key (the first entry's ID) and its listpack. */
function writeNode(out: ByteSink, entries: Entry[]): void {
  out.length(16);
  out.raw(entries[0].id);
  const lp = nodeListpack(entries);
  out.length(lp.length);
  out.rawBytes(lp);
}

function writeStream(out: ByteSink, s: StreamValue): void {
  // the live entries in nodes of NODE_MAX_ENTRIES, copied out one node at a time
  out.length(Math.ceil(s.length / NODE_MAX_ENTRIES));
  const batch: Entry[] = [];
  const it = new StreamIterator(s, MIN_ID, MAX_ID, false);
  while (it.next()) {
    batch.push(entryAt(it));
    if (batch.length === NODE_MAX_ENTRIES) {
      writeNode(out, batch);
      batch.length = 0;
    }
  }
  if (batch.length > 0) writeNode(out, batch);
  out.length(s.length);
  idLen(out, s.lastId);
  idLen(out, s.length > 0 ? s.firstId : MIN_ID);
  idLen(out, s.maxDeletedId);
  out.length(s.entriesAdded);
  const groups = s.sortedGroups();
  out.length(groups.length);
  for (const [name, g] of groups) {
    out.string(name);
    idLen(out, g.lastId);
    len64(out, BigInt.asUintN(64, BigInt(g.entriesRead)));
    out.length(g.pel.size);
    g.pel.forEach((id, nack) => {
      out.raw(id);
      int64LE(out, nack.deliveryTime);
      out.length(nack.deliveryCount);
    });
    const consumers = g.sortedConsumers();
    out.length(consumers.length);
    for (const c of consumers) {
      out.string(c.name);
      int64LE(out, c.seenTime);
      out.length(c.pel.size);
      c.pel.forEach((id) => out.raw(id));
    }
  }
}

function rawIdKey(id: RawStreamId): string {
  return idKey(id.ms, id.seq);
}

function toBig(s: string): bigint {
  if (!/^-?\d+$/.test(s)) throw new RdbError('Stream listpack integrity check failed.');
  return BigInt(s);
}

function readStream(input: Parameters<typeof readStreamRaw>[0], type: number): StreamValue {
  const raw = readStreamRaw(input, type);
  const s = new StreamValue();
  for (const node of raw.nodes) {
    const mms = node.masterId.readBigUInt64BE(0);
    const mseq = node.masterId.readBigUInt64BE(8);
    const e = listpackEntries(node.listpack);
    let p = 0;
    const next = (): string => {
      if (p >= e.length) throw new RdbError('Stream listpack integrity check failed.');
      return e[p++];
    };
    const count = Number(toBig(next()));
    const deleted = Number(toBig(next()));
    const nmf = Number(toBig(next()));
    if (nmf < 0 || nmf > e.length) throw new RdbError('Stream listpack integrity check failed.');
    const masterFields: string[] = [];
    for (let i = 0; i < nmf; i++) masterFields.push(next());
    next(); // master terminator
    for (let k = 0; k < count + deleted; k++) {
      const flags = Number(toBig(next()));
      const ms = mms + toBig(next());
      const seq = mseq + toBig(next());
      const argv: string[] = [];
      if ((flags & FLAG_SAMEFIELDS) !== 0) {
        for (let i = 0; i < nmf; i++) argv.push(masterFields[i], next());
      } else {
        const nf = Number(toBig(next()));
        if (nf < 0 || nf > e.length) throw new RdbError('Stream listpack integrity check failed.');
        for (let i = 0; i < nf; i++) {
          const f = next();
          argv.push(f, next());
        }
      }
      next(); // lp-count
      if ((flags & FLAG_DELETED) !== 0) continue;
      const id = idKey(ms, seq);
      if (s.nodes.length > 0 && id <= s.lastId) throw new RdbError('Stream entries are not in increasing ID order');
      s.append(id, argv, 0, NODE_MAX_ENTRIES, NODE_MAX_BYTES);
    }
  }
  // append counted the live entries and recorded the first one's ID
  if (s.length !== raw.length) throw new RdbError('Stream length inconsistent with its listpacks');
  s.lastId = rawIdKey(raw.lastId);
  if (raw.firstId !== null && raw.length > 0) s.firstId = rawIdKey(raw.firstId);
  s.maxDeletedId = raw.maxDeletedId !== null ? rawIdKey(raw.maxDeletedId) : MIN_ID;
  s.entriesAdded = raw.entriesAdded !== null ? raw.entriesAdded : raw.length;
  for (const g of raw.groups) {
    if (s.groups === null) s.groups = new Map();
    if (s.groups.has(g.name)) throw new RdbError('Duplicated consumer group name');
    const gid = rawIdKey(g.lastId);
    // before RDB 10 no read counter was saved: estimate it as Redis does on load
    const group = new ConsumerGroup(gid, g.entriesRead ?? s.estimateDistance(gid));
    s.groups.set(g.name, group);
    for (const p of g.pel) {
      const nack = new NACK(null, p.deliveryTime);
      nack.deliveryCount = p.deliveryCount;
      group.pel.add(p.id.toString('latin1'), nack);
    }
    for (const c of g.consumers) {
      const consumer = new Consumer(c.name, c.seenTime);
      group.consumers.set(c.name, consumer);
      for (const idb of c.pel) {
        const id = idb.toString('latin1');
        const nack = group.pel.get(id);
        if (nack === undefined) throw new RdbError('Consumer entry not found in group global PEL');
        nack.consumer = consumer;
        consumer.pel.add(id, nack);
      }
    }
    group.pel.forEach((_id, nack) => {
      if (nack.consumer === null) throw new RdbError('Stream PEL entry without a consumer');
    });
  }
  return s;
}

/* -------------------------------------------------------------- AOF rewrite */

function rewriteStream(out: AofCommandSink, key: string, v: RedisValue): void {
  const s = v as unknown as StreamValue;
  const lastId = idToString(s.lastId);
  if (s.length > 0) {
    const it = new StreamIterator(s, MIN_ID, MAX_ID, false);
    while (it.next()) {
      const argv = ['XADD', key, it.idString()];
      for (let i = 0; i < it.pairs; i++) {
        it.nextField();
        argv.push(it.field(), it.value());
      }
      out.command(argv);
    }
  } else {
    // an empty stream still exists (and may have groups): create it and trim it to nothing
    out.command(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  out.command(['XSETID', key, lastId, 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', idToString(s.maxDeletedId)]);
  if (s.groups === null) return;
  for (const [name, g] of s.groups) {
    out.command(['XGROUP', 'CREATE', key, name, idToString(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
    g.pel.forEach((id, nack) => {
      const consumer = nack.consumer === null ? '' : nack.consumer.name;
      out.command(['XCLAIM', key, name, consumer, '0', idToString(id), 'TIME', String(nack.deliveryTime),
        'RETRYCOUNT', String(nack.deliveryCount), 'JUSTID', 'FORCE']);
    });
    for (const c of g.consumers.values()) {
      if (c.pel.size === 0) out.command(['XGROUP', 'CREATECONSUMER', key, name, c.name]);
    }
  }
}

/** Register the stream codecs with the RDB writer, the RDB reader and the AOF rewrite. */
export function registerStreamPersistence(): void {
  rdbValueEncoders.set('stream', {
    type: () => RDB_TYPE_STREAM_LISTPACKS_2,
    body: (out: ByteSink, v: RedisObject) => writeStream(out, v as unknown as StreamValue),
  });
  for (const t of [RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_STREAM_LISTPACKS_3]) {
    rdbTypeDecoders.set(t, (input, type) => readStream(input, type));
  }
  aofKeyRewriters.set('stream', rewriteStream);
}
