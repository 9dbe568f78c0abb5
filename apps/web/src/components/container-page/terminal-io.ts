/** UTF-8 text → base64, in slices so a large paste does not overflow the argument list. */
export function textToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** Characters per write request: a large paste goes in several requests, well under the size limit. */
export const WRITE_CHUNK = 64 * 1024;

/** The first WRITE_CHUNK characters of `text`, never splitting a surrogate pair. */
export function takeChunk(text: string): string {
  if (text.length <= WRITE_CHUNK) return text;
  const code = text.charCodeAt(WRITE_CHUNK - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? WRITE_CHUNK - 1 : WRITE_CHUNK;
  return text.slice(0, end);
}

/**
 * Sends keystrokes one request at a time, in order: what is typed while a request is in flight is
 * joined into the next one, so fast typing neither reorders nor floods the server.
 */
export class SerialWriter {
  private pending = '';
  private flushing = false;

  constructor(
    private readonly send: (text: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  write(text: string): void {
    this.pending += text;
    if (!this.flushing) void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending) {
        const text = takeChunk(this.pending);
        this.pending = this.pending.slice(text.length);
        try {
          await this.send(text);
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
