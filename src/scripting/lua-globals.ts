/*
 * Free names of a Lua 5.1 chunk: which identifiers read or write a global.
 *
 * Why: while Redis 7.0 runs a function library's body (FUNCTION LOAD), its
 * globals are only the library API (`redis` with register_function, log and
 * the constants); every other global, `math` or `getmetatable` included, is
 * a "nonexistent global variable" then, while the registered functions see
 * the whole environment when they are called. The engine gives scripts no
 * setfenv and locks the globals' metatable, so Nodis cannot switch the
 * environment; instead each free name of the library's text is prefixed
 * with a chunk local (`X` becomes `__nodis_G.X`) that is a refusing proxy
 * while the body runs and the real globals table afterwards (lua-worker.ts).
 * `__nodis_G.X` is valid wherever the name `X` is a variable (expressions,
 * assignment targets, `function X.y()`), and adds no line.
 *
 * How: a lexer and a scope tracker over the token stream, not a full parser.
 * A name is a variable unless it follows `.` or `:`, is a table
 * constructor's field key (`{x = 1}`), or is declared (local, parameter,
 * for variable). Scopes follow the block keywords. Where the exact scope
 * would need the expression grammar, the tracker errs towards "local", which
 * only keeps a global unguarded during the load (a missed load-time error),
 * whereas the other way would send a local's uses to the globals:
 * - names of `local a, b = ...` and of `for` are visible from their
 *   declaration on (Lua: after the statement / inside the loop body);
 * - a `repeat` block's locals stay visible after `until` (its condition
 *   sees them) until the enclosing block ends.
 * Input that does not tokenize or nest properly gives null (the caller
 * keeps the text as it is); callers pass only text that compiled.
 *
 * The string and comment skipping (skipNonCode) is also what lua-worker.ts's
 * call-site rewriting uses.
 */

const KEYWORDS = new Set([
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'if', 'in',
  'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while',
]);

const enum Tk {
  Name,
  Keyword,
  Op,
  Literal,
}

interface Token {
  kind: Tk;
  text: string;
  pos: number;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Level of a Lua long bracket opening at src[at] ('['): `[[` 0, `[=[` 1..., or -1. */
function longBracket(src: string, at: number): number {
  let j = at + 1;
  while (src.charCodeAt(j) === 61) j++;
  return src.charCodeAt(j) === 91 ? j - at - 1 : -1;
}

/**
 * When src[i] starts a string or a comment: the index just past it, beyond
 * the text's end (n + 1) when it is not closed; otherwise -1.
 */
export function skipNonCode(src: string, i: number): number {
  const n = src.length;
  const ch = src.charCodeAt(i);
  if (ch === 39 || ch === 34) { // quoted string: an escape takes the next character (a CR LF pair after a backslash)
    i++;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === ch || c === 10 || c === 13) break;
      i += c !== 92 ? 1 : src.charCodeAt(i + 1) === 13 && src.charCodeAt(i + 2) === 10 ? 3 : 2;
    }
    return i < n && src.charCodeAt(i) === ch ? i + 1 : n + 1;
  }
  if (ch === 91) { // long string
    const lvl = longBracket(src, i);
    if (lvl < 0) return -1;
    const close = src.indexOf(`]${'='.repeat(lvl)}]`, i + lvl + 2);
    return close < 0 ? n + 1 : close + lvl + 2;
  }
  if (ch === 45 && src.charCodeAt(i + 1) === 45) { // comment
    const lvl = src.charCodeAt(i + 2) === 91 ? longBracket(src, i + 2) : -1;
    if (lvl >= 0) {
      const close = src.indexOf(`]${'='.repeat(lvl)}]`, i + lvl + 4);
      return close < 0 ? n + 1 : close + lvl + 2;
    }
    const nl = src.indexOf('\n', i);
    return nl < 0 ? n : nl;
  }
  return -1;
}

