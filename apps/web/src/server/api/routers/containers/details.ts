import { router } from '../../trpc';

/** Procedures for one container's inspect, processes, events and actions. */
export const containerDetailsRouter = router({});
