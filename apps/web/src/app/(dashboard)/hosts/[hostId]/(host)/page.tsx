import { HostOverview } from '~/components/host-page/host-overview';
import { readContainersFirstScreen } from '~/server/ssr/containers-first-screen';
import { readHostInfo } from '~/server/ssr/host-first-screen';

/** The host's first screen (its containers' first rows and its system info) is read on the server. */
export default async function HostPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { hostId } = await params;
  const [first, initialInfo] = await Promise.all([readContainersFirstScreen(hostId), readHostInfo(hostId)]);
  return <HostOverview hostId={hostId} first={first} initialInfo={initialInfo} />;
}
