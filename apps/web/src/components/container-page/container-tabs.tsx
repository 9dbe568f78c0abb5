'use client';

import { RouteTabs } from '../route-tabs';

const TABS = [
  { label: 'Overview', path: '' },
  { label: 'Charts', path: '/charts' },
  { label: 'Limits', path: '/limits' },
  { label: 'Logs', path: '/logs' },
  { label: 'Console', path: '/console' },
  { label: 'Processes', path: '/processes' },
  { label: 'Events', path: '/events' },
  { label: 'Inspect', path: '/inspect' },
] as const;

export function ContainerTabs({ base }: { base: string }) {
  return <RouteTabs label="Container" base={base} tabs={TABS} />;
}
