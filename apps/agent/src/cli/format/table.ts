import { OperationalError } from '../errors.js';
import { expandEscapes, renderTemplate, TemplateError } from './go-template.js';
import { formatValue } from './template-output.js';

/** Go's tabwriter as Docker's formatter sets it up: columns at least 10 wide, 3 spaces of padding. */
const MIN_COLUMN_WIDTH = 10;
const PADDING = 3;

/** A list command's columns: the header of each field its rows offer, and its default `table` template. */
export interface ListColumns {
  headers: Readonly<Record<string, string>>;
  /** e.g. `{{.ID}}\t{{.Image}}`: what `--format table` (and no --format) prints. */
  table: string;
}

/**
 * The lines a list command prints for `--format`: none or `table …` a header row and aligned
 * columns (Docker's tables), otherwise (`json`, a template) one rendering per row, as is.
 */
export function listLines(
  format: string | undefined,
  rows: readonly object[],
  columns: ListColumns,
): string[] {
  const chosen = format ?? 'table';
  if (!chosen.startsWith('table')) return rows.map((row) => formatValue(chosen, row));
  const body = expandEscapes(chosen.slice('table'.length).trim()) || columns.table;
  const rendered = rows.map((row) => render(body, row, false));
  const header = render(body, headerRow(columns.headers, rows[0]), true);
  return alignColumns([header, ...rendered].flatMap((text) => text.split('\n')));
}

/**
 * Aligns tab-separated cells into columns as Go's tabwriter does for Docker: a cell followed by a
 * tab is padded to its column's width (longest cell + 3, at least 10); the last cell is not.
 */
export function alignColumns(lines: readonly string[], minWidth = MIN_COLUMN_WIDTH): string[] {
  const rows = lines.map((line) => line.split('\t'));
  const widths: number[] = [];
  for (const cells of rows) {
    cells.slice(0, -1).forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? minWidth, width(cell) + PADDING);
    });
  }
  return rows.map((cells) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] as number) - width(cell)),
      )
      .join('')
      .trimEnd(),
  );
}

/** Docker's LABELS column: `k=v` pairs joined by commas (sorted: Go's map order is random). */
export const labelsText = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

/** Display width in characters (not UTF-16 units: `…` and the like count once). */
const width = (text: string) => [...text].length;

/** The header's stand-in for a row: each field's header, or one made from its name (`CreatedAt` → `CREATED AT`). */
function headerRow(
  headers: Readonly<Record<string, string>>,
  sample: object | undefined,
): Record<string, string> {
  const fields = new Set([...Object.keys(headers), ...Object.keys(sample ?? {})]);
  return Object.fromEntries(
    [...fields].map((field) => [
      field,
      headers[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase(),
    ]),
  );
}

function render(template: string, data: unknown, header: boolean): string {
  try {
    return renderTemplate(template, data, { header });
  } catch (error) {
    if (error instanceof TemplateError) throw new OperationalError(error.message);
    throw error;
  }
}