/** Lua 5.1's tokens (strings, numbers and comments reduced to what the tracker needs), or null on a lexical error. */
export function tokenize(src: string): Token[] | null {
  const out: Token[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    const k = skipNonCode(src, i);
    if (k >= 0) {
      if (k > n) return null; // not closed
      if (c !== 45) out.push({ kind: Tk.Literal, text: '""', pos: i }); // a string (a comment is dropped)
      i = k;
    } else if (isNameStart(c)) {
      const start = i;
      while (i < n && isNameChar(src.charCodeAt(i))) i++;
      const text = src.slice(start, i);
      out.push({ kind: KEYWORDS.has(text) ? Tk.Keyword : Tk.Name, text, pos: start });
    } else if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      // as Lua's read_numeral: digits and dots, an exponent sign, then any name characters
      const start = i;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (isNameChar(d) || d === 46) i++;
        else if ((d === 43 || d === 45) && (src.charCodeAt(i - 1) | 0x20) === 101 && !/^0[xX]/.test(src.slice(start, i))) i++;
        else break;
      }
      out.push({ kind: Tk.Literal, text: '0', pos: start });
    } else {
      const three = src.slice(i, i + 3);
      const two = src.slice(i, i + 2);
      let op: string;
      if (three === '...') op = three;
      else if (two === '..' || two === '==' || two === '~=' || two === '<=' || two === '>=') op = two;
      else op = src[i];
      if (!'+-*/%^#=<>(){}[];:,.~'.includes(op[0]) || (op === '~')) return null;
      out.push({ kind: Tk.Op, text: op, pos: i });
      i += op.length;
    }
  }
  return out;
}

/** A block (with its scope) or a bracket on the nesting stack. */
interface Frame {
  /** 'function' | 'do' | 'loop' | 'then' | 'else' | 'repeat' for blocks; '(' '[' '{' for brackets */
  kind: string;
  names: Set<string> | null;
  /** a for/while block before its `do` */
  awaitingDo: boolean;
}

/**
 * Positions of the names in `src` that are globals (free names), except those
 * in `keep`; null when the text does not tokenize or nest as Lua.
 */
