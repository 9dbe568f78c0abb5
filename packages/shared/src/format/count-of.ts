/** Plurals English adds more than an "s" to, for the nouns the product counts. */
const IRREGULAR: Readonly<Record<string, string>> = {
  process: 'processes',
  entry: 'entries',
  address: 'addresses',
  child: 'children',
};

/** The plural of `noun`: the irregular ones known here, "-es" after s/x/z/ch/sh, else "-s". */
export function pluralOf(noun: string): string {
  const irregular = IRREGULAR[noun];
  if (irregular) return irregular;
  return /(s|x|z|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

/**
 * "1 image", "3 images", "0 images": a count with its noun agreeing. `plural` overrides the
 * derived form (and may carry a verb, as in countOf(n, 'image goes', 'images go')).
 */
export function countOf(n: number, singular: string, plural?: string): string {
  return `${n} ${n === 1 ? singular : (plural ?? pluralOf(singular))}`;
}
