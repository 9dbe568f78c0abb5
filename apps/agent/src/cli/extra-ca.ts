import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';

/**
 * The system CAs plus those in `file` (NODE_EXTRA_CA_CERTS, as bin/stevedore hands it over).
 * Imported only when needed: TLS cannot be loaded into the CLI's startup snapshot.
 */
export async function systemCasWith(file: string): Promise<string> {
  // Unreadable, it is skipped, as Node skips it.
  const extra = await readFile(file, 'utf8').catch(() => '');
  return [...rootCertificates, extra].join('\n');
}
