import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '@stevedore/shared';
import { formatValue } from '../format/template-output.js';
import { dockerEventView } from './events.js';

const event = (type: EngineEvent['Type'], attributes: Record<string, string>): EngineEvent => ({
  Type: type,
  Action: 'start',
  Actor: { ID: 'abc123', Attributes: attributes },
  scope: 'local',
  time: 1764979200,
  timeNano: '1764979200123456789',
});

test('events --format: Docker’s status/id/from on container events, timeNano an exact number', () => {
  const line = formatValue(
    '{{json .}}',
    dockerEventView(event('container', { image: 'busybox', name: 'web' })),
  );
  assert.equal(
    line,
    '{"status":"start","id":"abc123","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"abc123","Attributes":{"image":"busybox","name":"web"}},"scope":"local","time":1764979200,"timeNano":1764979200123456789}',
  );
  assert.equal(
    formatValue(
      '{{.status}} {{.from}} {{.timeNano}}',
      dockerEventView(event('container', { image: 'busybox' })),
    ),
    'start busybox 1764979200123456789',
  );
  const network = JSON.parse(formatValue('{{json .}}', dockerEventView(event('network', {}))));
  assert.equal('status' in network, false, 'no legacy fields outside container and image events');
  const image = JSON.parse(formatValue('{{json .}}', dockerEventView(event('image', { name: 'busybox' }))));
  assert.equal(image.status, 'start');
  assert.equal('from' in image, false);
});
