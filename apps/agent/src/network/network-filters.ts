import {
  booleanFilter,
  groupFilters,
  labelMatches,
  matchesFilters,
  type NetworkInspect,
} from '@stevedore/shared';

/** The networks every agent has; `type=builtin` selects them. */
const BUILTIN = new Set(['bridge', 'host', 'none']);

/**
 * `docker network ls --filter`: dangling=true|false (a user network no container is on),
 * driver=, id= (a prefix), label=KEY[=VALUE], name= (a part of it), scope=local, type=builtin|custom.
 */
export function networkFilter(filters: readonly string[]): (network: NetworkInspect) => boolean {
  const grouped = groupFilters(filters);
  return (network) =>
    matchesFilters(grouped, (key, value) => {
      const builtin = BUILTIN.has(network.Name);
      switch (key) {
        case 'dangling':
          return booleanFilter(key, value) === (!builtin && Object.keys(network.Containers).length === 0);
        case 'driver':
          return network.Driver === value;
        case 'id':
          return network.Id.startsWith(value);
        case 'label':
          return labelMatches(network.Labels, value);
        case 'name':
          return network.Name.includes(value);
        case 'scope':
          return network.Scope === value;
        case 'type':
          return (value === 'builtin') === builtin;
        default:
          return true;
      }
    });
}
