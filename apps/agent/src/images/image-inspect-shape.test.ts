import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerContainerConfig, dockerImageConfig, imageGraphDriverData } from './image-inspect-shape.js';

test('dockerImageConfig: every key Docker always prints, with its defaults, beside what the image sets', () => {
  assert.deepEqual(dockerImageConfig({ Env: ['PATH=/bin'], Cmd: ['sh'] }), {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: ['PATH=/bin'],
    Cmd: ['sh'],
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  });
});

test('dockerImageConfig keeps the optional keys only when the image sets them', () => {
  const config = dockerImageConfig({
    ExposedPorts: { '80/tcp': {} },
    StopSignal: 'SIGQUIT',
    Labels: { a: 'b' },
    WorkingDir: '/app',
  });
  assert.deepEqual(config?.ExposedPorts, { '80/tcp': {} });
  assert.equal(config?.StopSignal, 'SIGQUIT');
  assert.deepEqual(config?.Labels, { a: 'b' });
  assert.equal(config?.WorkingDir, '/app');
  assert.equal('Healthcheck' in (config ?? {}), false);
  assert.equal(dockerImageConfig(undefined)?.Cmd, null);
});

test('dockerContainerConfig reads the legacy container_config and falls back to the defaults', () => {
  const legacy = dockerContainerConfig({
    Hostname: 'abc123',
    Image: 'sha256:1',
    Cmd: ['/bin/sh', '-c', 'x'],
  });
  assert.equal(legacy?.Hostname, 'abc123');
  assert.equal(legacy?.Image, 'sha256:1');
  assert.deepEqual(legacy?.Cmd, ['/bin/sh', '-c', 'x']);
  assert.deepEqual(dockerContainerConfig(undefined), dockerImageConfig(undefined));
  assert.deepEqual(dockerContainerConfig({ Cmd: 'not a list' }), dockerImageConfig(undefined));
});

test("imageGraphDriverData: Docker's overlay2 dirs of the top layer, lower layers top-down", () => {
  assert.deepEqual(imageGraphDriverData(['/d/overlay2/a/diff']), {
    MergedDir: '/d/overlay2/a/merged',
    UpperDir: '/d/overlay2/a/diff',
    WorkDir: '/d/overlay2/a/work',
  });
  assert.deepEqual(imageGraphDriverData(['/d/overlay2/a/diff', '/d/overlay2/b/diff', '/d/overlay2/c/diff']), {
    LowerDir: '/d/overlay2/b/diff:/d/overlay2/a/diff',
    MergedDir: '/d/overlay2/c/merged',
    UpperDir: '/d/overlay2/c/diff',
    WorkDir: '/d/overlay2/c/work',
  });
  assert.deepEqual(imageGraphDriverData([]), {});
});
