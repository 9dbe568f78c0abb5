import { ContainerList } from '~/components/containers/container-list';
import { readContainersFirstScreen } from '~/server/ssr/containers-first-screen';

/**
 * The first screen of rows is read here, on the server, through the same procedure role checks as
 * the browser's live list, so it is in the HTML; the live subscription takes over from it.
 */
export default async function ContainersPage() {
  const first = await readContainersFirstScreen();
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Containers</h1>
      <ContainerList first={first} />
    </section>
  );
}
