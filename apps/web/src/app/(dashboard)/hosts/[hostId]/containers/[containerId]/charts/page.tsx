'use client';

import { useParams } from 'next/navigation';
import { UsageCharts } from '~/components/containers/usage-charts';

/** The container page's Charts tab: its recorded usage over 5 min … 7 days. */
export default function ContainerChartsPage() {
  const { hostId, containerId } = useParams<{ hostId: string; containerId: string }>();
  return <UsageCharts hostId={hostId} containerId={containerId} />;
}
