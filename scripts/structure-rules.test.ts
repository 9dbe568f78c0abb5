import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findLayerViolations, formatProblems } from './structure-rules.mjs';

test('an import into the same floor or a higher one is a violation; into a lower floor or its own folder is not', () => {
  const graph = {
    'config/load-config.ts': ['config/host-address.ts', 'api/host-address.ts', 'util/exec.ts'],
    'storage/overlay2/diff-archive.ts': ['storage/id-map.ts', 'runtime/userns/id-map.ts'],
    'events/events-service.ts': ['util/time-bound.ts', 'config/paths.ts'],
    'host/host-resources.ts': ['host/host-facts.ts', 'network/links.ts'],
    'runtime/containers/mounts.ts': ['storage/confined/resolve-in-root.ts', 'images/image-store.ts'],
    'images/pull.ts': ['network/ipam.ts', 'host/arch.ts'],
    'api/server.ts': ['runtime/x.ts', 'cli/main.ts'],
    'main.ts': ['api/server.ts', 'config/load-config.ts'],
    'util/exec.ts': [],
  };
  assert.deepEqual(findLayerViolations(graph), [
    { from: 'api/server.ts', to: 'cli/main.ts' },
    { from: 'config/load-config.ts', to: 'api/host-address.ts' },
    { from: 'events/events-service.ts', to: 'config/paths.ts' },
    { from: 'host/host-resources.ts', to: 'network/links.ts' },
    { from: 'images/pull.ts', to: 'network/ipam.ts' },
    { from: 'storage/overlay2/diff-archive.ts', to: 'runtime/userns/id-map.ts' },
  ]);
  assert.deepEqual(findLayerViolations({ 'util/a.ts': ['util/b.ts'], 'cli/x.ts': ['runtime/y.ts'] }), []);
});

test('a folder on no floor is reported, whether it imports or is imported', () => {
  assert.deepEqual(
    findLayerViolations({ 'newthing/a.ts': ['util/b.ts'], 'runtime/c.ts': ['newthing/a.ts'] }),
    [
      { from: 'newthing/a.ts', to: 'util/b.ts' },
      { from: 'runtime/c.ts', to: 'newthing/a.ts' },
    ],
  );
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
  assert.match(lines[2] ?? '', /1 import against the floor order/);
  assert.equal(lines[3], '  util/a.ts -> api/b.ts');
});
