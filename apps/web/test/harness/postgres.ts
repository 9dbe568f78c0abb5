// A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir as the `postgres` OS user (initdb
// refuses root), `pg_ctl start` on 127.0.0.1 and a free port with the unix socket in that dir, one
// database created. `stop()` stops the server and removes the dir; call it in `after`, it always runs.
// The implementation is plain ESM in scripts/ because `node scripts/db.mjs new-migration` needs the
// same scratch cluster without TypeScript tooling.
import { startPostgres } from '../../../../scripts/postgres.mjs';

export { startPostgres };
/** `{ url: 'postgresql://postgres@127.0.0.1:PORT/stevedore', port, stop() }` */
export type TestPostgres = Awaited<ReturnType<typeof startPostgres>>;
