import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerCreateSchema } from '@stevedore/shared';
import { applyImageConfig, processArgs, processEnv } from './image-defaults.js';

const ID = 'a'.repeat(64);
const image = {
  Entrypoint: ['/entry'],
  Cmd: ['serve'],
  Env: ['PATH=/img/bin', 'MODE=prod'],
  WorkingDir: '/app',
  User: 'app',
  Labels: { a: '1' },
};
const create = (config: Record<string, unknown>) =>
  ContainerCreateSchema.parse({ Config: { Image: 'x', ...config } });

test('the image supplies entrypoint, cmd, env, workdir, user and labels the container leaves out', () => {
  const config = applyImageConfig(create({ Env: ['MODE=dev'], Labels: { b: '2' } }), image, ID);
  assert.deepEqual(processArgs(config), ['/entry', 'serve']);
  assert.deepEqual(config.Env, ['MODE=dev', 'PATH=/img/bin']);
  assert.equal(config.WorkingDir, '/app');
  assert.equal(config.User, 'app');
  assert.deepEqual(config.Labels, { a: '1', b: '2' });
  assert.equal(config.Hostname, ID.slice(0, 12));
});

test('a command replaces Cmd only; an entrypoint replaces both; an empty entrypoint keeps the image Cmd', () => {
  assert.deepEqual(processArgs(applyImageConfig(create({ Cmd: ['other'] }), image, ID)), ['/entry', 'other']);
  assert.deepEqual(processArgs(applyImageConfig(create({ Entrypoint: ['sh'] }), image, ID)), ['sh']);
  assert.deepEqual(processArgs(applyImageConfig(create({ Entrypoint: [] }), image, ID)), ['serve']);
});

test('the process environment adds PATH, HOSTNAME, HOME (and TERM for a tty) unless given', () => {
  const config = applyImageConfig(create({ Tty: true, Env: ['HOME=/custom', 'NOVALUE'] }), {}, ID);
  const env = processEnv(config, 'host1', '/root');
  assert.ok(env.includes('HOSTNAME=host1'));
  assert.ok(env.includes('TERM=xterm'));
  assert.ok(env.includes('HOME=/custom'));
  assert.ok(!env.includes('HOME=/root'));
  assert.ok(env.some((e) => e.startsWith('PATH=')));
  assert.ok(!env.includes('NOVALUE'), 'entries without a value are dropped');
});

test("the image's HEALTHCHECK applies unless the container has its own; --health-* fields left at 0 keep the image's", () => {
  const healthcheck = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 10e9, Retries: 5 };
  assert.deepEqual(applyImageConfig(create({}), { Healthcheck: healthcheck }, ID).Healthcheck, healthcheck);
  assert.equal(applyImageConfig(create({}), image, ID).Healthcheck, undefined);
  const merged = applyImageConfig(
    create({ Healthcheck: { Test: [], Interval: 2e9 } }),
    { Healthcheck: healthcheck },
    ID,
  );
  assert.deepEqual(merged.Healthcheck, { ...healthcheck, Interval: 2e9 });
  const disabled = applyImageConfig(
    create({ Healthcheck: { Test: ['NONE'] } }),
    { Healthcheck: healthcheck },
    ID,
  );
  assert.deepEqual(disabled.Healthcheck?.Test, ['NONE']);
});
