/**
 * Splits a command typed in the form into words the way a POSIX shell would (quotes and
 * backslashes; no expansion), so `sh -c "echo hi"` is the three words the CLI would send.
 */
export function splitShellWords(text: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string))
        current += text[++i];
      else current += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\' && i + 1 < text.length) current += text[++i];
    else current += ch;
  }
  if (quote) return { error: `unclosed ${quote === '"' ? 'double' : 'single'} quote` };
  if (inWord) words.push(current);
  return { words };
}
