'use client';

import { type AlertRule, type AlertState, countOf, describeCondition, type Webhook } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { AlertItem } from '~/components/alerts/alert-item';
import { RuleForm } from '~/components/alerts/rule-form';
import { WebhookForm } from '~/components/alerts/webhook-form';
import { DataTable, rowClass } from '~/components/data-table';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

const card = 'rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900';
const linkButton = 'text-sm text-sky-700 hover:underline dark:text-sky-400';
const dangerButton = 'text-sm text-red-700 hover:underline dark:text-red-400';

export default function AlertsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.status.queryOptions());
  const isAdmin = me.data?.user?.role === 'admin';
  // Any change to the alerts (fired, resolved, a delivery) refreshes the lists on this page.
  useSubscription(
    trpc.alerts.watchPanel.subscriptionOptions(undefined, {
      onData: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.webhooks.queryKey() });
      },
    }),
  );
  return (
    <section className="space-y-8">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Alerts</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Rules watch the fleet; an alert fires once per rule and container (or host) and resolves when its
          condition clears. Webhooks receive each change as JSON.
          {!isAdmin && me.data?.user && ' Admins manage rules and webhooks; you can see them.'}
        </p>
      </div>
      <AlertHistory />
      <Rules isAdmin={isAdmin} />
      <Webhooks isAdmin={isAdmin} />
    </section>
  );
}

