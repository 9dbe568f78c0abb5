import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRPCClientError } from '@trpc/client';
import { flagDisplayName } from '../util/argv.js';
import { describeMissingOrError, describePullError, FlagValueError, OperationalError } from './errors.js';

/** An error as the agent's client gives it: the message, the StevedoreError code and context. */
const agentError = (message: string, stevedoreCode: string, context: Record<string, unknown> | null) =>
  TRPCClientError.from({
    error: { message, code: -32004, data: { stevedoreCode, context } },
  });

test("a missing volume or network is worded as Docker's client words a lookup", () => {
  assert.equal(
    describeMissingOrError(agentError('get x: no such volume', 'NOT_FOUND', { volume: 'x' })),
    'Error: No such volume: x',
  );
  assert.equal(
    describeMissingOrError(agentError('network n not found', 'NOT_FOUND', { network: 'n' })),
    'Error: No such network: n',
  );
  assert.equal(
    describeMissingOrError(agentError('No such container: c', 'NOT_FOUND', { container: 'c' })),
    'Error: No such container: c',
  );
});

test("other failures keep the daemon's words", () => {
  assert.equal(
    describeMissingOrError(agentError('volume x is in use', 'CONFLICT', { volume: 'x' })),
    'Error response from daemon: volume x is in use',
  );
  assert.equal(
    describeMissingOrError(agentError('image gone', 'NOT_FOUND', null)),
    'Error response from daemon: image gone',
  );
});

test("a manifest the registry does not have is Docker's 'manifest for … not found'; other pull failures as they are", () => {
  const missing = agentError('manifest unknown: 127.0.0.1:5000/a manifests/v1', 'NOT_FOUND', {
    registry: 'http://127.0.0.1:5000',
    repository: 'a',
    path: 'manifests/v1',
    status: 404,
  });
  assert.equal(
    describePullError(missing, '127.0.0.1:5000/a:v1'),
    'Error response from daemon: manifest for 127.0.0.1:5000/a:v1 not found: manifest unknown: manifest unknown',
  );
  const blob = agentError('blob unknown: x', 'NOT_FOUND', { path: 'blobs/sha256:1' });
  assert.equal(describePullError(blob, 'a:v1'), 'Error response from daemon: blob unknown: x');
});

test('a flag value error names the short and long form and ends with the help line', () => {
  const error = new FlagValueError('memory', 'lots', 'invalid size "lots"');
  assert.ok(error instanceof OperationalError);
  assert.equal(error.exitCode, 125);
  assert.equal(
    error.describe(flagDisplayName({ name: 'memory', short: 'm' }), 'stevedore run'),
    `invalid argument "lots" for "-m, --memory" flag: invalid size "lots"\nSee 'stevedore run --help'.`,
  );
  assert.equal(flagDisplayName({ name: 'cpus' }), '--cpus');
});
