/*
 * Reads into one shared buffer: the accepted connection's handle is moved
 * into a socket created with Node's `onread` option, so that each read
 * lands in a buffer allocated once for the whole server and is handed to a
 * callback, instead of Node allocating a fresh buffer per read and pushing
 * it through the stream machinery to a 'data' listener. With pipelining
 * that per-read work is a sizeable part of a command's cost.
 *
 * Invariant: the callback must not keep references into the buffer after
 * it returns (the parser copies what it has not consumed: settle()).
 *
 * Node documents `onread` for sockets it connects, not for accepted ones;
 * moving the handle uses the socket constructor's `handle` option. Where
 * that is not available (or NODIS_STREAM_READS=1), the server keeps using
 * 'data' events.
 */
import * as net from 'net';

export type ReadCallback = (nread: number, buf: Buffer) => void;

const READ_SIZE = 64 * 1024;
let shared: Buffer | null = null;

/** Whether accepted connections read into the shared buffer (the listener must pause on connect). */
export const USER_BUFFER_READS = process.env.NODIS_STREAM_READS !== '1';

interface SocketInternals {
  _handle: object | null;
  _server?: net.Server | null;
  server?: net.Server | null;
}

/**
 * Re-home an accepted (paused) connection in a socket that reads into the
 * shared buffer and calls `onRead`; returns it, or null (the accepted
 * socket untouched) when the handle cannot be moved.
 */
export function readIntoSharedBuffer(accepted: net.Socket, listener: net.Server, onRead: ReadCallback): net.Socket | null {
  const inner = accepted as unknown as SocketInternals;
  const handle = inner._handle;
  if (handle === null) return null;
  if (shared === null) shared = Buffer.allocUnsafe(READ_SIZE);
  const buffer = shared;
  inner._handle = null;
  const options = {
    handle,
    onread: {
      buffer,
      callback: (nread: number, buf: Buffer): void => {
        onRead(nread, buf);
      },
    },
  } as net.SocketConstructorOpts;
  const sock = new net.Socket(options);
  if ((sock as unknown as SocketInternals)._handle !== handle) {
    // this Node does not take the handle: leave the connection as it was
    inner._handle = handle;
    sock.destroy();
    return null;
  }
  // the listener counts its connections through the socket that closes them
  const moved = sock as unknown as SocketInternals;
  moved._server = listener;
  moved.server = listener;
  sock.resume();
  return sock;
}
