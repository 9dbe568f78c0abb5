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
        const text = this.pending;
        this.pending = '';
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
