import { router } from '../../trpc';

/** Procedures for usage history of one container (1 s / 1 min buckets) for the charts. */
export const containerUsageRouter = router({});
