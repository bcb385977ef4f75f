/*
 * The synchronous channel between the main thread and the Lua worker.
 *
 * One SharedArrayBuffer holds a small control block (Int32 words) and a data
 * area. The two threads talk strictly in turn (ping-pong): whoever holds the
 * turn writes one message into the data area, bumps its sequence word and
 * notifies; the other side waits on that word (a short spin first, then
 * Atomics.wait). A message too large for the data area travels through a
 * MessagePort instead and the receiver takes it with receiveMessageOnPort,
 * which works while the thread is blocked.
 *
 * Messages are built with MsgWriter and read with MsgReader: a tiny binary
 * format (u8, u32, length-prefixed byte strings) so that neither side
 * allocates more than the payload itself.
 */
import { receiveMessageOnPort, type MessagePort } from 'worker_threads';

/** control words */
export const W_TO_WORKER = 0; // sequence of main -> worker messages
export const W_TO_MAIN = 1; // sequence of worker -> main messages
export const W_LEN = 2; // length of the message in the data area, -1 when it went through the port
export const W_READY = 3; // 1 once the worker's engine is up, 2 when its start failed
export const CTL_BYTES = 64;
export const DATA_BYTES = 1 << 20;

/* main -> worker */
export const OP_RUN = 1; // run a script (eval or function)
export const OP_REPLY = 2; // reply to a CALL or LOG

/* worker -> main */
export const OP_CALL = 1; // redis.call / redis.pcall / internal requests
export const OP_LOG = 2; // redis.log
export const OP_DONE = 3; // the script finished

/* kinds of a DONE message */
export const DONE_REPLY = 0; // raw RESP bytes for the client
export const DONE_ERROR = 1; // an error message (no leading '-'), u8 flag: counted already
export const DONE_LOADED = 2; // FUNCTION LOAD: the registered functions (JSON)

/* modes of a RUN message */
export const MODE_EVAL = 0;
export const MODE_FCALL = 1;
export const MODE_LOAD = 2;
export const MODE_CHECK = 3; // compile a body without running it

export class MsgWriter {
  buf = Buffer.allocUnsafe(4096);
  len = 0;

  reset(): this {
    this.len = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.len);
    this.len += 8;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
    return this;
  }

  /** a latin1 JS string (one char per byte), length-prefixed */
  str(s: string): this {
    this.ensure(4);
    this.buf.writeUInt32LE(s.length, this.len);
    this.len += 4;
    return this.raw(s);
  }

  bytes(b: Uint8Array, start = 0, end = b.length): this {
    this.u32(end - start);
    return this.tail(b, start, end);
  }

  /** a latin1 string without length prefix */
  raw(s: string): this {
    const n = s.length;
    this.ensure(n);
    if (n < 64) {
      const b = this.buf;
      let o = this.len;
      for (let i = 0; i < n; i++) b[o++] = s.charCodeAt(i);
      this.len = o;
    } else {
      this.len += this.buf.write(s, this.len, n, 'latin1');
    }
    return this;
  }

  /** raw bytes to the end of the message (no length prefix) */
  tail(b: Uint8Array, start = 0, end = b.length): this {
    const n = end - start;
    this.ensure(n);
    if (n < 64) {
      // short copies (most commands and replies) cost less as a loop than as a view plus set()
      const d = this.buf;
      let o = this.len;
      for (let i = start; i < end; i++) d[o++] = b[i];
    } else {
      this.buf.set(b.subarray(start, end), this.len);
    }
    this.len += n;
    return this;
  }
}

export class MsgReader {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;

  u8(): number {
    return this.buf[this.pos++];
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  str(): string {
    const n = this.u32();
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** the remaining bytes (a view: copy before the next message arrives) */
  tail(): Buffer {
    const b = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return b;
  }
}

/**
 * What the Lua side needs of its peer: send a message, take the answer.
 * ChannelEnd is the cross-thread one; the host's in-process runs use a
 * direct one (host.ts) whose send() handles the message at once.
 */
export interface Peer {
  send(w: MsgWriter): void;
  receive(timeoutMs: number, spin: number): MsgReader | null;
}

/** One end of the channel. `out` is the word this side bumps, `inWord` the one it waits on. */
export class ChannelEnd implements Peer {
  readonly ctl: Int32Array;
  readonly data: Buffer;
  private readonly outWord: number;
  private readonly inWord: number;
  private seen = 0;
  readonly reader = new MsgReader();
  readonly port: MessagePort;

  constructor(sab: SharedArrayBuffer, port: MessagePort, isWorker: boolean) {
    this.ctl = new Int32Array(sab, 0, CTL_BYTES / 4);
    this.data = Buffer.from(sab, CTL_BYTES, DATA_BYTES);
    this.outWord = isWorker ? W_TO_MAIN : W_TO_WORKER;
    this.inWord = isWorker ? W_TO_WORKER : W_TO_MAIN;
    this.seen = Atomics.load(this.ctl, this.inWord);
    this.port = port;
  }

  send(w: MsgWriter): void {
    if (w.len <= DATA_BYTES) {
      w.buf.copy(this.data, 0, 0, w.len);
      Atomics.store(this.ctl, W_LEN, w.len);
    } else {
      this.port.postMessage(Buffer.from(w.buf.subarray(0, w.len)));
      Atomics.store(this.ctl, W_LEN, -1);
    }
    Atomics.add(this.ctl, this.outWord, 1);
    Atomics.notify(this.ctl, this.outWord);
  }

  /** True when the peer has sent a message not read yet. */
  hasMessage(): boolean {
    return Atomics.load(this.ctl, this.inWord) !== this.seen;
  }

  /**
   * Wait up to `timeoutMs` (spinning for `spin` rounds first) for a message;
   * returns the reader positioned on it, or null on timeout.
   */
  receive(timeoutMs: number, spin: number): MsgReader | null {
    const ctl = this.ctl;
    const w = this.inWord;
    if (Atomics.load(ctl, w) === this.seen) {
      for (let i = 0; i < spin && Atomics.load(ctl, w) === this.seen; i++);
      if (Atomics.load(ctl, w) === this.seen) {
        if (timeoutMs <= 0) return null;
        Atomics.wait(ctl, w, this.seen, timeoutMs);
        if (Atomics.load(ctl, w) === this.seen) return null;
      }
    }
    return this.take();
  }

  /** Read the message the peer sent (hasMessage() is true). */
  take(): MsgReader {
    this.seen = Atomics.load(this.ctl, this.inWord);
    const len = Atomics.load(this.ctl, W_LEN);
    const r = this.reader;
    if (len >= 0) {
      r.buf = this.data;
      r.end = len;
    } else {
      const m = receiveMessageOnPort(this.port);
      const b = m ? Buffer.from((m.message as Uint8Array).buffer, (m.message as Uint8Array).byteOffset, (m.message as Uint8Array).byteLength) : Buffer.alloc(0);
      r.buf = b;
      r.end = b.length;
    }
    r.pos = 0;
    return r;
  }

  /** The sequence value this side has consumed (for Atomics.waitAsync). */
  get seenValue(): number {
    return this.seen;
  }

  get waitWord(): number {
    return this.inWord;
  }
}
