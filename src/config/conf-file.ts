/*
 * Loading the configuration the way redis-server does:
 *
 *   nodis-server [configfile] [--directive value ...] [-]
 *
 * The command-line options become config text appended after the file (and
 * after stdin when '-' is given), one directive per line, values quoted like
 * sdscatrepr; the whole text is then parsed line by line, so an error in an
 * option is reported with its line number in that combined text, exactly as
 * Redis prints it. `include` reads other files (glob patterns allowed, a
 * pattern matching nothing is not an error) and parses each on its own.
 *
 * Errors throw ConfigError whose message is the complete text Redis writes
 * before exiting with status 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { splitArgs, reprString } from '../protocol/split-args';
import { Config, ConfigError } from './config';
import { lookupParam, MULTI_ARG } from './params';
import { stringMatch as globMatch, hasGlobChars } from '../util/glob';
import { strerror } from './codec';
import { loadSpecs } from '../command-model/table';
import { formatTimestamp } from '../util/log';

const REDIS_VERSION = '7.0.15';

export interface CommandLine {
  configFile: string | null;
  fromStdin: boolean;
  /** directives built from --options, one per line */
  options: string;
}

/** Build the options text from argv as Redis's main() does. */
export function parseCommandLine(args: string[]): CommandLine {
  let j = 0;
  let configFile: string | null = null;
  if (args.length > 0 && !args[0].startsWith('-')) {
    configFile = args[0];
    j = 1;
  }
  let fromStdin = false;
  let options = '';
  let handledLastArg = true;
  const argc = args.length;
  for (; j < argc; j++) {
    const a = args[j];
    if (a === '-' && (j === 0 || j === argc - 1)) {
      fromStdin = true;
    } else if (handledLastArg && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += a.slice(2) + ' ';
      const parts = splitArgs(a);
      if (parts !== null && parts.length === 1) {
        handledLastArg = false;
        const nextIsOption = j !== argc - 1 && args[j + 1].startsWith('--');
        const lower = a.toLowerCase();
        if (nextIsOption && lower === '--save') {
          options += '""';
          handledLastArg = true;
        } else if (j === argc - 1 && lower === '--save') {
          options += '""';
        } else if (nextIsOption && lower === '--sentinel') {
          handledLastArg = true;
        }
      } else {
        handledLastArg = true;
      }
    } else {
      options += reprString(a) + ' ';
      handledLastArg = true;
    }
  }
  return { configFile, fromStdin, options };
}

function logLine(msg: string): string {
  return `${process.pid}:C ${formatTimestamp(new Date())} # ${msg}\n`;
}

