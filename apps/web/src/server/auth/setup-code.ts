import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// Crockford's base32 without the letters people confuse (I, L, O, U): 5 bits a character.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** Upper case, without the spaces and dashes people type or paste between the groups. */
const normalize = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
const digest = (code: string) => createHash('sha256').update(normalize(code)).digest();

/**
 * The one-time code that creating the first admin requires, so that whoever reaches the dashboard
 * first over the network cannot claim it: the server makes it at start while no user exists and
 * writes it to a file only its own user (root) can read; `npm start` prints it. Creating the first
 * admin consumes it (the file is removed).
 */
export class SetupCode {
  private expected: Buffer | null = null;

  constructor(readonly path: string) {}

  /** Makes a new code (80 bits, `XXXX-XXXX-XXXX-XXXX`) and writes it to the file, mode 0600. */
  async issue(): Promise<string> {
    const groups = Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    );
    const code = groups.join('-');
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${code}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600); // whatever the umask was
    await rename(temporary, this.path);
    this.expected = digest(code);
    return code;
  }

  get issued(): boolean {
    return this.expected !== null;
  }

  /** Compares in constant time (digests of equal length); false when no code is outstanding. */
  matches(candidate: string): boolean {
    if (!this.expected) return false;
    return timingSafeEqual(digest(candidate), this.expected);
  }

  /** The first admin exists: the code is spent and its file removed. */
  async consume(): Promise<void> {
    this.expected = null;
    await rm(this.path, { force: true });
  }
}
