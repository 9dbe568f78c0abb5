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

/**
 * Runs a subscription's output step; a throw (a template that fails on a value) ends the
 * subscription and the command with that error, instead of escaping the callback as a crash.
 */
export function stopOnThrow(
  subscription: { unsubscribe(): void } | undefined,
  fail: (error: unknown) => void,
  step: () => void,
): void {
  try {
    step();
  } catch (error) {
    // Failed first: unsubscribing completes the subscription, which would settle the command as done.
    fail(error);
    subscription?.unsubscribe();
  }
}
