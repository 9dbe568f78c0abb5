'use client';

import { bytesSize, timeAgo } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from './data-table';
import { ErrorNote } from './ui';

/** The images on one host, as `stevedore images` lists them; the host page refetches on image events. */
export function HostImages({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const images = useQuery(trpc.hosts.images.queryOptions({ hostId }));
  const rows = (images.data ?? []).flatMap((image) =>
    (image.RepoTags.length > 0 ? image.RepoTags : ['<none>:<none>']).map((repoTag) => ({ image, repoTag })),
  );
  return (
    <section className="space-y-2" aria-label="Images">
      <h2 className="text-lg font-semibold">Images</h2>
      {images.isError && <ErrorNote>{images.error.message}</ErrorNote>}
      <DataTable columns={['Repository:Tag', 'Image ID', 'Created', 'Size']}>
        {images.isSuccess && rows.length === 0 && (
          <tr>
            <td colSpan={4} className="px-4 py-6 text-slate-500">
              No images on this host yet.
            </td>
          </tr>
        )}
        {rows.map(({ image, repoTag }) => (
          <tr key={`${image.Id}-${repoTag}`} data-testid="image-row" className={rowClass}>
            <td className="px-4 py-2 font-mono text-xs">{repoTag}</td>
            <td className="px-4 py-2 font-mono text-xs">{image.Id.slice(7, 19)}</td>
            <td className="px-4 py-2 text-xs text-slate-500">{timeAgo(image.Created)}</td>
            <td className="px-4 py-2 tabular-nums">{bytesSize(image.Size)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
