'use client';

import { useState } from 'react';
import { SecondaryButton } from '../ui';

/** Copies `text` to the clipboard and says so (or why not) for two seconds. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setResult('copied');
    } catch {
      // Clipboard access needs a secure context or a permission; the text stays selectable.
      setResult('failed');
    }
    setTimeout(() => setResult(null), 2_000);
  };
  return (
    <SecondaryButton
      className="px-3 py-1.5 text-xs sm:text-sm"
      onClick={() => void copy()}
      aria-live="polite"
    >
      {result === 'copied' ? 'Copied' : result === 'failed' ? 'Copy failed: select the text' : label}
    </SecondaryButton>
  );
}
