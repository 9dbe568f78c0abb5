import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import type { ConsoleEvent, Role, SessionUser } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole, waitFor } from '../harness/control-plane';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

/** A console session read in the background: its events as they come, the output as text. */
function openSession(subscribe: (signal: AbortSignal) => Promise<AsyncIterable<ConsoleEvent>>) {
  const events: ConsoleEvent[] = [];
  const controller = new AbortController();
  let failure: unknown = null;
  const done = (async () => {
    try {
      for await (const event of await subscribe(controller.signal)) events.push(event);
    } catch (error) {
      failure = error;
    }
  })();
  return {
    events,
    get failure() {
      return failure;
    },
    sessionId: () => events.find((e) => e.type === 'ready')?.sessionId,
    output: () =>
      events.map((e) => (e.type === 'output' ? Buffer.from(e.data, 'base64').toString('utf8') : '')).join(''),
    exit: () => events.find((e) => e.type === 'exit'),
    stop: async () => {
      controller.abort();
      await done;
    },
    done,
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

// The browser console's server side against a real agent: a pty shell through the hub, sessions
// bound to the user who opened them, audited, and refused to viewers.
describe('container console and details', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let containerId: string;
  let image: string;
  let users: Record<Role | 'otherAdmin', SessionUser>;
  const as = (who: keyof typeof users, signal?: AbortSignal) => plane.callerAs(users[who], signal);

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    assert.equal((await runCli(['-H', agent.host, 'pull', '-q', image])).code, 0);
    const run = await runCli([
      '-H',
      agent.host,
      'run',
      '-d',
      '--name',
      'console-box',
      image,
      'sleep',
      '3600',
    ]);
    assert.equal(run.code, 0, run.stderr);
    containerId = run.stdout.trim();
    plane = createControlPlane(t.db);
    users = await usersByRole(t.db, 'cc', {
      admin: 'admin',
      otherAdmin: 'admin',
      operator: 'operator',
      viewer: 'viewer',
    });
    hostId = await registerAgentHost(plane, users.admin, agent, 'box');
  });
  after(async () => {
    if (agent) await runCli(['-H', agent.host, 'rm', '-f', 'console-box', 'console-tty']);
    await plane?.close();
    await registry?.stop();
    await agent?.stop();
    await t?.close();
  });

  test('a shell with a pty: typed input runs, resize reaches the terminal, leaving ends the shell', async () => {
    const session = openSession((signal) =>
      as('admin', signal).containers.console.open({
        hostId,
        container: containerId,
        mode: 'exec',
        command: ['sh'],
        rows: 30,
        cols: 100,
      }),
    );
    try {
      await waitFor(() => session.sessionId() !== undefined || session.failure !== null);
      const sessionId = session.sessionId();
      assert.ok(sessionId, `the session opened (${String(session.failure)})`);
      await as('admin').containers.console.write({ hostId, sessionId, data: b64('echo hi-$((40+2))\n') });
      await waitFor(() => session.output().includes('hi-42'));
      await as('admin').containers.console.resize({ hostId, sessionId, rows: 33, cols: 77 });
      await as('admin').containers.console.write({ hostId, sessionId, data: b64('stty size\n') });
      await waitFor(() => session.output().includes('33 77'));

      // Nobody else types into it, not even another admin; it looks like no session at all.
      await assert.rejects(
        as('otherAdmin').containers.console.write({ hostId, sessionId, data: b64('echo intruder\n') }),
        codeOf('NOT_FOUND'),
      );
      await assert.rejects(
        as('otherAdmin').containers.console.resize({ hostId, sessionId, rows: 10, cols: 10 }),
        codeOf('NOT_FOUND'),
      );
      const shells = async () =>
        (await as('viewer').containers.details.top({ hostId, container: containerId })).Processes.filter(
          (row) => row.at(-1) === 'sh',
        ).length;
      assert.equal(await shells(), 1);
      await session.stop();
      assert.equal(plane.services.console.size, 0);
      // The agent keeps a caller-less exec running; the console ends its shell with end-of-input.
      const deadline = Date.now() + 10_000;
      while ((await shells()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await shells(), 0, 'the shell left behind exited');
    } finally {
      await session.stop();
    }

    const audit = (await as('admin').audit.list({ limit: 50 })).entries;
    const opened = audit.find((e) => e.action === 'container.console.exec');
    assert.equal(opened?.username, 'cc-admin');
    assert.equal(opened?.target, containerId);
    assert.deepEqual(opened?.params, { mode: 'exec', command: ['sh'], user: null });
  });

  test('a browser that leaves before the session opens leaves no shell behind', async () => {
    const shells = async () =>
      (await as('viewer').containers.details.top({ hostId, container: containerId })).Processes.filter(
        (row) => row.at(-1) === 'sh',
      ).length;
    const controller = new AbortController();
    const opening = as('admin', controller.signal).containers.console.open({
      hostId,
      container: containerId,
      mode: 'exec',
      command: ['sh'],
    });
    const reading = (async () => {
      for await (const _ of await opening) {
        // nothing is read: the connection closes at once
      }
    })();
    controller.abort();
    await reading.catch(() => {
      // Ending before `ready` is an error for the (gone) reader; what matters is the shell below.
    });
    await new Promise((r) => setTimeout(r, 1_500));
    const deadline = Date.now() + 10_000;
    while ((await shells()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await shells(), 0);
    assert.equal(plane.services.console.size, 0);
    // The attempt ran (and is on record), so the check above was not vacuous.
    const audit = (await as('admin').audit.list({ limit: 50 })).entries;
    assert.ok(
      audit.some((e) => e.action === 'container.console.exec' && /closed before/.test(e.error ?? '')),
    );
  });

  test('a missing shell ends the session saying which command the image lacks', async () => {
    const session = openSession((signal) =>
      as('admin', signal).containers.console.open({
        hostId,
        container: containerId,
        mode: 'exec',
        command: ['bash'],
      }),
    );
    try {
      await waitFor(() => session.exit() !== undefined || session.failure !== null);
      const exit = session.exit();
      assert.ok(exit && exit.type === 'exit', `ended with an exit (${String(session.failure)})`);
      assert.notEqual(exit.exitCode, 0);
      assert.equal(exit.missingCommand, 'bash');
    } finally {
      await session.stop();
    }
  });

  test('attach to the main process of a -t container: input reaches it, leaving keeps it running', async () => {
    const run = await runCli([
      '-H',
      agent.host,
      'run',
      '-d',
      '-i',
      '-t',
      '--name',
      'console-tty',
      image,
      'sh',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const ttyId = run.stdout.trim();
    const session = openSession((signal) =>
      as('admin', signal).containers.console.open({
        hostId,
        container: ttyId,
        mode: 'attach',
        rows: 20,
        cols: 60,
      }),
    );
    try {
      await waitFor(() => session.sessionId() !== undefined || session.failure !== null);
      const sessionId = session.sessionId();
      assert.ok(sessionId, `attached (${String(session.failure)})`);
      await as('admin').containers.console.write({
        hostId,
        sessionId,
        data: b64('echo main-$((2*3)); echo $$\n'),
      });
      await waitFor(() => session.output().includes('main-6'));
      // It is the container's own shell (PID 1 in its namespace), not a new process.
      await waitFor(() => /\r?\n1\r?\n/.test(session.output()));
      await session.stop();
      const state = await as('viewer').containers.details.inspect({ hostId, container: ttyId });
      assert.equal(state.State.Running, true, 'detaching leaves the main process running');
      const audit = (await as('admin').audit.list({ limit: 50 })).entries;
      assert.ok(audit.some((e) => e.action === 'container.console.attach' && e.target === ttyId));
    } finally {
      await session.stop();
      await runCli(['-H', agent.host, 'rm', '-f', 'console-tty']);
    }
  });

  test('viewers may not open, write or resize consoles, nor kill, rename or remove', async () => {
    const viewer = as('viewer');
    await assert.rejects(
      viewer.containers.console.open({ hostId, container: containerId, mode: 'exec', command: ['sh'] }),
      codeOf('FORBIDDEN'),
    );
    const sessionId = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(
      viewer.containers.console.write({ hostId, sessionId, data: '' }),
      codeOf('FORBIDDEN'),
    );
    await assert.rejects(
      viewer.containers.details.kill({ hostId, container: containerId }),
      codeOf('FORBIDDEN'),
    );
    await assert.rejects(
      viewer.containers.details.rename({ hostId, container: containerId, name: 'nope' }),
      codeOf('FORBIDDEN'),
    );
    await assert.rejects(
      viewer.containers.details.remove({ hostId, container: containerId }),
      codeOf('FORBIDDEN'),
    );
    // An operator without a grant on this host is refused too.
    await assert.rejects(
      as('operator').containers.console.open({
        hostId,
        container: containerId,
        mode: 'exec',
        command: ['sh'],
      }),
      codeOf('FORBIDDEN'),
    );
  });

  test('details: inspect and events for viewers; a missing container is NOT_FOUND; kill is audited with its signal', async () => {
    const inspect = await as('viewer').containers.details.inspect({ hostId, container: 'console-box' });
    assert.equal(inspect.Id, containerId);
    await assert.rejects(
      as('viewer').containers.details.inspect({ hostId, container: 'no-such-container' }),
      codeOf('NOT_FOUND'),
    );
    await as('admin').containers.details.kill({ hostId, container: containerId, signal: 'usr1' });
    const audit = (await as('admin').audit.list({ limit: 50 })).entries;
    const kill = audit.find((e) => e.action === 'container.kill');
    assert.deepEqual(kill?.params, { signal: 'SIGUSR1' });
    // The kill reaches the stored history as an engine event of this container (and only its events are listed).
    const containerEvents = async () =>
      (await as('viewer').containers.details.events({ hostId, container: containerId })).events;
    const deadline = Date.now() + 10_000;
    while (!(await containerEvents()).some((e) => e.action === 'kill') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = await containerEvents();
    assert.ok(
      events.some((e) => e.action === 'kill'),
      JSON.stringify(events),
    );
    assert.ok(events.every((e) => e.actorId === containerId && e.type === 'container'));
  });
});
