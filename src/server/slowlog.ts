/*
 * SLOWLOG: the most recent commands whose execution took at least
 * slowlog-log-slower-than microseconds, newest first, at most
 * slowlog-max-len entries. Arguments are trimmed as Redis trims them: at
 * most 32 arguments (the last one saying how many more there were) and 128
 * bytes per argument.
 */
import { type Clock, realClock } from '../util/clock';

export interface SlowLogEntry {
  id: number;
  /** unix time, seconds */
  time: number;
  /** microseconds */
  duration: number;
  argv: string[];
  peer: string;
  name: string;
}

const SLOWLOG_ENTRY_MAX_ARGC = 32;
const SLOWLOG_ENTRY_MAX_STRING = 128;

export class SlowLog {
  entries: SlowLogEntry[] = [];
  nextId = 0;
  private readonly clock: Clock;

  constructor(clock: Clock = realClock) {
    this.clock = clock;
  }

  add(argv: string[], duration: number, peer: string, name: string, maxLen: number): void {
    const n = Math.min(argv.length, SLOWLOG_ENTRY_MAX_ARGC);
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      if (n === SLOWLOG_ENTRY_MAX_ARGC && i === n - 1) {
        args.push(`... (${argv.length - SLOWLOG_ENTRY_MAX_ARGC + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(a.length > SLOWLOG_ENTRY_MAX_STRING
        ? `${a.slice(0, SLOWLOG_ENTRY_MAX_STRING)}... (${a.length - SLOWLOG_ENTRY_MAX_STRING} more bytes)`
        : a);
    }
    this.entries.unshift({ id: this.nextId++, time: Math.floor(this.clock.now() / 1000), duration, argv: args, peer, name });
    this.trim(maxLen);
  }

  trim(maxLen: number): void {
    if (this.entries.length > maxLen) this.entries.length = Math.max(0, maxLen);
  }

  reset(): void {
    this.entries = [];
  }
}
