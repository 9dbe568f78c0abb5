/**
 * Issue 16, API fuzz test: every tRPC procedure of the agent (listed from the router itself) and
 * every HTTP route (listed from archive-routes) is called with generated invalid inputs: wrong
 * types, huge strings, bad encodings, missing fields, NUL bytes, path traversal. Each answer must
 * be a clear client error (tRPC BAD_REQUEST for what the input schema refuses; never
 * INTERNAL_SERVER_ERROR; HTTP 4xx), the agent must stay up, and nothing in its data-root may change.
 * Deterministic: a fixed seed drives every choice.
 */
import assert from 'node:assert/strict';
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import { TRPCClientError } from '@trpc/client';
import WebSocket from 'ws';
import type { ZodType } from 'zod';
import { ARCHIVE_ROUTES } from '../src/api/archive-routes.js';
import { agentRouter } from '../src/api/router.js';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { rawRequest } from './harness/raw-http.js';
import { seededRandom } from './harness/seeded-random.js';

const SEED = 0x5eed16;

/** Procedures whose schema-valid calls act on the world (network, tokens, new objects, the data-root): only schema-invalid inputs for them. */
const NO_VALID_CALLS = new Set([
  'images.pull',
  'images.push',
  'images.search',
  'images.login',
  'images.logout',
  // With a registry, probes it over the network.
  'registries.probe',
  'system.migrateDataRoot',
  'system.startMigration',
  // Removes what the configured prune policy selects.
  'system.pruneNow',
  // Probes the target's filesystem (a directory made, an overlay mounted, both removed again).
  'system.checkDataRoot',
  'tokens.create',
  'volumes.create',
  'networks.create',
]);

/** Files the agent writes on its own while it runs (its event log): not a change made by a request. */
const IGNORED_FILES = [/^events\.jsonl$/, /^registries\/mirror-health\.json$/];
/**
 * Scratch directories: a refused upload's temp files come and go there (which moves their mtime),
 * and the import spool is made on first use. Only what is left inside them counts.
 */
const SCRATCH_DIRS = [/^content\/ingest$/, /^tmp$/];

interface ProcedureDef {
  _def: { type: 'query' | 'mutation' | 'subscription'; inputs: ZodType[] };
}

const next = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
const randomText = (length: number) =>
  Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 0xd7ff))).join('');

/** Strings no schema should take as a name of something that exists, and the shapes of bad input. */
const HOSTILE_STRINGS = [
  '',
  '../../../../etc/passwd',
  '/etc/shadow',
  '..',
  'a\0b',
  '\0',
  '%ZZ%00%2e%2e%2f',
  '\ud800',
  '\u202e\u0000\uffff',
  ' ',
  '$(reboot)',
  '-rf',
  'x'.repeat(300_000),
];
const WRONG_TYPES: unknown[] = [
  null,
  12345,
  -1,
  1e308,
  true,
  [],
  {},
  ['a', 'b'],
  { nested: { deeper: [1, { x: null }] } },
  Array.from({ length: 10_000 }, (_, i) => `item${i}`),
];

interface Call {
  path: string;
  input: unknown;
  /** Whether the input schema accepts it (then any non-internal answer is fine); else BAD_REQUEST is due. */
  schemaValid: boolean;
  what: string;
}

/** A value the field's schema refuses or a hostile string, for every field; and whole-input junk. */
function callsFor(path: string, procedure: ProcedureDef): Call[] {
  const schema = procedure._def.inputs[0];
  const calls: Call[] = [];
  const valid = (input: unknown) => (schema ? schema.safeParse(input).success : true);
  const add = (input: unknown, what: string) => {
    const schemaValid = valid(input);
    // Schema-valid input is only sent where acting on it cannot reach beyond the agent, and never
    // for a procedure without input other than queries (a prune is a real action, not bad input).
    if (schemaValid && (NO_VALID_CALLS.has(path) || (!schema && procedure._def.type !== 'query'))) return;
    calls.push({ path, input, schemaValid, what });
  };
  for (const junk of [undefined, ...WRONG_TYPES, ...HOSTILE_STRINGS.slice(0, 4), randomText(64)]) {
    add(junk, `input ${show(junk)}`);
  }
  const shape = (schema as unknown as { shape?: Record<string, unknown> } | undefined)?.shape;
  if (!shape || !schema) return calls;
  const base = validBase(schema, Object.keys(shape));
  for (const field of Object.keys(shape)) {
    for (const value of [...WRONG_TYPES.slice(0, 6), ...HOSTILE_STRINGS, randomText(32)]) {
      add({ ...base, [field]: value }, `${field}=${show(value)}`);
    }
    const { [field]: _missing, ...withoutField } = base;
    add(withoutField, `without ${field}`);
    add(
      { ...base, [field]: pick(HOSTILE_STRINGS), ['__proto__']: { polluted: true } },
      `${field} and __proto__`,
    );
  }
  return calls;
}

