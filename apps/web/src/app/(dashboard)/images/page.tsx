'use client';

import { FleetImagesScreen } from '~/components/images/fleet-images-screen';

export default function ImagesPage() {
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Images</h1>
      <FleetImagesScreen />
    </section>
  );
}
