import type { AgentClient } from '@stevedore/agent-api/client';
import type { AttachEvent } from '@stevedore/shared';
import type { CommandContext } from '../../command.js';
import { forwardTerminal, ignoreAfterSessionEnd, terminalSize } from '../../terminal-session.js';

/** Streams a container's raw stdio to this terminal and back until it exits; resolves its exit code. */
export async function interactiveSession(
  client: AgentClient,
  context: CommandContext,
  container: string,
  options: { start: boolean; interactive: boolean; tty: boolean },
  onError: (error: unknown) => Error,
): Promise<number> {
  let restore = () => {};
  try {
    return await new Promise<number>((resolve, reject) => {
      client.containers.attach.subscribe(
        { container, start: options.start, ...terminalSize() },
        {
          onData: (event: AttachEvent) => {
            if (event.type === 'attached') {
              const attachId = event.attachId;
              restore = forwardTerminal({
                interactive: options.interactive,
                tty: options.tty,
                send: (data) =>
                  void client.containers.attachWrite
                    .mutate({ attachId, data: data.toString('base64') })
                    .catch(ignoreAfterSessionEnd),
                eof: () =>
                  void client.containers.attachWrite
                    .mutate({ attachId, eof: true })
                    .catch(ignoreAfterSessionEnd),
                resize: (rows, cols) =>
                  void client.containers.attachResize
                    .mutate({ attachId, rows, cols })
                    .catch(ignoreAfterSessionEnd),
              });
            } else if (event.type === 'output') {
              const text = Buffer.from(event.data, 'base64').toString('utf8');
              if (event.stream === 'stdout') context.reporter.write(text);
              else context.reporter.writeError(text);
            } else if (event.type === 'dropped') {
              context.reporter.error(
                `stevedore: ${event.bytes} bytes of output dropped: this client fell behind`,
              );
            } else {
              resolve(event.result.StatusCode);
            }
          },
          onError: (error) => reject(onError(error)),
          onComplete: () => resolve(0),
        },
      );
    });
  } finally {
    restore();
  }
}
