import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'smol-toml';
import { editHostsToml, type HostsTomlSettings, mirrorCaFile } from './hosts-toml-edit.js';

const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const OTHER_PEM = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n';

const handWritten = [
  '# Managed by ops: do not remove the push entry.',
  'server = "https://registry.internal:5000"',
  'ca = "/etc/ssl/internal-ca.pem"',
  'override_path = false',
  '',
  '[host."https://push.internal:5000"]',
  'capabilities = ["push"]',
  '',
  '[host."https://mirror-a.internal/v2"]',
  'capabilities = ["pull", "resolve"]',
  'ca = "/etc/ssl/mirror-a.pem"',
  '[host."https://mirror-a.internal/v2".header]',
  'x-team = ["infra"]',
  '',
  '[host."https://mirror-b.internal"]',
  'capabilities = ["pull"]',
  'skip_verify = true',
  '',
].join('\n');

/** What the settings read from `handWritten` (the CA files' content stands for the paths). */
const asRead: HostsTomlSettings = {
  ca: PEM,
  skipVerify: false,
  mirrors: [
    { url: 'https://mirror-a.internal', ca: OTHER_PEM, skipVerify: false },
    { url: 'https://mirror-b.internal', ca: null, skipVerify: true },
  ],
};

/** Plain objects (the parser makes null-prototype ones), so deepEqual compares content. */
const tableOf = (text: string | null) =>
  JSON.parse(JSON.stringify(parse(text ?? ''))) as Record<string, unknown> & {
    host: Record<string, unknown>;
  };

describe('editHostsToml: a round-trip that changes only what the settings changed', () => {
  test('the same settings give back every key and table, in order, CA paths still paths', () => {
    const edit = editHostsToml(handWritten, asRead, asRead);
    assert.deepEqual(tableOf(edit.text), tableOf(handWritten));
    assert.deepEqual(Object.keys(tableOf(edit.text).host), [
      'https://push.internal:5000',
      'https://mirror-a.internal/v2',
      'https://mirror-b.internal',
    ]);
    assert.deepEqual(edit.registryCa, { action: 'keep' });
    assert.equal(edit.mirrorCaFiles.size, 0, 'no CA copied');
    assert.ok(edit.text?.startsWith('# Managed by ops'), 'the opening comment stays');
  });

  test('one mirror changed: the push-only entry, server, header and the other CA paths stay', () => {
    const edit = editHostsToml(handWritten, asRead, {
      ...asRead,
      mirrors: [asRead.mirrors[0]!, { url: 'https://mirror-c.internal', ca: null, skipVerify: false }],
    });
    const toml = tableOf(edit.text);
    assert.equal(toml.server, 'https://registry.internal:5000');
    assert.equal(toml.ca, '/etc/ssl/internal-ca.pem');
    assert.equal(toml.override_path, false);
    assert.deepEqual(Object.keys(toml.host), [
      'https://push.internal:5000',
      'https://mirror-a.internal/v2',
      'https://mirror-c.internal',
    ]);
    assert.deepEqual(toml.host['https://push.internal:5000'], { capabilities: ['push'] });
    assert.deepEqual(toml.host['https://mirror-a.internal/v2'], {
      capabilities: ['pull', 'resolve'],
      ca: '/etc/ssl/mirror-a.pem',
      header: { 'x-team': ['infra'] },
    });
    assert.deepEqual(toml.host['https://mirror-c.internal'], { capabilities: ['pull', 'resolve'] });
    assert.deepEqual([...edit.referenced].sort(), ['/etc/ssl/internal-ca.pem', '/etc/ssl/mirror-a.pem']);
  });

  test('mirrors reordered keep their own tables; a new CA for one is written to a Stevedore file', () => {
    const edit = editHostsToml(handWritten, asRead, {
      ...asRead,
      mirrors: [{ url: 'https://mirror-b.internal', ca: PEM, skipVerify: true }, asRead.mirrors[0]!],
    });
    const toml = tableOf(edit.text);
    assert.deepEqual(Object.keys(toml.host), [
      'https://push.internal:5000',
      'https://mirror-b.internal',
      'https://mirror-a.internal/v2',
    ]);
    const file = mirrorCaFile('https://mirror-b.internal');
    assert.deepEqual(toml.host['https://mirror-b.internal'], {
      capabilities: ['pull'],
      skip_verify: true,
      ca: file,
    });
    assert.deepEqual([...edit.mirrorCaFiles], [[file, PEM]]);
  });

  test("the registry's CA: kept when unchanged, replaced by ca.crt when changed, dropped when cleared", () => {
    const changed = editHostsToml(handWritten, asRead, { ...asRead, ca: OTHER_PEM });
    assert.equal(tableOf(changed.text).ca, undefined);
    assert.deepEqual(changed.registryCa, { action: 'write', pem: OTHER_PEM });
    const cleared = editHostsToml(handWritten, asRead, { ...asRead, ca: null });
    assert.equal(tableOf(cleared.text).ca, undefined);
    assert.deepEqual(cleared.registryCa, { action: 'remove' });
    const sameWithOtherNewline = editHostsToml(handWritten, asRead, { ...asRead, ca: PEM.trim() });
    assert.deepEqual(sameWithOtherNewline.registryCa, { action: 'keep' });
  });

  test('skip_verify at the top is set and removed; all mirrors removed leaves the other entries', () => {
    const edit = editHostsToml(handWritten, asRead, { ...asRead, skipVerify: true, mirrors: [] });
    const toml = tableOf(edit.text);
    assert.equal(toml.skip_verify, true);
    assert.deepEqual(Object.keys(toml.host), ['https://push.internal:5000']);
    const back = editHostsToml(
      edit.text,
      { ...asRead, skipVerify: true, mirrors: [] },
      { ...asRead, mirrors: [] },
    );
    assert.equal(tableOf(back.text).skip_verify, undefined);
  });

  test('no file yet: a new one with a header; nothing left: no file', () => {
    const empty: HostsTomlSettings = { ca: null, skipVerify: false, mirrors: [] };
    const created = editHostsToml(null, empty, {
      ...empty,
      mirrors: [{ url: 'http://127.0.0.1:5001/', ca: null, skipVerify: false }],
    });
    assert.match(created.text ?? '', /^# Written by Stevedore/);
    assert.deepEqual(tableOf(created.text), {
      host: { 'http://127.0.0.1:5001': { capabilities: ['pull', 'resolve'] } },
    });
    const removed = editHostsToml(
      created.text,
      { ...empty, mirrors: [{ url: 'http://127.0.0.1:5001', ca: null, skipVerify: false }] },
      empty,
    );
    assert.equal(removed.text, null);
  });
});
