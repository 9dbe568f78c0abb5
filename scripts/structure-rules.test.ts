import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findFloorViolations, formatProblems } from './structure-rules.mjs';

test('an import from a floor folder into a layer above it is a violation; the other way round is not', () => {
  const graph = {
    'config/load-config.ts': ['config/host-address.ts', 'api/host-address.ts'],
    'storage/overlay2/diff-archive.ts': ['storage/id-map.ts', 'runtime/userns/id-map.ts'],
    'events/events-service.ts': ['util/time-bound.ts'],
    'host/host-resources.ts': ['host/host-facts.ts', 'network/links.ts'],
    'runtime/containers/mounts.ts': ['storage/confined/resolve-in-root.ts', 'images/image-store.ts'],
    'main.ts': ['api/server.ts', 'config/load-config.ts'],
    'util/exec.ts': [],
  };
  assert.deepEqual(findFloorViolations(graph), [
    { from: 'config/load-config.ts', to: 'api/host-address.ts' },
    { from: 'host/host-resources.ts', to: 'network/links.ts' },
    { from: 'storage/overlay2/diff-archive.ts', to: 'runtime/userns/id-map.ts' },
  ]);
  assert.deepEqual(findFloorViolations({ 'util/a.ts': ['util/b.ts'], 'cli/x.ts': ['runtime/y.ts'] }), []);
});

test('the report names each cycle as a loop and each violation as an edge; nothing to report is no lines', () => {
  assert.deepEqual(formatProblems({ root: 'apps/agent/src', cycles: [], violations: [] }), []);
  const lines = formatProblems({
    root: 'apps/agent/src',
    cycles: [['images/image-service.ts', 'runtime/containers/container-service.ts']],
    violations: [{ from: 'util/a.ts', to: 'api/b.ts' }],
  });
  assert.match(lines[0] ?? '', /^apps\/agent\/src: 1 import cycle /);
  assert.equal(
    lines[1],
    '  images/image-service.ts -> runtime/containers/container-service.ts -> images/image-service.ts',
  );
  assert.match(lines[2] ?? '', /1 import from the floor/);
  assert.equal(lines[3], '  util/a.ts -> api/b.ts');
});
