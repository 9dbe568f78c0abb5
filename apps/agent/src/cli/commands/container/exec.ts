import type { ExecEvent } from '@stevedore/shared';
import { type Command, listFlag, stringFlag } from '../../command.js';
import { agentErrorCode, agentErrorContext, describeMissingOrError, OperationalError } from '../../errors.js';
import { envEntry } from '../../flag-values.js';
import { forwardTerminal, ignoreAfterSessionEnd, terminalSize } from '../../terminal-session.js';

export const execCommand: Command = {
  path: ['exec'],
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  flags: [
    { name: 'interactive', short: 'i', kind: 'boolean', description: 'Keep STDIN open even if not attached' },
    { name: 'tty', short: 't', kind: 'boolean', description: 'Allocate a pseudo-TTY' },
    {
      name: 'detach',
      short: 'd',
      kind: 'boolean',
      description: 'Detached mode: run command in the background',
    },
    { name: 'env', short: 'e', kind: 'list', description: 'Set environment variables' },
    {
      name: 'user',
      short: 'u',
      kind: 'string',
      valueName: 'string',
      description: 'Username or UID (format: "<name|uid>[:<group|gid>]")',
    },
    {
      name: 'workdir',
      short: 'w',
      kind: 'string',
      valueName: 'string',
      description: 'Working directory inside the container',
    },
    { name: 'privileged', kind: 'boolean', description: 'Give extended privileges to the command' },
  ],
  args: { min: 2, max: Number.POSITIVE_INFINITY },
  flagsEndAtFirstArg: true,
  async execute(context) {
    const [container, ...cmd] = context.args as [string, ...string[]];
    const tty = context.flags.get('tty') === true;
    const interactive = context.flags.get('interactive') === true;
    const detach = context.flags.get('detach') === true;
    const client = await context.agent();
    const env = listFlag(context, 'env').flatMap((entry) => envEntry(entry, process.env));
    let restore = () => {};
    try {
      return await new Promise<number>((resolve, reject) => {
        client.containers.exec.subscribe(
          {
            container,
            Cmd: cmd,
            Env: env,
            User: stringFlag(context, 'user') ?? '',
            WorkingDir: stringFlag(context, 'workdir') ?? '',
            Tty: tty,
            AttachStdin: interactive,
            Detach: detach,
            Privileged: context.flags.get('privileged') === true,
            ...(() => {
              const size = terminalSize();
              return { Rows: size.rows, Cols: size.cols };
            })(),
          },
          {
            onData: (event: ExecEvent) => {
              if (event.type === 'started') {
                if (detach) return resolve(0);
                const execId = event.execId;
                restore = forwardTerminal({
                  interactive,
                  tty,
                  send: (data) =>
                    void client.containers.execWrite
                      .mutate({ execId, data: data.toString('base64') })
                      .catch(ignoreAfterSessionEnd),
                  eof: () =>
                    void client.containers.execWrite
                      .mutate({ execId, eof: true })
                      .catch(ignoreAfterSessionEnd),
                  resize: (rows, cols) =>
                    void client.containers.execResize
                      .mutate({ execId, rows, cols })
                      .catch(ignoreAfterSessionEnd),
                });
              } else if (event.type === 'output') {
                const bytes = Buffer.from(event.data, 'base64');
                if (event.stream === 'stdout') context.reporter.write(bytes.toString('utf8'));
                else context.reporter.writeError(bytes.toString('utf8'));
              } else {
                resolve(event.exitCode);
              }
            },
            onError: (error) => {
              const code = agentErrorContext(error)?.exitCode;
              reject(new OperationalError(describeMissingOrError(error), execFailureExitCode(error, code)));
            },
            onComplete: () => resolve(0),
          },
        );
      });
    } finally {
      restore();
    }
  },
};

/**
 * Docker's statuses for an exec that never ran: 1 when there is no container to run in (missing,
 * stopped, paused), else what the agent says (126/127 for a command that cannot start), else 126.
 */
function execFailureExitCode(error: unknown, agentExitCode: unknown): number {
  const code = agentErrorCode(error);
  if (code === 'NOT_FOUND' || code === 'CONFLICT') return 1;
  return typeof agentExitCode === 'number' ? agentExitCode : 126;
}
