import { FIRST_TAIL, type FirstLogPage, UNFILTERED } from '~/components/containers/log-first-page';
import { LogViewer } from '~/components/containers/log-viewer';
import { pageCaller } from '~/server/ssr/page-caller';

/**
 * The last lines are read here, on the server, through the same procedure (and role check) the
 * browser would call, so they are in the HTML; the viewer goes on from them without asking again.
 * The rest of the page is sent first: the lines follow in the same response once the agent answered.
 */
export default async function ContainerLogsPage({
  params,
}: {
  params: Promise<{ hostId: string; containerId: string }>;
}) {
  const { hostId, containerId } = await params;
  return <LogViewerWithFirstPage hostId={hostId} containerId={containerId} />;
}

async function LogViewerWithFirstPage({ hostId, containerId }: { hostId: string; containerId: string }) {
  return (
    <LogViewer hostId={hostId} containerId={containerId} first={await readFirstPage(hostId, containerId)} />
  );
}

async function readFirstPage(hostId: string, container: string): Promise<FirstLogPage | null> {
  const api = await pageCaller();
  if (!api) return null;
  try {
    const page = await api.containers.logs.page({
      hostId,
      container,
      ...UNFILTERED,
      from: 'end',
      direction: 'backward',
      limit: FIRST_TAIL,
    });
    return { lines: page.lines, before: page.before, atStart: page.atStart };
  } catch {
    // Nothing is lost: without a first page the viewer reads it from the browser, and shows the
    // procedure's error (no session, no such container, agent down) as it always did.
    return null;
  }
}
