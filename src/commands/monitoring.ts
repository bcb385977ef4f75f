/*
 * (stub) Command family "monitoring" (SLOWLOG, LATENCY, MONITOR, SHUTDOWN): filled in by its owner.
 */
import type { HandlerMap } from './table';

export const handlers: HandlerMap = {};
