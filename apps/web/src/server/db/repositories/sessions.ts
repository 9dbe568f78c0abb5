import type { Db } from '../client';

export const createSession = (
  db: Db,
  input: { userId: string; tokenHash: string; expiresAt: Date; userAgent: string | null; ip: string | null },
) =>
  db.session.create({
    data: {
      id: input.tokenHash,
      userId: input.userId,
      expiresAt: input.expiresAt,
      userAgent: input.userAgent,
      ip: input.ip,
    },
  });

/** The session and its user, only while it has not expired. */
export const findSession = (db: Db, tokenHash: string, now = new Date()) =>
  db.session.findFirst({ where: { id: tokenHash, expiresAt: { gt: now } }, include: { user: true } });

export const touchSession = (db: Db, tokenHash: string, now = new Date()) =>
  db.session.updateMany({ where: { id: tokenHash }, data: { lastSeenAt: now } });

/** Removes the session of this token if it has expired (a request came with it). */
export const deleteSessionIfExpired = (db: Db, tokenHash: string, now = new Date()) =>
  db.session.deleteMany({ where: { id: tokenHash, expiresAt: { lte: now } } });

export const deleteSession = (db: Db, tokenHash: string) =>
  db.session.deleteMany({ where: { id: tokenHash } });

export const deleteExpiredSessions = (db: Db, now = new Date()) =>
  db.session.deleteMany({ where: { expiresAt: { lte: now } } });
