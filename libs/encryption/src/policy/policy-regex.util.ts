/**
 * Admin regular expressions are compiled case-insensitively, since record number prefixes are
 * typed in any case, and in Unicode mode, which refuses the sloppy escapes that hide typos.
 */
export const POLICY_REGEX_FLAGS = 'iu';

/** Longer sources are refused: a record number pattern has no need of more. */
export const MAX_POLICY_REGEX_LENGTH = 200;

export type PolicyRegexCheck =
  | { ok: true; regex: RegExp }
  | { ok: false; problem: 'syntax' | 'nested-quantifier' | 'matches-empty' };

/**
 * Compiles an admin pattern and refuses the ones that are broken, that can backtrack for
 * exponential time, or that match an empty text and so would flag every message.
 */
export function checkPolicyRegex(source: string): PolicyRegexCheck {
  let regex: RegExp;
  try {
    regex = new RegExp(source, POLICY_REGEX_FLAGS);
  } catch {
    return { ok: false, problem: 'syntax' };
  }

  if (hasNestedQuantifier(source)) {
    return { ok: false, problem: 'nested-quantifier' };
  }

  if (regex.test('')) {
    return { ok: false, problem: 'matches-empty' };
  }
  return { ok: true, regex };
}

interface GroupFrame {
  repeats: boolean;
}

/**
 * Finds a repeated group that itself contains a repetition, like `(a+)+` or `(\d*,?){2,}`:
 * the shape behind most catastrophic backtracking. JavaScript cannot interrupt a running
 * regular expression, so such patterns are refused up front. Overlapping alternatives like
 * `(a|a)*` are not caught; the scan limit of the detectors bounds the damage they can do.
 * Expects a source that already compiled.
 */
export function hasNestedQuantifier(source: string): boolean {
  const stack: GroupFrame[] = [{ repeats: false }];
  let i = 0;

  while (i < source.length) {
    const char = source[i];
    if (char === '(') {
      stack.push({ repeats: false });
      // The `?` of `(?:`, `(?=` or `(?<name>` opens a group kind, it repeats nothing.
      i += source[i + 1] === '?' ? 2 : 1;
      continue;
    }

    const group = char === ')' && stack.length > 1 ? stack.pop() : undefined;
    const quantifier = readQuantifier(source, atomEnd(source, i));
    if (group?.repeats && quantifier.repeats) {
      return true;
    }

    const frame = stack[stack.length - 1];
    if (frame && (group?.repeats || quantifier.repeats)) {
      frame.repeats = true;
    }
    i = quantifier.end;
  }
  return false;
}

/** Where the atom at `start` ends: an escape, a character class, or one character. */
function atomEnd(source: string, start: number): number {
  if (source[start] === '[') {
    return skipCharacterClass(source, start);
  }

  if (source[start] === '\\') {
    // `\p{L}`, `\P{...}` and `\u{...}` carry braces that are not a quantifier.
    const braced = /^\\[pPu]\{[^}]*\}/.exec(source.slice(start, start + 64));
    return start + (braced ? braced[0].length : 2);
  }
  return start + 1;
}

function skipCharacterClass(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== ']') {
    i += source[i] === '\\' ? 2 : 1;
  }
  return i + 1;
}

// `?` and `{n}` repeat nothing; `{n,m}` with m > 1, `{n,}`, `*` and `+` do.
function readQuantifier(source: string, start: number): { repeats: boolean; end: number } {
  const char = source[start];
  if (char === '*' || char === '+' || char === '?') {
    const lazy = source[start + 1] === '?' ? 1 : 0;
    return { repeats: char !== '?', end: start + 1 + lazy };
  }

  if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(start));
    if (match) {
      const [text, , comma, max] = match;
      const repeats = comma !== undefined && (max === '' || Number(max) > 1);
      return { repeats, end: start + text.length };
    }
  }
  return { repeats: false, end: start };
}
