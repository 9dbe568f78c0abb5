/** One log line's height in the virtualised view (px). */
export const ROW_PX = 20;

export const smallButton =
  'inline-flex h-8 items-center justify-center rounded-md border border-slate-300 px-2 text-xs font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:hover:bg-slate-800';
export const logBox =
  'h-[65vh] min-h-[16rem] rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950';
export const inputClass =
  'h-8 rounded-md border border-slate-300 bg-white px-2 text-sm dark:border-slate-700 dark:bg-slate-900';
