/**
 * One line of CSV as Go's encoding/csv reads it (Docker parses `--mount` that way): fields split
 * on commas; a field that starts with `"` is quoted, may hold commas, and writes a quote as `""`.
 * A quote anywhere else is refused, as Go does without LazyQuotes.
 */
export function splitCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      let value = '';
      let index = at + 1;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote < 0) throw new Error(`extraneous or missing " in quoted-field at column ${at + 1}`);
        value += text.slice(index, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          index = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      if (at < text.length && text[at] !== ',') {
        throw new Error(`extraneous or missing " in quoted-field at column ${at + 1}`);
      }
      fields.push(value);
    } else {
      const comma = text.indexOf(',', at);
      const value = text.slice(at, comma < 0 ? text.length : comma);
      const bare = value.indexOf('"');
      if (bare >= 0) throw new Error(`bare " in non-quoted-field at column ${at + bare + 1}`);
      fields.push(value);
      at = comma < 0 ? text.length : comma;
    }
    if (at >= text.length) return fields;
    at++; // the comma
  }
}
