import type { ReactNode } from 'react';
import { HostFrame } from '~/components/host-page/host-frame';
import { readHost } from '~/server/ssr/host-first-screen';

/** Every host screen's frame; the host's row is read on the server so its name is in the HTML. */
export default async function HostLayout({
  params,
  children,
}: {
  params: Promise<{ hostId: string }>;
  children: ReactNode;
}) {
  const { hostId } = await params;
  return (
    <HostFrame hostId={hostId} initialHost={await readHost(hostId)}>
      {children}
    </HostFrame>
  );
}
