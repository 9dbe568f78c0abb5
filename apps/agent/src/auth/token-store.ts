import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type CreatedToken, StevedoreError, type TokenSummary } from '@stevedore/shared';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-file.js';

const TOKEN_PREFIX = 'sdt_';

const TokenFileSchema = z.object({
  version: z.literal(1),
  tokens: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      createdAt: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
type StoredToken = z.infer<typeof TokenFileSchema>['tokens'][number];

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const generateToken = (): string => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;

const summary = ({ id, name, createdAt }: StoredToken): TokenSummary => ({ id, name, createdAt });

/**
 * Bearer tokens for remote API access. Only sha256 hashes are stored (file mode 0600, written
 * atomically); the plaintext exists once, in the answer to `create`.
 */
export class TokenStore {
  private writes: Promise<unknown> = Promise.resolve();
  private readonly removalListeners: ((id: string) => void)[] = [];

  private constructor(
    private readonly file: string,
    private tokens: StoredToken[],
  ) {}

  static async open(file: string): Promise<TokenStore> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new TokenStore(file, []);
      throw error;
    }
    const parsed = TokenFileSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `the token file ${file} is damaged: ${parsed.error.message}`,
        {
          file,
        },
      );
    }
    return new TokenStore(file, parsed.data.tokens);
  }

  list(): TokenSummary[] {
    return this.tokens.map(summary);
  }

  create(name: string): Promise<CreatedToken> {
    return this.serialized(async () => {
      if (this.tokens.some((t) => t.name === name)) {
        throw new StevedoreError('ALREADY_EXISTS', `a token named "${name}" already exists`, { name });
      }
      const token = generateToken();
      const stored: StoredToken = {
        id: randomBytes(6).toString('hex'),
        name,
        createdAt: new Date().toISOString(),
        sha256: hashToken(token),
      };
      await this.save([...this.tokens, stored]);
      return { ...summary(stored), token };
    });
  }

  remove(id: string): Promise<TokenSummary> {
    return this.serialized(async () => {
      const existing = this.tokens.find((t) => t.id === id);
      if (!existing) throw new StevedoreError('NOT_FOUND', `no such token: ${id}`, { id });
      await this.save(this.tokens.filter((t) => t.id !== id));
      for (const listener of this.removalListeners) listener(id);
      return summary(existing);
    });
  }

  /** Called after a token is removed, e.g. to cut the connections it opened. */
  onRemoved(listener: (id: string) => void): void {
    this.removalListeners.push(listener);
  }

  /** The token a presented bearer value belongs to, or null. Compares every hash in constant time. */
  verify(presented: string): TokenSummary | null {
    const digest = Buffer.from(hashToken(presented), 'hex');
    let match: StoredToken | null = null;
    for (const token of this.tokens) {
      if (timingSafeEqual(digest, Buffer.from(token.sha256, 'hex'))) match = token;
    }
    return match ? summary(match) : null;
  }

  private async save(tokens: StoredToken[]): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, 0o600);
    this.tokens = tokens;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    // The caller awaits `next` and gets its failure; this chain only keeps the writes in order.
    this.writes = next.catch(() => undefined);
    return next;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
