'use client';

import { useParams } from 'next/navigation';
import { VolumesTab } from '~/components/volumes/volumes-tab';

export default function HostVolumesPage() {
  const { hostId } = useParams<{ hostId: string }>();
  return <VolumesTab hostId={hostId} />;
}
