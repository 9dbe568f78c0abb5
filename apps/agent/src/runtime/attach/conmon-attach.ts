import { closeSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';

/** conmon tags each packet on its attach socket with the stream it came from. */
const STDERR_PIPE = 3;
/** Bytes read per packet: conmon sends one tag byte and up to 8192 bytes of output (STDIO_BUF_SIZE). */
const ATTACH_READ_BUFFER_BYTES = 9 * 1024;
/** conmon's control FIFO: `<type> <height> <width>`, type 1 resizes the terminal. */
const RESIZE = 1;

export interface ConmonAttachment {
  write(data: Buffer): void;
  /** Closes the container's stdin (conmon closes it when its attach client leaves). */
  end(): void;
  resize(rows: number, cols: number): Promise<void>;
  close(): void;
}

/**
 * Connects to conmon's attach socket (`<bundle>/attach`, SOCK_SEQPACKET). The bundle directory is
 * opened and the socket reached through `/proc/self/fd/N/attach`, because a full path under a long
 * exec-root can exceed the 108 bytes a socket address holds.
 */
export async function attachToConmon(
  bundle: string,
  onOutput: (stream: 'stdout' | 'stderr', data: Buffer) => void,
  onEnd: () => void,
): Promise<ConmonAttachment> {
  // Loaded on first use: a host where the native module is missing still runs everything else.
  const { SeqpacketSocket } = await import('node-unix-socket');
  const dirFd = openSync(bundle, 'r');
  const socket = new SeqpacketSocket();
  // conmon's packets hold at most 8 KiB of output; the library's 256 KiB default per read made a
  // container writing at full speed churn through external memory faster than GC returned it.
  socket.setInternalReadBufferSize(ATTACH_READ_BUFFER_BYTES);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    socket.destroy();
  };
  return new Promise((resolve, reject) => {
    socket.on('error', (error: Error) => {
      closeSync(dirFd);
      close();
      reject(new StevedoreError('UNAVAILABLE', `cannot attach: ${error.message}`, { bundle }));
    });
    socket.on('data', (packet: Buffer) => {
      if (packet.length > 1) onOutput(packet[0] === STDERR_PIPE ? 'stderr' : 'stdout', packet.subarray(1));
    });
    socket.on('end', () => {
      close();
      onEnd();
    });
    socket.connect(join(`/proc/self/fd/${dirFd}`, 'attach'), () => {
      closeSync(dirFd);
      resolve({
        write: (data) => {
          if (!closed) socket.write(data);
        },
        end: () => socket.end(),
        resize: (rows, cols) => writeFile(join(bundle, 'ctl'), `${RESIZE} ${rows} ${cols}\n`, { flag: 'a' }),
        close,
      });
    });
  });
}
