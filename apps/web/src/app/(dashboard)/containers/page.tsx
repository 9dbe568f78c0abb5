'use client';

import { ContainerList } from '~/components/containers/container-list';

export default function ContainersPage() {
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Containers</h1>
      <ContainerList />
    </section>
  );
}
