import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLabelText } from './label-text';
import { EMPTY_NETWORK_FORM, NetworkFormSchema, networkFormToCreate } from './network-form';
import { VolumeFormSchema, volumeFormToCreate } from './volume-form';

const fieldErrors = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => Object.fromEntries((result.error?.issues ?? []).map((issue) => [String(issue.path[0]), issue.message]));

describe('label text', () => {
  test('one KEY=VALUE per line; values keep "=" and commas; a bare key is an empty value', () => {
    assert.deepEqual(parseLabelText('tier=web\n\n owner = a=b,c \nflag'), {
      labels: { tier: 'web', owner: 'a=b,c', flag: '' },
    });
  });
  test('says which line is wrong', () => {
    assert.deepEqual(parseLabelText('a=1\n=x'), { error: 'line 2: a label needs a key before "="' });
    assert.match((parseLabelText('my key=1') as { error: string }).error, /line 1: .*spaces/);
    assert.match((parseLabelText('a=1\na=2') as { error: string }).error, /line 2: .*twice/);
  });
});

describe('network form', () => {
  test('a bad CIDR is reported on the subnet field', () => {
    const errors = fieldErrors(
      NetworkFormSchema.safeParse({ ...EMPTY_NETWORK_FORM, Name: 'n1', Subnet: '10.1.0.0/33' }),
    );
    assert.match(errors.Subnet ?? '', /IPv4 subnet/);
    assert.equal(errors.Name, undefined);
  });
  test('a gateway outside the subnet is reported on the gateway field', () => {
    const errors = fieldErrors(
      NetworkFormSchema.safeParse({
        ...EMPTY_NETWORK_FORM,
        Name: 'n1',
        Subnet: '10.9.0.0/24',
        Gateway: '10.8.0.1',
      }),
    );
    assert.match(errors.Gateway ?? '', /not a host address of subnet 10\.9\.0\.0\/24/);
  });
  test('reserved names and bad labels are refused with their own messages', () => {
    const errors = fieldErrors(
      NetworkFormSchema.safeParse({ ...EMPTY_NETWORK_FORM, Name: 'bridge', Labels: '=x' }),
    );
    assert.match(errors.Name ?? '', /reserved/);
    assert.match(errors.Labels ?? '', /line 1/);
  });
  test('valid values become the agent’s create input, empty fields left out', () => {
    const values = {
      Name: ' app-net ',
      Subnet: '10.9.0.0/24',
      Gateway: '',
      Internal: true,
      Labels: 'tier=web',
    };
    assert.equal(NetworkFormSchema.safeParse(values).success, true);
    assert.deepEqual(networkFormToCreate(values), {
      Name: 'app-net',
      Driver: 'bridge',
      Internal: true,
      Subnet: '10.9.0.0/24',
      Labels: { tier: 'web' },
    });
  });
});

describe('volume form', () => {
  test('an empty name asks the engine for a generated one', () => {
    assert.deepEqual(volumeFormToCreate({ Name: '', Labels: 'a=1' }), { Labels: { a: '1' } });
  });
  test('a bad name is reported on the name field', () => {
    const errors = fieldErrors(VolumeFormSchema.safeParse({ Name: '-bad', Labels: '' }));
    assert.match(errors.Name ?? '', /volume names/);
  });
});
