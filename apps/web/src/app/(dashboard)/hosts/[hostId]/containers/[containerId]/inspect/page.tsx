'use client';

import { CopyButton } from '~/components/container-page/copy-button';
import { useContainerInspect } from '~/components/container-page/use-container';

export default function ContainerInspectPage() {
  const inspect = useContainerInspect();
  if (!inspect.data) return null;
  const json = JSON.stringify(inspect.data, null, 2);
  return (
    <section className="space-y-2" aria-label="Inspect">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm text-slate-500">
          What <code className="font-mono">stevedore inspect</code> prints for this container.
        </p>
        <CopyButton text={json} label="Copy JSON" />
      </div>
      <pre
        data-testid="inspect-json"
        className="max-h-[70vh] overflow-auto rounded-lg border border-slate-200 bg-slate-50 p-4 font-mono text-xs leading-relaxed text-slate-800 dark:border-slate-800 dark:bg-slate-950 dark:text-slate-200"
      >
        {json}
      </pre>
    </section>
  );
}