/** An input with every required field set to a name of nothing that exists, where strings do. */
function validBase(schema: ZodType, fields: string[]): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (let round = 0; round < 3; round++) {
    const parsed = schema.safeParse(base);
    if (parsed.success) break;
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (typeof field === 'string' && fields.includes(field) && base[field] === undefined) {
        base[field] = `fuzz-nothing-${field.toLowerCase()}`;
      }
    }
  }
  return base;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  return value === undefined ? 'undefined' : (JSON.stringify(value)?.slice(0, 40) ?? String(value));
}

/** Every file and directory under `root` with its size and mtime, ignoring the agent's own logs. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (IGNORED_FILES.some((pattern) => pattern.test(rel))) continue;
      const stats = lstatSync(path);
      const scratch = stats.isDirectory() && SCRATCH_DIRS.some((pattern) => pattern.test(rel));
      if (!scratch)
        files.set(
          rel,
          `${stats.mode.toString(8)} ${stats.isDirectory() ? '-' : stats.size} ${stats.mtimeMs}`,
        );
      if (stats.isDirectory()) walk(path);
    }
  };
  walk(root);
  return files;
}

function diff(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [path, state] of after) {
    if (!before.has(path)) changes.push(`added ${path}`);
    else if (before.get(path) !== state) changes.push(`changed ${path}: ${before.get(path)} → ${state}`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`removed ${path}`);
  return changes;
}

type Outcome = { ok: true } | { ok: false; code: string; status: number; message: string };

describe('API fuzz: invalid input gets a clear client error, changes nothing, ends nothing', {
  timeout: 180_000,
}, () => {
  let agent: AgentProcess;
  let connection: AgentConnection;
  let initial: Map<string, string>;

  before(async () => {
    agent = await startAgent({ tcp: true });
    connection = createAgentClient({ host: agent.host });
    await connection.client.system.info.query();
    initial = snapshot(agent.dataRoot);
  });
  after(async () => {
    await connection?.close();
    await agent?.stop();
  });

  async function call(path: string, type: ProcedureDef['_def']['type'], input: unknown): Promise<Outcome> {
    // The client is a proxy that takes any path: the procedure list comes from the router.
    let target: unknown = connection.client;
    for (const part of path.split('.')) target = (target as Record<string, unknown>)[part];
    const procedure = target as {
      query(input: unknown): Promise<unknown>;
      mutate(input: unknown): Promise<unknown>;
      subscribe(input: unknown, handlers: object): { unsubscribe(): void };
    };
    try {
      if (type === 'query') await procedure.query(input);
      else if (type === 'mutation') await procedure.mutate(input);
      else {
        // A subscription that neither fails nor ends within a moment is running: stop it.
        await new Promise<void>((resolve, reject) => {
          const subscription = procedure.subscribe(input, {
            onError: reject,
            onComplete: () => resolve(),
          });
          setTimeout(() => {
            subscription.unsubscribe();
            resolve();
          }, 300);
        });
      }
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      const data = error.data as { code?: string; httpStatus?: number } | undefined;
      return { ok: false, code: data?.code ?? '?', status: data?.httpStatus ?? 0, message: error.message };
    }
  }

  test('every tRPC procedure', async () => {
    const procedures = (agentRouter as unknown as { _def: { procedures: Record<string, ProcedureDef> } })._def
      .procedures;
    const paths = Object.keys(procedures);
    assert.ok(paths.length > 50, `the router lists ${paths.length} procedures`);
    const problems: string[] = [];
    let calls = 0;
    for (const path of paths) {
      const procedure = procedures[path] as ProcedureDef;
      for (const c of callsFor(path, procedure)) {
        calls++;
        const outcome = await call(path, procedure._def.type, c.input);
        const where = `${path} (${c.what})`;
        if (outcome.ok) {
          if (!c.schemaValid) problems.push(`${where}: accepted input its schema refuses`);
          continue;
        }
        if (
          outcome.code === 'INTERNAL_SERVER_ERROR' ||
          (outcome.status >= 500 && outcome.code !== 'SERVICE_UNAVAILABLE')
        ) {
          problems.push(`${where}: ${outcome.code} ${outcome.message.slice(0, 200)}`);
        } else if (!c.schemaValid && outcome.code !== 'BAD_REQUEST') {
          problems.push(`${where}: ${outcome.code} instead of BAD_REQUEST: ${outcome.message.slice(0, 200)}`);
        } else if (outcome.message.trim() === '') {
          problems.push(`${where}: ${outcome.code} without a message`);
        }
      }
    }
    assert.ok(calls > 1000, `${calls} calls`);
    assert.deepEqual(problems, []);
  });

  test('raw websocket messages that are not tRPC at all', async () => {
    const ws = new WebSocket(`ws+unix://${agent.socketPath}:/`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answers: string[] = [];
    ws.on('message', (data) => answers.push(String(data)));
    const messages: (string | Buffer)[] = [
      'not json',
      '{"id":1}',
      '{"id":2,"method":"query","params":{"path":"nope.nothing"}}',
      '{"id":3,"method":"query","params":{"path":"__proto__.constructor"}}',
      '{"id":4,"method":"query","params":{"path":"system.info","input":{"__proto__":{"x":1}}}}',
      '{"id":5,"method":"mutation","params":{"path":"system.info"}}',
      '{"id":6,"method":"subscription.stop"}',
      '[1,2,3]',
      '{"id":7,"method":"query","params":null}',
      Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]),
      `{"id":8,"method":"query","params":{"path":"${'a.'.repeat(5000)}x"}}`,
    ];
    for (const message of messages) ws.send(message);
    ws.send('{"id":99,"method":"query","params":{"path":"system.ping"}}');
    const deadline = Date.now() + 10_000;
    while (!answers.some((a) => a.includes('"id":99')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    ws.close();
    assert.ok(
      answers.some((a) => a.includes('"id":99') && a.includes('OK')),
      `answers: ${answers.join('\n')}`,
    );
    for (const answer of answers) {
      assert.doesNotMatch(answer, /INTERNAL_SERVER_ERROR/, answer.slice(0, 300));
    }
  });

  test('every HTTP route', async () => {
    const segments = [
      '%ZZ',
      '..%2F..%2Fetc',
      '%00',
      'a'.repeat(5000),
      '%2e%2e',
      'fuzz-nothing',
      '%C0%AE',
      '\u00e9',
    ];
    const values = ['', '%ZZ', '%00', '../../../../etc/passwd', '/', 'x'.repeat(10_000), '%F0%28%8C%28'];
    const bodies = [
      Buffer.alloc(0),
      Buffer.from(Array.from({ length: 4096 }, () => Math.floor(next() * 256))),
      Buffer.concat([Buffer.from('ustar'), Buffer.alloc(2000, 0x20)]),
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]),
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]),
    ];
    const problems: string[] = [];
    const requests: { head: string; body: Buffer }[] = [];
    for (const route of [
      ...ARCHIVE_ROUTES,
      'GET /_ping',
      'POST /_ping',
      'GET /nothing/here',
      'DELETE /images/get',
    ]) {
      const [method, template] = route.split(' ') as [string, string];
      for (let i = 0; i < 12; i++) {
        const path = template.replace('{id}', pick(segments));
        const query = ['path', 'names', 'fromSrc', 'repo', 'changes', 'message']
          .filter(() => next() < 0.5)
          .map((name) => `${name}=${pick(values)}`)
          .join('&');
        const body = method === 'GET' ? Buffer.alloc(0) : pick(bodies);
        const head =
          `${method} ${path}${query ? `?${query}` : ''} HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n` +
          `Content-Length: ${body.length}`;
        requests.push({ head, body });
      }
    }
    // Every malformed body on the two routes that read one whatever the container (none exists).
    for (const target of ['/images/load', '/images/create?fromSrc=-&repo=fuzz-import']) {
      for (const body of bodies.filter((b) => b.length > 0)) {
        requests.push({
          head: `POST ${target} HTTP/1.1\r\nHost: agent\r\nConnection: close\r\nContent-Length: ${body.length}`,
          body,
        });
      }
    }
    // Each request on the socket, and over TCP with the token (as a token holder would send it).
    const tcp = { port: Number(new URL(agent.tcpUrl as string).port) };
    const sent = requests.flatMap(({ head, body }) => [
      { target: { socketPath: agent.socketPath }, head, body },
      { target: tcp, head: `${head}\r\nAuthorization: Bearer ${agent.token}`, body },
    ]);
    for (const { target, head, body } of sent) {
      const answer = await rawRequest(target, head, body);
      const line = head.split('\r\n')[0]?.slice(0, 160);
      // Docker's unauthenticated ping answers whatever the query says (a request line too long: 431).
      if (line?.startsWith('GET /_ping') && (answer.status === 200 || answer.status === 431)) continue;
      if (answer.status < 400 || answer.status >= 500) {
        problems.push(`${line}: ${answer.status} ${answer.body.slice(0, 200)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the agent is up and its data-root is as it was', async () => {
    const info = await connection.client.system.info.query();
    assert.equal(info.DockerRootDir, agent.dataRoot);
    assert.deepEqual(diff(initial, snapshot(agent.dataRoot)), []);
  });
});
