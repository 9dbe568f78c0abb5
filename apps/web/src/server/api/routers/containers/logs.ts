import { router } from '../../trpc';

/** Procedures for log pages and server-side search. */
export const containerLogsRouter = router({});
