import { OperationalError } from '../errors.js';
import { expandEscapes, renderTemplate, TemplateError } from './go-template.js';

/** Renders `--format` for one value: `json` means `{{json .}}`, as in recent Docker releases. */
export function formatValue(format: string, value: unknown): string {
  const template = format === 'json' ? '{{json .}}' : expandEscapes(format);
  try {
    return renderTemplate(template, value);
  } catch (error) {
    if (error instanceof TemplateError) throw new OperationalError(error.message);
    throw error;
  }
}
