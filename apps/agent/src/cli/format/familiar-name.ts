import { familiarImageName, parseImageReference } from '@stevedore/shared';

/** `docker.io/library/busybox:latest` → `busybox:latest`, as Docker prints names; IDs pass through. */
export function familiar(name: string): string {
  try {
    return familiarImageName(parseImageReference(name));
  } catch {
    return name;
  }
}
