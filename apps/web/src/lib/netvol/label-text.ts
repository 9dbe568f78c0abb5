/**
 * Engine labels typed one per line as KEY=VALUE (a bare KEY means an empty value), as `--label`
 * takes them. Values may hold commas and "=", so only new lines separate labels.
 */
export function parseLabelText(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    const value = at < 0 ? '' : line.slice(at + 1).trim();
    if (key === '') return { error: `line ${index + 1}: a label needs a key before "="` };
    if (/\s/.test(key)) return { error: `line ${index + 1}: the key "${key}" has spaces in it` };
    if (key in labels) return { error: `line ${index + 1}: the key "${key}" is there twice` };
    labels[key] = value;
  }
  return { labels };
}

export const formatLabelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
