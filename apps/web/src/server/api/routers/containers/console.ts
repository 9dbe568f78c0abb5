import { router } from '../../trpc';

/** Procedures for exec / attach with a pty, for the browser console. */
export const containerConsoleRouter = router({});
