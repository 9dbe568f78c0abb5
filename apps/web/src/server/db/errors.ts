import { StevedoreError } from '@stevedore/shared';

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;

/** Turns Prisma's unique-violation and missing-row errors into domain errors naming the entity. */
export async function mapDbErrors<T>(entity: string, key: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (codeOf(error) === 'P2002') {
      throw new StevedoreError(
        'ALREADY_EXISTS',
        `${entity} "${key}" already exists`,
        { entity, key },
        { cause: error },
      );
    }
    if (codeOf(error) === 'P2025') {
      throw new StevedoreError(
        'NOT_FOUND',
        `${entity} "${key}" not found`,
        { entity, key },
        { cause: error },
      );
    }
    throw error;
  }
}
