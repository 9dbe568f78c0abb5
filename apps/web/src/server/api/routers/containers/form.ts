import { ContainerRefSchema } from '@stevedore/shared';
import { z } from 'zod';
import { ContainerFormSchema } from '../../../../lib/container-form/to-create';
import { hostOperatorProcedure, router } from '../../trpc';

const HostInput = z.object({ hostId: z.string().min(1).max(64) });

/** Procedures for create / duplicate / edit a container from the run form (operators of the host). */
export const containerFormRouter = router({
  /** Local images, networks and the host ports already published, for suggestions and conflict checks. */
  options: hostOperatorProcedure
    .input(HostInput)
    .query(({ ctx, input }) => ctx.services.containerForm.options(input.hostId)),
  /** The form filled from a container (duplicate: without its name; edit: as it is). */
  template: hostOperatorProcedure
    .input(HostInput.extend({ container: ContainerRefSchema, purpose: z.enum(['duplicate', 'edit']) }))
    .query(({ ctx, input }) =>
      ctx.services.containerForm.template(input.hostId, input.container, input.purpose),
    ),
  /** Create, and start unless `start` is false; `from` keeps the rest of that container's settings. */
  create: hostOperatorProcedure
    .input(
      HostInput.extend({
        values: ContainerFormSchema,
        from: ContainerRefSchema.optional(),
        start: z.boolean().default(true),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.containerForm.create(ctx.user, input)),
  /** Apply an edit: live (update, rename) when possible, else a safe recreate. */
  applyEdit: hostOperatorProcedure
    .input(HostInput.extend({ container: ContainerRefSchema, values: ContainerFormSchema }))
    .mutation(({ ctx, input }) => ctx.services.containerForm.applyEdit(ctx.user, input)),
});
