import { StevedoreError } from '../errors.js';
import type { LogSearchQuery } from './log-view.js';

/** ANSI escape sequences (colours, cursor moves): searched text is what the viewer shows. */
const ESC = '\u001b';
const BEL = '\u0007';
const ANSI = new RegExp(
  `${ESC}(?:\\[[0-?]*[ -/]*[@-~]|\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)|[@-Z\\\\-_])`,
  'g',
);

/** A line's text as shown, without its ANSI sequences. */
export function stripAnsi(text: string): string {
  return text.includes(ESC) ? text.replace(ANSI, '') : text;
}

export interface LogMatcher {
  /** Whether the shown text (ANSI stripped) holds a match. */
  test(shown: string): boolean;
  /** Where the matches are in the shown text, as [start, end) pairs, at most `max`. */
  ranges(shown: string, max?: number): Array<[number, number]>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * A search's matcher: plain text (case-insensitive unless asked) or a JavaScript regular
 * expression. The agent runs it off its event loop with a time limit; the browser uses it to
 * highlight matches in the lines on screen. An invalid expression is INVALID_ARGUMENT.
 */
export function compileLogSearch(query: LogSearchQuery): LogMatcher {
  const flags = query.caseSensitive ? '' : 'i';
  let source = query.text;
  if (!query.regex) {
    if (query.caseSensitive) {
      const needle = query.text;
      return {
        test: (shown) => shown.includes(needle),
        ranges: (shown, max = 1000) => {
          const found: Array<[number, number]> = [];
          for (let at = shown.indexOf(needle); at !== -1 && found.length < max; ) {
            found.push([at, at + needle.length]);
            at = shown.indexOf(needle, at + needle.length);
          }
          return found;
        },
      };
    }
    source = escapeRegExp(query.text);
  }
  let single: RegExp;
  let global: RegExp;
  try {
    single = new RegExp(source, flags);
    global = new RegExp(source, `${flags}g`);
  } catch (error) {
    throw new StevedoreError('INVALID_ARGUMENT', `invalid regular expression: ${(error as Error).message}`);
  }
  return {
    test: (shown) => single.test(shown),
    ranges: (shown, max = 1000) => {
      const found: Array<[number, number]> = [];
      global.lastIndex = 0;
      for (let match = global.exec(shown); match && found.length < max; match = global.exec(shown)) {
        if (match[0].length === 0) {
          // An empty match highlights nothing; step on so the loop ends.
          global.lastIndex++;
          continue;
        }
        found.push([match.index, match.index + match[0].length]);
      }
      return found;
    },
  };
}
