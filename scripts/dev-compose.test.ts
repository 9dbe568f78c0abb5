import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const repoRoot = resolve(import.meta.dirname, '..');

interface Service {
  image?: string;
  command?: string[];
  privileged?: boolean;
  network_mode?: string;
  pid?: string;
  volumes?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.dev.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

test('the dev compose file defines postgres, two web processes, their proxy and a privileged agent', () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['agent', 'postgres', 'proxy', 'web', 'web-2']);
  const agent = compose.services.agent!;
  assert.equal(agent.privileged, true);
  assert.equal(agent.network_mode, 'host');
  assert.equal(agent.pid, 'host');
  assert.ok(
    agent.volumes?.some((v) => v.startsWith('/sys/fs/cgroup:')),
    'agent mounts the cgroup tree',
  );
  assert.ok(
    agent.volumes?.some((v) => v.endsWith(':/var/lib/stevedore')),
    'agent has a data-root volume',
  );
  assert.match(compose.services.web!.environment?.DATABASE_URL ?? '', /^postgresql:\/\/.+@postgres:5432\//);
});

test('both web processes share one PostgreSQL, and the proxy in front of them is the one published port', () => {
  const web = compose.services.web!;
  const second = compose.services['web-2']!;
  assert.equal(second.environment?.DATABASE_URL, web.environment?.DATABASE_URL);
  assert.equal(web.ports, undefined, 'web is reached through the proxy');
  assert.equal(second.ports, undefined, 'web-2 is reached through the proxy');
  assert.deepEqual(compose.services.proxy!.ports, ['127.0.0.1:3000:3000']);
  const caddyfile = readFileSync(join(repoRoot, 'scripts/dev-compose.Caddyfile'), 'utf8');
  assert.match(caddyfile, /reverse_proxy web:3000 web-2:3000/);
  assert.match(caddyfile, /lb_policy cookie/, 'a browser stays on one process (its terminals live there)');
  assert.ok(
    compose.services.proxy!.command?.some((arg) => arg.endsWith('scripts/dev-compose.Caddyfile')),
    'the proxy runs the Caddyfile of this repository',
  );
});

test('every script and path the compose commands name exists in this repository', () => {
  const referenced = Object.values(compose.services)
    .flatMap((service) => service.command ?? [])
    .flatMap((command) => command.match(/(?:scripts|apps)\/[\w./-]+\.(?:mjs|js|ts)/g) ?? []);
  assert.ok(referenced.length >= 3, `found references: ${referenced.join(', ')}`);
  for (const path of referenced) assert.ok(existsSync(join(repoRoot, path)), `${path} exists`);
});

test('the web service talks to the agent through the shared socket volume', () => {
  const socket = compose.services.web!.environment?.STEVEDORE_LOCAL_AGENT_SOCKET;
  assert.equal(socket, '/run/stevedore/agent.sock');
  const shared = (service: Service) =>
    service.volumes?.find((v) => v.endsWith(':/run/stevedore'))?.split(':')[0];
  assert.equal(shared(compose.services.web!), shared(compose.services.agent!));
});
