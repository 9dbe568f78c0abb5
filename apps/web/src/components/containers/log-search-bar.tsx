'use client';

import { inputClass, smallButton } from './log-viewer-styles';
import type { useLogSearch } from './use-log-search';

/** The search row: the query (Enter / Shift+Enter to find, Esc clears), regex and case, ↑ ↓, the status. */
export function LogSearchBar({ search }: { search: ReturnType<typeof useLogSearch> }) {
  const { searchText, regex, caseSensitive, searchState, debounced, count, find } = search;
  return (
    <div className="flex w-full items-center gap-1">
      <input
        type="search"
        aria-label="Search the whole log"
        placeholder={regex ? 'Regular expression…' : 'Search the whole log…'}
        value={searchText}
        className={`${inputClass} min-w-0 flex-1 font-mono`}
        data-testid="log-search"
        onChange={(event) => search.changeText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            void find(event.shiftKey ? 'previous' : 'next');
          } else if (event.key === 'Escape') {
            event.preventDefault();
            search.clearSearch();
          }
        }}
      />
      <label className="flex items-center gap-1 text-xs" title="Regular expression">
        <input type="checkbox" checked={regex} onChange={(e) => search.setRegex(e.target.checked)} /> .*
      </label>
      <label className="flex items-center gap-1 text-xs" title="Match case">
        <input
          type="checkbox"
          checked={caseSensitive}
          onChange={(e) => search.setCaseSensitive(e.target.checked)}
        />{' '}
        Aa
      </label>
      <button
        type="button"
        className={smallButton}
        aria-label="Previous match"
        onClick={() => void find('previous')}
      >
        ↑
      </button>
      <button type="button" className={smallButton} aria-label="Next match" onClick={() => void find('next')}>
        ↓
      </button>
      <span
        className="min-w-[7rem] shrink-0 text-right text-xs text-slate-500"
        data-testid="log-search-status"
        aria-live="polite"
      >
        {searchState.kind === 'searching'
          ? 'searching…'
          : searchState.kind === 'none'
            ? searchState.message
            : debounced && count.isSuccess
              ? `${count.data.complete ? '' : '≥ '}${count.data.count.toLocaleString()} matching line${count.data.count === 1 ? '' : 's'}`
              : ''}
      </span>
    </div>
  );
}
