import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyChanges } from './commit-changes.js';

test('Dockerfile instructions change the committed config', () => {
  const config = applyChanges({ Env: ['A=1'], Cmd: ['sh'] }, [
    'CMD ["cat", "/f"]',
    'ENTRYPOINT /bin/run --flag',
    'ENV A=2 B="two words"',
    'LABEL tier=web',
    'EXPOSE 80 53/udp',
    'USER app',
    'WORKDIR /srv',
    'VOLUME /data',
    'STOPSIGNAL SIGINT',
  ]);
  assert.deepEqual(config.Cmd, ['cat', '/f']);
  assert.deepEqual(config.Entrypoint, ['/bin/sh', '-c', '/bin/run --flag']);
  assert.deepEqual(config.Env, ['A=2', 'B=two words']);
  assert.deepEqual(config.Labels, { tier: 'web' });
  assert.deepEqual(config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.equal(config.User, 'app');
  assert.equal(config.WorkingDir, '/srv');
  assert.deepEqual(config.Volumes, { '/data': {} });
  assert.equal(config.StopSignal, 'SIGINT');
});

test('unsupported or malformed changes are refused with what is allowed', () => {
  assert.throws(() => applyChanges({}, ['RUN make']), /RUN is not supported: use CMD, ENTRYPOINT/);
  assert.throws(() => applyChanges({}, ['CMD ["unterminated"']), /JSON array of strings/);
  assert.throws(() => applyChanges({}, ['WORKDIR relative']), /absolute path/);
  assert.throws(() => applyChanges({}, ['EXPOSE http']), /is not PORT\[\/PROTO\]/);
});
