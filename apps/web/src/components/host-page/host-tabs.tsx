'use client';

import { RouteTabs } from '../route-tabs';

/** The host page's sections; each lives at /hosts/<id><path>. */
const TABS = [
  { label: 'Overview', path: '' },
  { label: 'Images', path: '/images' },
  { label: 'Networks', path: '/networks' },
  { label: 'Volumes', path: '/volumes' },
  { label: 'Registries', path: '/registries' },
  { label: 'Disk', path: '/disk' },
] as const;

export function HostTabs({ base }: { base: string }) {
  return <RouteTabs label="Host" base={base} tabs={TABS} />;
}
