'use client';

import { useParams } from 'next/navigation';
import { HostImagesScreen } from '~/components/images/host-images-screen';

export default function HostImagesPage() {
  const { hostId } = useParams<{ hostId: string }>();
  return <HostImagesScreen hostId={hostId} />;
}
