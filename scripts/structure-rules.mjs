// The rules scripts/check-structure.mjs enforces, as pure functions over an import graph
// ({ file: [files it imports] }, paths relative to one source root, as madge gives them).

/**
 * The agent's floor: modules every layer may use, which must not reach up into a layer that
 * uses them (today: config, events, storage, util and host facts).
 */
export const AGENT_FLOORS = ['config', 'events', 'storage', 'util', 'host'];
/** The layers above the floor. */
export const AGENT_UPPER_LAYERS = ['api', 'runtime', 'system', 'network', 'images'];

/** The top folder of a path inside a source root ("storage/overlay2/x.ts" → "storage"), or null for a file at the root. */
function topFolder(path) {
  const slash = path.indexOf('/');
  return slash === -1 ? null : path.slice(0, slash);
}

/**
 * Imports from a floor folder into an upper layer, sorted: [{ from, to }]. Only edges between
 * files of the graph count (imports of packages or outside files are not the floor's concern).
 */
export function findFloorViolations(graph, floors = AGENT_FLOORS, upper = AGENT_UPPER_LAYERS) {
  const violations = [];
  for (const [from, imports] of Object.entries(graph)) {
    if (!floors.includes(topFolder(from))) continue;
    for (const to of imports) {
      if (upper.includes(topFolder(to))) violations.push({ from, to });
    }
  }
  return violations.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** The report of a check: one line per problem, under a heading per kind; empty when all is well. */
export function formatProblems({ root, cycles, violations }) {
  const lines = [];
  if (cycles.length > 0) {
    lines.push(
      `${root}: ${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} (a module must not import, even indirectly, one that imports it):`,
    );
    for (const cycle of cycles) lines.push(`  ${[...cycle, cycle[0]].join(' -> ')}`);
  }
  if (violations.length > 0) {
    lines.push(
      `${root}: ${violations.length} import${violations.length === 1 ? '' : 's'} from the floor (${AGENT_FLOORS.join(', ')}) into a layer above it (${AGENT_UPPER_LAYERS.join(', ')}):`,
    );
    for (const { from, to } of violations) lines.push(`  ${from} -> ${to}`);
  }
  return lines;
}
