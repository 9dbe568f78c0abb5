import { ConsoleOpenInput, ConsoleResizeInput, ConsoleWriteInput } from '@stevedore/shared';
import { hostOperatorProcedure, router } from '../../trpc';

/** Procedures for exec / attach with a pty, for the browser console. */
export const containerConsoleRouter = router({
  /** A terminal session: `ready` with its id, output, then the exit; leaving ends an exec's shell. */
  open: hostOperatorProcedure
    .input(ConsoleOpenInput)
    .subscription(({ ctx, input, signal }) => ctx.services.console.open(ctx.user, input, signal)),
  /** Keystrokes into a session the caller opened. */
  write: hostOperatorProcedure
    .input(ConsoleWriteInput)
    .mutation(({ ctx, input }) => ctx.services.console.write(ctx.user, input)),
  resize: hostOperatorProcedure
    .input(ConsoleResizeInput)
    .mutation(({ ctx, input }) => ctx.services.console.resize(ctx.user, input)),
});
