// The rules scripts/check-structure.mjs enforces, as pure functions over an import graph
// ({ file: [files it imports] }, paths relative to one source root, as madge gives them).

/**
 * The agent's floors, bottom first (docs/ARCHITECTURE.md): a folder imports only from its own
 * folder and from folders on a lower floor, so nothing low reaches up into what uses it.
 */
export const AGENT_LAYERS = [
  ['util'],
  ['host'],
  ['config', 'events', 'storage', 'auth'],
  ['images', 'volumes', 'network'],
  ['runtime'],
  ['system'],
  ['api'],
  ['cli'],
];

/** The top folder of a path inside a source root ("storage/overlay2/x.ts" → "storage"), or null for a file at the root. */
function topFolder(path) {
  const slash = path.indexOf('/');
  return slash === -1 ? null : path.slice(0, slash);
}

/**
 * Imports that break the floor order, sorted: [{ from, to }]. Files at the root (main.ts, the
 * composition root) may import anything; a folder on no floor is reported, so a new folder gets
 * a place in the order before it is used.
 */
export function findLayerViolations(graph, layers = AGENT_LAYERS) {
  const floorOf = new Map(layers.flatMap((folders, floor) => folders.map((folder) => [folder, floor])));
  const violations = [];
  for (const [from, imports] of Object.entries(graph)) {
    const source = topFolder(from);
    if (source === null) continue;
    for (const to of imports) {
      const target = topFolder(to);
      if (target === source) continue;
      const sourceFloor = floorOf.get(source);
      const targetFloor = target === null ? undefined : floorOf.get(target);
      if (sourceFloor === undefined || targetFloor === undefined || targetFloor >= sourceFloor) {
        violations.push({ from, to });
      }
    }
  }
  return violations.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

const describeLayers = (layers) => layers.map((folders) => folders.join(', ')).join(' < ');

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
      `${root}: ${violations.length} import${violations.length === 1 ? '' : 's'} against the floor order (a folder imports only from lower floors: ${describeLayers(AGENT_LAYERS)}; a new folder needs a place in AGENT_LAYERS):`,
    );
    for (const { from, to } of violations) lines.push(`  ${from} -> ${to}`);
  }
  return lines;
}
