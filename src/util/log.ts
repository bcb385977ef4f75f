/*
 * Logging in Redis's format: "pid:R dd Mon yyyy hh:mm:ss.mmm L message",
 * where R is the role (M primary, S replica, C child, X sentinel) and L the
 * level mark ('.' debug, '-' verbose, '*' notice, '#' warning). Lines go to
 * the logfile, or stdout when it is empty. Tools and Redis's test suite
 * parse these lines.
 */
import * as fs from 'fs';

export const LL_DEBUG = 0;
export const LL_VERBOSE = 1;
export const LL_NOTICE = 2;
export const LL_WARNING = 3;
const MARKS = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function levelFromName(name: string): number {
  switch (name) {
    case 'debug': return LL_DEBUG;
    case 'verbose': return LL_VERBOSE;
    case 'notice': return LL_NOTICE;
    case 'warning': return LL_WARNING;
    default: return -1;
  }
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

export function formatTimestamp(d: Date): string {
  return `${pad(d.getDate(), 2)} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  level = LL_NOTICE;
  /** empty: stdout */
  file = '';
  role = 'M';

  log(level: number, msg: string): void {
    if (level < this.level) return;
    // log lines carry the real time (for operators), whatever server.clock says
    this.raw(`${process.pid}:${this.role} ${formatTimestamp(new Date())} ${MARKS[level]} ${msg}\n`);
  }

  /** Write text without a prefix (the startup logo). */
  raw(text: string): void {
    if (this.file === '') {
      try {
        fs.writeSync(1, text);
      } catch {
        /* stdout closed: nothing to do */
      }
    } else {
      try {
        fs.appendFileSync(this.file, text);
      } catch {
        /* unwritable log file: Redis ignores it too */
      }
    }
  }

  debug(msg: string): void { this.log(LL_DEBUG, msg); }
  verbose(msg: string): void { this.log(LL_VERBOSE, msg); }
  notice(msg: string): void { this.log(LL_NOTICE, msg); }
  warning(msg: string): void { this.log(LL_WARNING, msg); }
}
