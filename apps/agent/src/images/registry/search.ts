import type { SearchResult } from '@stevedore/shared';
import type { RegistryClient } from './client.js';

/**
 * `docker search [REGISTRY/]TERM`: Docker Hub's search API for docker.io; for other registries
 * their catalog, filtered by the term (the v2 API has no search of its own).
 */
export async function searchImages(
  registry: RegistryClient,
  query: string,
  limit: number,
): Promise<SearchResult[]> {
  const slash = query.indexOf('/');
  const first = slash > 0 ? query.slice(0, slash) : '';
  const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!isRegistry) {
    const results = await registry.hubSearch(query, limit);
    return results.map((r) => ({
      Name: r.name,
      Description: r.description,
      StarCount: r.star_count,
      IsOfficial: r.is_official,
    }));
  }
  const term = query.slice(slash + 1).toLowerCase();
  const repositories = await registry.catalog(first);
  return repositories
    .filter((repository) => repository.toLowerCase().includes(term))
    .slice(0, limit)
    .map((repository) => ({
      Name: `${first}/${repository}`,
      Description: '',
      StarCount: 0,
      IsOfficial: false,
    }));
}