function AlertHistory() {
  const trpc = useTRPC();
  const [state, setState] = useState<AlertState | 'all'>('firing');
  const alerts = useQuery(
    trpc.alerts.list.queryOptions({ ...(state === 'all' ? {} : { state }), limit: 100 }),
  );
  const tabs: { value: AlertState | 'all'; label: string }[] = [
    { value: 'firing', label: 'Firing' },
    { value: 'resolved', label: 'Resolved' },
    { value: 'all', label: 'All' },
  ];
  return (
    <section aria-labelledby="alerts-history" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="alerts-history" className="text-lg font-semibold">
          Alerts
        </h2>
        <div role="tablist" aria-label="Which alerts" className="flex gap-1">
          {tabs.map((tab) => (
            <button
              key={tab.value}
              type="button"
              role="tab"
              aria-selected={state === tab.value}
              onClick={() => setState(tab.value)}
              className={`rounded-md px-3 py-1 text-sm ${
                state === tab.value
                  ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900'
                  : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
              }`}
            >
              {tab.label}
            </button>
          ))}
        </div>
      </div>
      {alerts.error && <ErrorNote>{alerts.error.message}</ErrorNote>}
      <div data-testid="alerts-history" className={card}>
        {alerts.isPending && <p className="text-sm text-slate-500">Loading…</p>}
        {alerts.data?.length === 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {state === 'firing' ? 'Nothing fires now.' : 'No alerts yet.'} Alerts appear here when a rule's
            condition is met; the bell at the top shows the ones firing.
          </p>
        )}
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {alerts.data?.map((alert) => (
            <li key={alert.id} className="py-2 first:pt-0 last:pb-0">
              <AlertItem alert={alert} />
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function Rules({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const rules = useQuery(trpc.alerts.rules.queryOptions());
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const [editing, setEditing] = useState<AlertRule | 'new' | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.rules.queryKey() });
  const remove = useMutation(
    trpc.alerts.deleteRule.mutationOptions({
      onSuccess: () => {
        toast.success('Rule deleted');
        refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const hostName = (id: string) => hosts.data?.find((host) => host.id === id)?.name ?? id;
  const scopeOf = (rule: AlertRule) =>
    [
      rule.hostIds.length === 0 ? 'every host' : rule.hostIds.map(hostName).join(', '),
      rule.labels.length > 0 ? `labels ${rule.labels.join(', ')}` : null,
    ]
      .filter(Boolean)
      .join(' · ');

  return (
    <section aria-labelledby="alert-rules" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="alert-rules" className="text-lg font-semibold">
          Rules
        </h2>
        {isAdmin && editing === null && <Button onClick={() => setEditing('new')}>New rule</Button>}
      </div>
      {rules.error && <ErrorNote>{rules.error.message}</ErrorNote>}
      {editing !== null && (
        <RuleForm
          key={editing === 'new' ? 'new' : editing.id}
          rule={editing === 'new' ? null : editing}
          hosts={hosts.data ?? []}
          onDone={() => {
            toast.success(editing === 'new' ? 'Rule created' : 'Rule saved');
            setEditing(null);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {rules.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {rules.data?.length === 0 && (
        <div data-testid="rules-empty" className={`${card} text-sm text-slate-600 dark:text-slate-400`}>
          <p className="font-medium text-slate-900 dark:text-slate-100">No rules yet</p>
          <p className="mt-1">
            {isAdmin
              ? 'Create a rule to be told when a container is OOM-killed, restarts in a loop, is throttled or near its memory limit, turns unhealthy, or a host goes offline. Add a webhook to have alerts sent elsewhere.'
              : 'An admin creates the rules that decide what fires. Until then nothing is watched.'}
          </p>
        </div>
      )}
      {rules.data && rules.data.length > 0 && (
        <DataTable columns={['Rule', 'Condition', 'Scope', 'State', '']}>
          {rules.data.map((rule) => (
            <tr key={rule.id} data-testid={`rule-row-${rule.name}`} className={rowClass}>
              <td className="px-4 py-3 font-medium">{rule.name}</td>
              <td className="px-4 py-3">{describeCondition(rule.condition)}</td>
              <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{scopeOf(rule)}</td>
              <td className="px-4 py-3">{rule.enabled ? 'enabled' : 'disabled'}</td>
              <td className="px-4 py-3 whitespace-nowrap text-right">
                {isAdmin && (
                  <span className="relative flex justify-end gap-3">
                    <button type="button" className={linkButton} onClick={() => setEditing(rule)}>
                      Edit<span className="sr-only"> {rule.name}</span>
                    </button>
                    <button
                      type="button"
                      className={dangerButton}
                      onClick={() => {
                        if (window.confirm(`Delete the rule ${rule.name} and its alerts?`))
                          remove.mutate({ id: rule.id });
                      }}
                    >
                      Delete<span className="sr-only"> {rule.name}</span>
                    </button>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function Webhooks({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  // Deliveries retry on the server without a change to the alerts: follow them while one is pending.
  const webhooks = useQuery(
    trpc.alerts.webhooks.queryOptions(undefined, {
      refetchInterval: (query) =>
        query.state.data?.some((webhook) => webhook.lastDelivery?.status === 'pending') ? 1_000 : false,
    }),
  );
  const rules = useQuery(trpc.alerts.rules.queryOptions());
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.webhooks.queryKey() });
  const remove = useMutation(
    trpc.alerts.deleteWebhook.mutationOptions({
      onSuccess: () => {
        toast.success('Webhook deleted');
        refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const ruleName = (id: string) => rules.data?.find((rule) => rule.id === id)?.name ?? id;

  return (
    <section aria-labelledby="alert-webhooks" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="alert-webhooks" className="text-lg font-semibold">
          Webhooks
        </h2>
        {isAdmin && editing === null && <Button onClick={() => setEditing('new')}>Add webhook</Button>}
      </div>
      {webhooks.error && <ErrorNote>{webhooks.error.message}</ErrorNote>}
      {editing !== null && (
        <WebhookForm
          key={editing === 'new' ? 'new' : editing.id}
          webhook={editing === 'new' ? null : editing}
          rules={rules.data ?? []}
          onDone={() => {
            toast.success(editing === 'new' ? 'Webhook added' : 'Webhook saved');
            setEditing(null);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {webhooks.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {webhooks.data?.length === 0 && (
        <div className={`${card} text-sm text-slate-600 dark:text-slate-400`}>
          <p className="font-medium text-slate-900 dark:text-slate-100">No webhooks</p>
          <p className="mt-1">
            {isAdmin
              ? 'Add a webhook to POST each fired and resolved alert as JSON to a chat bridge, a pager or your own service.'
              : 'Alerts show here and in the bell; an admin can also have them sent to a webhook.'}
          </p>
        </div>
      )}
      <ul className="space-y-3">
        {webhooks.data?.map((webhook) => (
          <li key={webhook.id} data-testid={`webhook-row-${webhook.name}`} className={card}>
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0 space-y-0.5">
                <p className="font-medium">
                  {webhook.name}
                  {!webhook.enabled && <span className="ml-2 text-xs text-slate-500">disabled</span>}
                </p>
                <p className="break-all font-mono text-xs text-slate-600 dark:text-slate-400">
                  {webhook.url}
                </p>
                <p className="text-xs text-slate-500">
                  {webhook.ruleIds.length === 0 ? 'every rule' : webhook.ruleIds.map(ruleName).join(', ')}
                  {webhook.secretHeaderName && ` · header ${webhook.secretHeaderName}`}
                </p>
              </div>
              {isAdmin && (
                <span className="flex gap-3">
                  <button type="button" className={linkButton} onClick={() => setEditing(webhook)}>
                    Edit<span className="sr-only"> {webhook.name}</span>
                  </button>
                  <button
                    type="button"
                    className={dangerButton}
                    onClick={() => {
                      if (window.confirm(`Delete the webhook ${webhook.name}?`))
                        remove.mutate({ id: webhook.id });
                    }}
                  >
                    Delete<span className="sr-only"> {webhook.name}</span>
                  </button>
                </span>
              )}
            </div>
            <LastDelivery webhook={webhook} />
          </li>
        ))}
      </ul>
    </section>
  );
}

const deliveryStyles = {
  delivered: 'text-emerald-700 dark:text-emerald-300',
  pending: 'text-amber-700 dark:text-amber-300',
  failed: 'text-red-700 dark:text-red-300',
} as const;

function LastDelivery({ webhook }: { webhook: Webhook }) {
  const last = webhook.lastDelivery;
  return (
    <p data-testid="webhook-last-delivery" className="mt-2 text-xs">
      <span className="text-slate-500">Last delivery: </span>
      {!last ? (
        <span className="text-slate-500">none yet</span>
      ) : (
        <>
          <span className={`font-medium ${deliveryStyles[last.status]}`}>{last.status}</span>
          <span className="text-slate-600 dark:text-slate-400">
            {' '}
            · {last.event} · {countOf(last.attempts, 'attempt')}
            {last.responseStatus !== null && ` · HTTP ${last.responseStatus}`} ·{' '}
            {new Date(last.updatedAt).toLocaleString()}
          </span>
          {last.lastError && last.status !== 'delivered' && (
            <span className="block break-words text-red-700 dark:text-red-300">{last.lastError}</span>
          )}
        </>
      )}
    </p>
  );
}
