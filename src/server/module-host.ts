/*
 * ModuleHost: the one way a subsystem attaches to a server.
 *
 * Every Server owns one host. A module (a command family, persistence,
 * replication, scripting, tracking, pub/sub, ACL, eviction...) installs
 * itself on the host of the server it belongs to: its command gates, cron
 * tasks, INFO fields and sections, DEBUG hooks, client hooks, keyspace
 * listeners and propagation targets all land here or on objects the host
 * reaches, never in a process-wide registry. Several servers in one
 * process therefore never see each other's subsystems, and a closed server
 * takes everything its modules installed with it.
 *
 * Invariants: a module registers during install() (the composition root,
 * src/compose.ts, calls it once per server); what it registers answers for
 * that server alone. Hot-path readers (dispatch's armed gates, INFO's
 * providers) read plain fields of the host, with no lookups per command.
 */
import type { Server } from './server';
import type { Client } from './client';
import type { Command, HandlerMap } from '../command-model/table';
import type { Keyspace } from '../keyspace/keyspace';
import type { Config } from '../config/config';

/**
 * An extra refusal check. A gate returns false to let the command through,
 * true when it replied with a refusal itself, or the error message ("OOM
 * ...", "BUSY ...") for dispatch to reply with: only then is a refused EXEC
 * turned into "EXECABORT Transaction discarded because of: ...", as Redis
 * does for its own refusals.
 */
export type CommandGate = (server: Server, c: Client, cmd: Command, argv: string[]) => boolean | string;
/**
 * Whether a gate can refuse anything in the server's present state
 * (maxmemory set, a busy script, a replica...). Most of the time no gate
 * can, and dispatch then runs none (see refreshGates in dispatch.ts).
 */
export type GateArmed = (server: Server) => boolean;
export interface GateEntry {
  readonly check: CommandGate;
  readonly armed: GateArmed;
}
const ALWAYS: GateArmed = () => true;

export type InfoValue = string | number;
export type InfoFieldProvider = (server: Server) => InfoValue;
/** Returns lines, each "field:value\r\n". */
export type InfoSectionProvider = (server: Server) => string;

/**
 * DEBUG subcommands whose work belongs to a subsystem: RELOAD and LOADAOF
 * to persistence, CONFIG-REWRITE-FORCE-ALL to the configuration. Each
 * returns null on success or the error message to reply ("ERR ...").
 * Absent, DEBUG answers as Redis does without the feature.
 */
export interface DebugHooks {
  reload?: (opts: { save: boolean; flush: boolean; merge: boolean }) => string | null;
  loadAof?: () => string | null;
  configRewriteForceAll?: () => string | null;
}

/** Takes a client's input before command lookup when it returns true (the Lua debugger's sessions). */
export type InputInterceptor = (server: Server, c: Client, argv: string[]) => boolean;

/**
 * What a module is: the commands it implements (joined with their
 * metadata into the server's command table) and how it installs itself on
 * a server's host.
 */
export interface ServerModule {
  readonly name: string;
  /** handlers keyed by the command's full name ("get", "config|get") */
  readonly commands?: HandlerMap;
  install?(host: ModuleHost): void;
}

export class ModuleHost {
  /** command gates in registration order (dispatch arms the ones that apply) */
  readonly gates: GateEntry[] = [];
  /** INFO: one field's value, a whole section's body, lines shown after a field */
  readonly infoFields = new Map<string, InfoFieldProvider>();
  readonly infoSections = new Map<string, InfoSectionProvider>();
  readonly infoExtraLines = new Map<string, InfoSectionProvider>();
  readonly debug: DebugHooks = {};
  /** null (so free) unless a Lua debugger session is open */
  inputInterceptor: InputInterceptor | null = null;

  constructor(readonly server: Server) {}

  get config(): Config {
    return this.server.config;
  }

  get keyspace(): Keyspace {
    return this.server.keyspace;
  }

  addCommandGate(check: CommandGate, armed: GateArmed = ALWAYS): void {
    this.gates.push({ check, armed });
    this.server.gatesStale = true;
  }

  /** A periodic task run by serverCron (in registration order), given the cron's clock. */
  addCronTask(task: (now: number) => void): void {
    this.server.cronTasks.push(task);
  }

  /** Supply the value of an INFO field (by its exact name). */
  provideInfoField(field: string, fn: InfoFieldProvider): void {
    this.infoFields.set(field, fn);
  }

  /** Supply the whole body of a section (lower-case name, e.g. "replication"). */
  provideInfoSection(name: string, fn: InfoSectionProvider): void {
    this.infoSections.set(name, fn);
  }

  /** Add lines after a field (those Redis shows only in some states). */
  provideInfoExtraLines(afterField: string, fn: InfoSectionProvider): void {
    this.infoExtraLines.set(afterField, fn);
  }

  /** Per-connection state is dropped here when a client goes away. */
  onClientFreed(fn: (c: Client) => void): void {
    this.server.onClientFreed(fn);
  }

  /** RESET: per-connection state back to a fresh connection's. */
  onClientReset(fn: (c: Client) => void): void {
    this.server.onClientReset(fn);
  }

  /** Run before any client output is written (the AOF buffer reaches its file first). */
  beforeReplyWrite(fn: () => void): void {
    this.server.beforeReplyWrite.push(fn);
  }

  /** Run at shutdown before the process exits. */
  onShutdown(fn: () => void): void {
    this.server.shutdownHooks.push(fn);
  }

  /** Effects of commands per database (the AOF, replicas), wanted while wanted() holds. */
  addPropagationTarget(feed: (dbid: number, argv: string[]) => void, wanted: () => boolean): void {
    this.server.propagator.addDbTarget(feed, wanted);
  }
}
