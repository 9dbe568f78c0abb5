import {
  AlertIdInputSchema,
  AlertRuleInputSchema,
  ListAlertsInputSchema,
  UpdateAlertRuleInputSchema,
  UpdateWebhookInputSchema,
  WebhookInputSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { roleProcedure, router } from '../trpc';

/**
 * Alerts: everyone signed in sees them (the bell is in every page's chrome); only admins manage
 * rules and webhooks. A rule can watch every host, beyond an operator's granted ones, and a webhook
 * sends what the dashboard knows of the fleet to a URL outside it: both are fleet-wide settings,
 * like hosts and users, so they are the admins'.
 */
export const alertsRouter = router({
  panel: roleProcedure('viewer').query(({ ctx }) => ctx.services.alerts.panel()),
  /** The notifications panel, pushed again after every change. */
  watchPanel: roleProcedure('viewer').subscription(({ ctx, signal }) =>
    ctx.services.alerts.watchPanel(signal),
  ),
  list: roleProcedure('viewer')
    .input(ListAlertsInputSchema)
    .query(({ ctx, input }) => ctx.services.alerts.listAlerts(input)),
  rules: roleProcedure('viewer').query(({ ctx }) => ctx.services.alerts.listRules()),
  createRule: roleProcedure('admin')
    .input(AlertRuleInputSchema)
    .mutation(({ ctx, input }) => ctx.services.alerts.createRule(ctx.user, input)),
  updateRule: roleProcedure('admin')
    .input(UpdateAlertRuleInputSchema)
    .mutation(({ ctx, input }) => ctx.services.alerts.updateRule(ctx.user, input)),
  deleteRule: roleProcedure('admin')
    .input(AlertIdInputSchema)
    .mutation(({ ctx, input }) => ctx.services.alerts.deleteRule(ctx.user, input.id)),
  webhooks: roleProcedure('viewer').query(({ ctx }) => ctx.services.alerts.listWebhooks(ctx.user)),
  deliveries: roleProcedure('viewer')
    .input(AlertIdInputSchema.extend({ limit: z.number().int().min(1).max(100).default(20) }))
    .query(({ ctx, input }) => ctx.services.alerts.deliveries(input.id, input.limit)),
  createWebhook: roleProcedure('admin')
    .input(WebhookInputSchema)
    .mutation(({ ctx, input }) => ctx.services.alerts.createWebhook(ctx.user, input)),
  updateWebhook: roleProcedure('admin')
    .input(UpdateWebhookInputSchema)
    .mutation(({ ctx, input }) => ctx.services.alerts.updateWebhook(ctx.user, input)),
  deleteWebhook: roleProcedure('admin')
    .input(AlertIdInputSchema)
    .mutation(({ ctx, input }) => ctx.services.alerts.deleteWebhook(ctx.user, input.id)),
});
