import { z } from 'zod';
import { labelMatches } from '../list-filters.js';

/**
 * A label selector across hosts: terms separated by commas, all of which must hold. A term is
 * `key` (the label is present) or `key=value` (it has that value), as the containers list's label
 * filter takes them, or `key!=value` (absent, or another value).
 */
export interface LabelTerm {
  key: string;
  op: 'present' | 'equals' | 'differs';
  value: string;
}

export function parseLabelSelector(text: string): LabelTerm[] {
  const terms: LabelTerm[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const differs = term.indexOf('!=');
    const equals = term.indexOf('=');
    const at = differs >= 0 && differs < equals ? differs : equals;
    const key = (at < 0 ? term : term.slice(0, at)).trim();
    if (!key || /[\s!]/.test(key)) {
      throw new RangeError(
        `invalid label selector term "${term}": use key, key=value or key!=value (terms separated by commas)`,
      );
    }
    if (at < 0) terms.push({ key, op: 'present', value: '' });
    else if (at === differs) terms.push({ key, op: 'differs', value: term.slice(at + 2).trim() });
    else terms.push({ key, op: 'equals', value: term.slice(at + 1).trim() });
  }
  if (terms.length === 0) throw new RangeError('a label selector needs at least one term (e.g. tier=web)');
  return terms;
}

/** True when every term holds for these labels. */
export function selectorMatches(
  labels: Readonly<Record<string, string>>,
  terms: readonly LabelTerm[],
): boolean {
  return terms.every((term) => {
    if (term.op === 'differs') return labels[term.key] !== term.value;
    return labelMatches(labels, term.op === 'present' ? term.key : `${term.key}=${term.value}`);
  });
}

/** A selector as typed ("tier=web, canary, env!=prod"), checked to parse. */
export const LabelSelectorSchema = z
  .string()
  .trim()
  .min(1, { message: 'a label selector needs at least one term (e.g. tier=web)' })
  .max(1024)
  .superRefine((text, ctx) => {
    try {
      parseLabelSelector(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
