import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SystemInfo, Version } from '@stevedore/shared';
import { infoView, versionView } from './docker-view.js';
import { renderTemplate } from './go-template.js';

const client = {
  Version: '1',
  ApiVersion: '1',
  NodeVersion: 'v20',
  GitCommit: 'abc',
  Os: 'linux',
  Arch: 'amd64',
};
const server = { ...client, KernelVersion: '6' } as Version;

test("version: Go's APIVersion works in templates while JSON keeps ApiVersion", () => {
  const view = versionView(client, server);
  assert.equal(renderTemplate('{{.Server.APIVersion}} {{.Client.APIVersion}}', view), '1 1');
  const json = JSON.parse(renderTemplate('{{json .}}', view)) as { Client: object; Server: object };
  assert.equal('APIVersion' in json.Server, false);
  assert.equal((json.Client as { Context: string }).Context, 'default');
  assert.deepEqual((json.Client as { Platform: object }).Platform, { Name: 'Stevedore' });
});

test('info: Warnings null when there are none, listed when there are; ClientInfo added', () => {
  const quiet = infoView({ Warnings: [] } as unknown as SystemInfo);
  assert.equal(quiet.Warnings, null);
  assert.deepEqual(quiet.ClientInfo, { Debug: false, Context: 'default', Plugins: [], Warnings: null });
  assert.deepEqual(infoView({ Warnings: ['WARNING: x'] } as unknown as SystemInfo).Warnings, ['WARNING: x']);
});
