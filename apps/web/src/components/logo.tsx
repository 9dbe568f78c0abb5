/** Stevedore's mark: containers stacked on a deck (the same drawing as the favicon, app/icon.svg). */
export function Logo({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="#0284c7" />
      <rect x="6" y="17" width="9" height="6" rx="1" fill="#fff" />
      <rect x="17" y="17" width="9" height="6" rx="1" fill="#fff" />
      <rect x="11.5" y="10" width="9" height="6" rx="1" fill="#bae6fd" />
      <path d="M4 25h24l-2.5 3h-19z" fill="#0c4a6e" />
    </svg>
  );
}
