import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isStevedoreError } from '@stevedore/shared';
import { type Command, type CommandContext, OUTPUT_FLAG, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { localTar } from '../../local-tar.js';

/** Writes a tar from one of the agent's archive routes to `out`; resolves when all of it is there. */
async function receive(context: CommandContext, path: string, out: Writable): Promise<void> {
  await pipeline(await context.agentHttp({ method: 'GET', path }), out);
}

/**
 * Unpacks a tar from one of the agent's archive routes into `dir` with GNU tar. tar stops reading
 * at the end-of-archive blocks and may exit before the record's zero padding behind them arrives:
 * the pipe it closed is then no error, and its exit status says whether the archive was whole (a
 * transfer cut short ends its input early, which it refuses).
 */
async function receiveInto(context: CommandContext, path: string, dir: string): Promise<void> {
  const response = await context.agentHttp({ method: 'GET', path });
  const extract = localTar(['-x', '-C', dir, '-f', '-'], true);
  const copied = pipeline(response, extract.input!);
  const [, unpacked] = await Promise.allSettled([copied, extract.done]);
  if (unpacked.status === 'rejected') throw unpacked.reason;
}

/** The agent's archive route for a container (`/containers/{id|name}/…`). */
const containerRoute = (container: string, rest: string) =>
  `/containers/${encodeURIComponent(container)}/${rest}`;

export const exportCommand: Command = {
  path: ['export'],
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  flags: [OUTPUT_FLAG],
  args: { min: 1, max: 1 },
  async execute(context) {
    const file = stringFlag(context, 'output');
    if (!file && process.stdout.isTTY) {
      throw new OperationalError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const out = file ? createWriteStream(file) : process.stdout;
    await receive(context, containerRoute(context.args[0]!, 'export'), out);
    return 0;
  },
};

const CONTAINER_PATH = /^([^:/]+):(.*)$/;

/**
 * Docker words a missing container in `cp` with the path it looked up: `Error: No such
 * container:path: X:/a` (copying to it, the destination's parent: `X:/`).
 */
async function lookingUp<T>(container: string, path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (
      isStevedoreError(cause) &&
      cause.code === 'NOT_FOUND' &&
      cause.message.startsWith('No such container')
    )
      throw new OperationalError(`Error: No such container:path: ${container}:${path}`);
    throw error;
  }
}

/** `docker cp`: one side is CONTAINER:PATH, the other a local path or `-` (a tar on stdin/stdout). */
export const cpCommand: Command = {
  path: ['cp'],
  usage: 'CONTAINER:SRC_PATH DEST_PATH|-\n\tstevedore cp SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  flags: [],
  args: { min: 2, max: 2 },
  async execute(context) {
    const [source, destination] = context.args as [string, string];
    const to = CONTAINER_PATH.exec(destination);
    const [, container, path] = (to ?? CONTAINER_PATH.exec(source) ?? []) as [string?, string?, string?];
    if (!container) return copy(context, source, destination);
    const looked = to ? posixDirname(path || '/') : path || '/';
    return lookingUp(container, looked, () => copy(context, source, destination));
  },
};

/** The parent of a path in a container (always `/`-separated). */
const posixDirname = (path: string) => dirname(path.replace(/\/+$/, '') || '/');

async function copy(context: CommandContext, source: string, destination: string): Promise<number> {
  const from = CONTAINER_PATH.exec(source);
  const to = CONTAINER_PATH.exec(destination);
  if (Boolean(from) === Boolean(to)) {
    throw new OperationalError(
      'copying between containers or between local paths is not supported: one side must be CONTAINER:PATH',
    );
  }
  if (from) {
    const [, container, path] = from as unknown as [string, string, string];
    const archive = containerRoute(container, `archive?path=${encodeURIComponent(path || '/')}`);
    if (destination === '-') {
      await receive(context, archive, process.stdout);
      return 0;
    }
    const target = resolve(destination);
    const existing = existsSync(target) ? statSync(target) : null;
    const into = existing?.isDirectory() ?? false;
    if (existing && !into && !existing.isFile()) {
      // Renaming the copy into place would replace a device or pipe such as /dev/null.
      throw new OperationalError(
        `cannot copy to ${destination}: it is neither a regular file nor a directory`,
      );
    }
    const staging = mkdtempSync(join(into ? target : dirname(target), '.stevedore-cp-'));
    try {
      await receiveInto(context, archive, staging);
      const [entry] = readdirSync(staging);
      if (entry) renameSync(join(staging, entry), into ? join(target, entry) : target);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return 0;
  }
  const [, container, path] = to as unknown as [string, string, string];
  // The archive streams to the agent (no size limit, nothing held in memory).
  const put = (body: Readable) =>
    context.agentHttp({
      method: 'PUT',
      path: containerRoute(container, `archive?path=${encodeURIComponent(path || '/')}`),
      body,
    });
  if (source === '-') {
    (await put(process.stdin)).resume();
    return 0;
  }
  const local = resolve(source);
  if (!existsSync(local)) throw new OperationalError(`stat ${source}: no such file or directory`);
  const pack = localTar(['-C', dirname(local), '-cf', '-', '--', basename(local)], false);
  const [response] = await Promise.all([put(pack.output!), pack.done]);
  response.resume();
  return 0;
}
