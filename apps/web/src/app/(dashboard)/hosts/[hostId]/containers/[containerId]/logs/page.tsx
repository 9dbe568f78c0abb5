import { LogViewer } from '~/components/containers/log-viewer';

export default async function ContainerLogsPage({
  params,
}: {
  params: Promise<{ hostId: string; containerId: string }>;
}) {
  const { hostId, containerId } = await params;
  return <LogViewer hostId={hostId} containerId={containerId} />;
}
