import { router } from '../../trpc';

/** Procedures for create / duplicate / edit a container from the run form. */
export const containerFormRouter = router({});
