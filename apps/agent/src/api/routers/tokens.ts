import {
  CreatedTokenSchema,
  CreateTokenInput,
  RemoveTokenInput,
  TokenListSchema,
  TokenSummarySchema,
} from '@stevedore/shared';
import { localProcedure, router } from '../trpc.js';

export const tokensRouter = router({
  create: localProcedure
    .input(CreateTokenInput)
    .output(CreatedTokenSchema)
    .mutation(({ ctx, input }) => ctx.services.tokens.create(input.name)),
  list: localProcedure.output(TokenListSchema).query(({ ctx }) => ctx.services.tokens.list()),
  remove: localProcedure
    .input(RemoveTokenInput)
    .output(TokenSummarySchema)
    .mutation(({ ctx, input }) => ctx.services.tokens.remove(input.id)),
});