export function freeNamePositions(src: string, keep: ReadonlySet<string>): number[] | null {
  const toks = tokenize(src);
  if (toks === null) return null;
  const stack: Frame[] = [{ kind: 'chunk', names: new Set(), awaitingDo: false }];
  const free: number[] = [];
  const block = (kind: string, awaitingDo = false): Frame => {
    const f: Frame = { kind, names: new Set(), awaitingDo };
    stack.push(f);
    return f;
  };
  const innermostScope = (): Set<string> => {
    for (let k = stack.length - 1; ; k--) {
      const s = stack[k].names;
      if (s !== null) return s;
    }
  };
  const isLocal = (name: string): boolean => {
    for (let k = stack.length - 1; k >= 0; k--) {
      const s = stack[k].names;
      if (s !== null && s.has(name)) return true;
    }
    return false;
  };
  /** Close the innermost block (of kind `expected` when given); null when that is not what is open. */
  const popBlock = (expected?: string): Frame | null => {
    const top = stack[stack.length - 1];
    if (top.names === null || stack.length === 1 || (expected !== undefined && top.kind !== expected)) return null;
    stack.pop();
    return top;
  };

  // declaration states
  let localNames = false; // after `local`: names being declared
  let localFunction = false; // after `local function`: the next name is declared outside the function
  let forNames = false; // after `for`: loop variables
  let funcHeader: 'name' | 'params' | null = null;
  let funcFrame: Frame | null = null;

  for (let t = 0; t < toks.length; t++) {
    const tok = toks[t];
    const prev = t > 0 ? toks[t - 1] : null;
    if (tok.kind === Tk.Name) {
      if (prev !== null && prev.kind === Tk.Op && (prev.text === '.' || prev.text === ':')) {
        if (funcHeader === 'name' && prev.text === ':' && funcFrame !== null) funcFrame.names!.add('self');
        continue;
      }
      if (funcHeader === 'params') {
        funcFrame!.names!.add(tok.text);
        continue;
      }
      if (funcHeader === 'name' && localFunction) {
        // local function f: f is a local of the enclosing block, visible in its own body
        const outer = stack.length >= 2 ? stack[stack.length - 2].names : null;
        if (outer === null) return null; // a statement inside brackets: not Lua
        outer.add(tok.text);
        localFunction = false;
        continue;
      }
      if ((localNames || forNames) && prev !== null && (prev.text === ',' || prev.text === 'local' || prev.text === 'for')) {
        innermostScope().add(tok.text);
        continue;
      }
      localNames = false; // a name right after a declared one starts the next statement
      forNames = false;
      const top = stack[stack.length - 1];
      const next = t + 1 < toks.length ? toks[t + 1] : null;
      if (top.kind === '{' && next !== null && next.kind === Tk.Op && next.text === '=' &&
          prev !== null && prev.kind === Tk.Op && (prev.text === '{' || prev.text === ',' || prev.text === ';')) {
        continue; // a table constructor's field key
      }
      if (!isLocal(tok.text) && !keep.has(tok.text)) free.push(tok.pos);
      continue;
    }

    // any other token ends a list of declared names
    if (localNames && !(tok.kind === Tk.Op && tok.text === ',')) localNames = false;
    if (forNames && !(tok.kind === Tk.Op && tok.text === ',')) forNames = false;

    if (tok.kind === Tk.Keyword) {
      if (funcHeader !== null) return null; // only names and punctuation before a function's body
      switch (tok.text) {
        case 'local':
          if (t + 1 < toks.length && toks[t + 1].kind === Tk.Keyword && toks[t + 1].text === 'function') localFunction = true;
          else localNames = true;
          break;
        case 'function':
          funcFrame = block('function');
          funcHeader = 'name';
          break;
        case 'for':
          block('loop', true);
          forNames = true;
          break;
        case 'while':
          block('loop', true);
          break;
        case 'do': {
          const top = stack[stack.length - 1];
          if (top.kind === 'loop' && top.awaitingDo) top.awaitingDo = false;
          else block('do');
          break;
        }
        case 'then':
          block('then');
          break;
        case 'elseif':
        case 'else':
          if (popBlock('then') === null) return null;
          if (tok.text === 'else') block('else');
          break;
        case 'repeat':
          block('repeat');
          break;
        case 'until': {
          const f = popBlock('repeat');
          if (f === null) return null;
          // the condition sees the block's locals: keep them (see the module comment)
          for (const name of f.names!) innermostScope().add(name);
          break;
        }
        case 'end': {
          const f = popBlock();
          if (f === null || f.kind === 'repeat' || f.awaitingDo) return null;
          break;
        }
        default:
          break;
      }
      continue;
    }

    if (tok.kind === Tk.Op) {
      switch (tok.text) {
        case '(':
          if (funcHeader === 'name') funcHeader = 'params';
          else stack.push({ kind: '(', names: null, awaitingDo: false });
          break;
        case ')':
          if (funcHeader === 'params') {
            funcHeader = null;
            funcFrame = null;
          } else if (stack.pop()?.kind !== '(') {
            return null;
          }
          break;
        case '[':
        case '{':
          stack.push({ kind: tok.text, names: null, awaitingDo: false });
          break;
        case ']':
          if (stack.pop()?.kind !== '[') return null;
          break;
        case '}':
          if (stack.pop()?.kind !== '{') return null;
          break;
        default:
          break;
      }
    }
  }
  if (stack.length !== 1 || funcHeader !== null) return null;
  return free;
}

/**
 * `src` with every free name (outside `keep`) prefixed by `prefix.`, or null
 * when there is none or the text could not be analysed.
 */
export function prefixFreeNames(src: string, prefix: string, keep: ReadonlySet<string>): string | null {
  const at = freeNamePositions(src, keep);
  if (at === null || at.length === 0) return null;
  let out = '';
  let last = 0;
  for (const p of at) {
    out += src.slice(last, p) + prefix + '.';
    last = p;
  }
  return out + src.slice(last);
}
