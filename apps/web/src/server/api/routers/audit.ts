import { ListAuditInput } from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

export const auditRouter = router({
  list: roleProcedure('admin')
    .input(ListAuditInput)
    .query(({ ctx, input }) => ctx.services.audit.list(input)),
});
