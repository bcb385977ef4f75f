/*
 * (stub) Command family "set": filled in by its owner.
 */
import type { HandlerMap } from './table';

export const handlers: HandlerMap = {};
