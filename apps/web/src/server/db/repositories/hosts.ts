import { StevedoreError } from '@stevedore/shared';
import type { Db } from '../client';
import { mapDbErrors } from '../errors';

export interface NewHost {
  /** Made by the caller when the credential is sealed to it; else the database makes one. */
  id?: string;
  name: string;
  transport: string;
  address: string;
  credentialCiphertext?: string | null;
  caCert?: string | null;
  sshHostKey?: string | null;
  labels?: Record<string, string>;
}

export const createHost = (db: Db, { labels, ...host }: NewHost) =>
  mapDbErrors('host', host.name, () =>
    db.host.create({ data: { ...host, labels: JSON.stringify(labels ?? {}) } }),
  );

export const listHosts = (db: Db) => db.host.findMany({ orderBy: { name: 'asc' } });

export async function getHost(db: Db, id: string) {
  const host = await db.host.findUnique({ where: { id } });
  if (!host) throw new StevedoreError('NOT_FOUND', `host "${id}" not found`, { entity: 'host', key: id });
  return host;
}

export const findHostById = (db: Db, id: string) => db.host.findUnique({ where: { id } });

export const findHostByName = (db: Db, name: string) => db.host.findUnique({ where: { name } });

export const updateHost = (db: Db, id: string, { labels, ...changes }: Partial<NewHost>) =>
  mapDbErrors('host', id, () =>
    db.host.update({
      where: { id },
      data: { ...changes, ...(labels ? { labels: JSON.stringify(labels) } : {}) },
    }),
  );

export const deleteHost = (db: Db, id: string) =>
  mapDbErrors('host', id, () => db.host.delete({ where: { id } }));
