'use client';

import { useParams } from 'next/navigation';
import { NetworksTab } from '~/components/networks/networks-tab';

export default function HostNetworksPage() {
  const { hostId } = useParams<{ hostId: string }>();
  return <NetworksTab hostId={hostId} />;
}
