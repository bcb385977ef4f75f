/*
 * (stub) Command family "zset": filled in by its owner.
 */
import type { HandlerMap } from './table';

export const handlers: HandlerMap = {};
