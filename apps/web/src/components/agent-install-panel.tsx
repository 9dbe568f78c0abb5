'use client';

import { type InstallProgress, type InstallStep, InstallStepSchema } from '@stevedore/shared';
import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { ErrorNote, SecondaryButton, SuccessNote } from './ui';

const LABELS: Record<InstallStep, string> = {
  connect: 'Connect over SSH',
  preflight: 'Check the machine',
  packages: 'System packages',
  upload: 'Ship the agent',
  service: 'Start the service',
  verify: 'Reach the agent',
};
const LOG_LINES = 200;

/** Follows one agent installation: each step's latest message, the command output, the outcome. */
export function AgentInstallPanel({
  jobId,
  title,
  onClose,
  onDone,
}: {
  jobId: string;
  title: string;
  onClose(): void;
  onDone?(done: Extract<InstallProgress, { kind: 'done' }>): void;
}) {
  const trpc = useTRPC();
  const [steps, setSteps] = useState<Partial<Record<InstallStep, string>>>({});
  const [current, setCurrent] = useState<InstallStep | null>(null);
  const [log, setLog] = useState<string[]>([]);
  const [done, setDone] = useState<Extract<InstallProgress, { kind: 'done' }> | null>(null);
  const subscription = useSubscription(
    trpc.hosts.installProgress.subscriptionOptions(
      { jobId },
      {
        onData: (item) => {
          if (item.kind === 'step') {
            setSteps((previous) => ({ ...previous, [item.step]: item.message }));
            setCurrent(item.step);
          } else if (item.kind === 'log') setLog((previous) => [...previous, item.line].slice(-LOG_LINES));
          else {
            setDone(item);
            onDone?.(item);
          }
        },
      },
    ),
  );
  const cancel = useMutation(trpc.hosts.cancelInstall.mutationOptions());
  const failed = subscription.error?.message ?? null;
  const running = !done && !failed;

  return (
    <section
      aria-label={title}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 className="font-semibold">{title}</h2>
      <ol className="space-y-1 text-sm">
        {InstallStepSchema.options.map((step) => {
          const reached = steps[step] !== undefined;
          const mark = !reached
            ? '○'
            : step === current && running
              ? '…'
              : step === current && failed
                ? '✗'
                : '✓';
          return (
            <li key={step} data-testid={`install-step-${step}`} className={reached ? '' : 'text-slate-400'}>
              <span className="inline-block w-5" aria-hidden>
                {mark}
              </span>
              <span className="font-medium">{LABELS[step]}</span>
              {steps[step] && <span className="text-slate-500"> — {steps[step]}</span>}
            </li>
          );
        })}
      </ol>
      {log.length > 0 && (
        <pre className="max-h-48 overflow-auto rounded bg-slate-950 p-2 font-mono text-xs text-slate-100">
          {log.join('\n')}
        </pre>
      )}
      {failed && <ErrorNote>{failed}</ErrorNote>}
      {done && (
        <SuccessNote>
          Agent {done.version} installed and answering.
          {done.warnings.map((warning) => (
            <span key={warning} className="mt-1 block text-amber-800 dark:text-amber-300">
              {warning}
            </span>
          ))}
        </SuccessNote>
      )}
      <div className="flex gap-2">
        {running ? (
          <SecondaryButton onClick={() => cancel.mutate({ jobId })} disabled={cancel.isPending}>
            Cancel installation
          </SecondaryButton>
        ) : (
          <SecondaryButton onClick={onClose}>Close</SecondaryButton>
        )}
      </div>
    </section>
  );
}