/** POSIX-like glob over the file system, sorted, hidden files only with an explicit dot. */
export function globFiles(pattern: string): string[] {
  const abs = path.isAbsolute(pattern);
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let current: string[] = [abs ? '/' : ''];
  for (let i = abs ? 1 : 0; i < parts.length; i++) {
    const part = parts[i];
    const next: string[] = [];
    for (const base of current) {
      if (!hasGlobChars(part)) {
        const p = base === '' ? part : path.join(base, part);
        if (i === parts.length - 1 ? fs.existsSync(p) : isDir(p)) next.push(p);
        continue;
      }
      let entries: string[];
      try {
        entries = fs.readdirSync(base === '' ? '.' : base);
      } catch {
        continue;
      }
      for (const e of entries.sort()) {
        if (e.startsWith('.') && !part.startsWith('.')) continue;
        if (!globMatch(part, e)) continue;
        const p = base === '' ? e : path.join(base, e);
        if (i < parts.length - 1 && !isDir(p)) continue;
        next.push(p);
      }
    }
    current = next;
  }
  return current.sort();
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Read a config file (or every file a glob pattern matches) as text. */
export function readConfigFiles(name: string): string {
  const files = hasGlobChars(name) ? globFiles(name) : [name];
  let text = '';
  for (const f of files) {
    try {
      text += fs.readFileSync(f, 'latin1');
    } catch (e) {
      throw new ConfigError(logLine(`Fatal error, can't open config file '${f}': ${strerror(e)}`), true);
    }
  }
  return text;
}

const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

let knownCommands: Set<string> | null = null;
function commandNames(): Set<string> {
  if (knownCommands === null) knownCommands = new Set(loadSpecs().map((s) => s.name));
  return knownCommands;
}

function fatal(lineno: number | null, line: string, err: string): ConfigError {
  let msg = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (lineno !== null) msg += `Reading the configuration file, at line ${lineno}\n>>> '${line}'\n`;
  return new ConfigError(msg + err + '\n');
}

/** Parse config text into `cfg` (loadServerConfigFromString). Throws ConfigError. */
export function loadConfigFromString(cfg: Config, text: string, state: { live: Set<string> | null }): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line[0] === '#') continue;
    const argv = splitArgs(line);
    if (argv === null) throw fatal(i + 1, line, 'Unbalanced quotes in configuration line');
    if (argv.length === 0) continue;
    const name = argv[0].toLowerCase();
    const d = lookupParam(name);
    if (d !== undefined) {
      if (!(d.flags & MULTI_ARG) && argv.length !== 2) throw fatal(i + 1, line, 'wrong number of arguments');
      let args = argv.slice(1);
      if ((d.flags & MULTI_ARG) && args.length === 1 && args[0] !== '') {
        args = splitArgs(args[0]) ?? [];
      }
      const err = cfg.setParam(d, args, true);
      if (err !== null) throw fatal(i + 1, line, err);
      continue;
    }
    if (DEPRECATED.has(name) && argv.length === 2) continue;
    if (name === 'include' && argv.length === 2) {
      loadConfigFromString(cfg, readConfigFiles(argv[1]), state);
    } else if (name === 'rename-command' && argv.length === 3) {
      if (state.live === null) state.live = new Set(commandNames());
      const from = argv[1].toLowerCase();
      const to = argv[2].toLowerCase();
      if (!state.live.has(from)) throw fatal(i + 1, line, 'No such command in rename-command');
      state.live.delete(from);
      if (to !== '') {
        if (state.live.has(to)) throw fatal(i + 1, line, 'Target command name already exists');
        state.live.add(to);
      }
      cfg.renamedCommands.push([from, to]);
    } else if (name === 'user' && argv.length >= 2) {
      cfg.userDirectives.push(argv.slice(1));
    } else if (name === 'loadmodule' && argv.length >= 2) {
      cfg.loadModules.push(argv.slice(1));
    } else if (name.includes('.')) {
      if (argv.length < 2) throw fatal(i + 1, line, 'Module config specified without value');
      cfg.moduleConfigs.set(argv[0], argv.slice(1).join(' '));
    } else if (name === 'sentinel') {
      if (argv.length !== 1) throw fatal(i + 1, line, 'sentinel directive while not in sentinel mode');
    } else {
      throw fatal(i + 1, line, 'Bad directive or wrong number of arguments');
    }
  }
}

/**
 * Build the configuration from the command line (without -v/-h handling,
 * which main does). Used by main.ts and by the embedding API.
 */
export function loadConfig(args: string[], opts: { stdin?: () => string; chdir?: boolean } = {}): Config {
  const cfg = new Config();
  if (opts.chdir === false) cfg.chdir = false;
  const cl = parseCommandLine(args);
  let text = '';
  if (cl.configFile !== null) {
    cfg.configFile = path.resolve(cl.configFile);
    text += readConfigFiles(cfg.configFile);
  }
  if (cl.fromStdin) {
    try {
      fs.writeSync(1, logLine('Reading config from stdin'));
    } catch {
      /* stdout closed */
    }
    text += opts.stdin ? opts.stdin() : readStdin();
  }
  if (cl.options.length > 0) text += '\n' + cl.options;
  const state: { live: Set<string> | null } = { live: null };
  loadConfigFromString(cfg, text, state);
  if (cfg.logfile !== '') {
    try {
      fs.closeSync(fs.openSync(cfg.logfile, 'a'));
    } catch (e) {
      throw fatal(null, '', `Can't open the log file: ${strerror(e)}`);
    }
  }
  return cfg;
}

function readStdin(): string {
  try {
    return fs.readFileSync(0, 'latin1');
  } catch {
    return '';
  }
}
