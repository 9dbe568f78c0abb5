import { StevedoreError } from '@stevedore/shared/errors';

export const refusedEntry = (entry: string, why: string) =>
  new StevedoreError('INVALID_ARGUMENT', `layer entry "${entry}" refused: ${why}`, { entry });

/**
 * A tar entry name as path components inside the layer. Leading `/` and `./` are dropped (Docker
 * treats names as relative to the layer root); `..` components are refused outright.
 */
export function entryComponents(name: string): string[] {
  const components = name.split('/').filter((part) => part !== '' && part !== '.');
  if (components.some((part) => part === '..')) throw refusedEntry(name, 'its path contains ".."');
  if (name.includes('\0')) throw refusedEntry(name, 'its path contains a NUL byte');
  return components;
}
