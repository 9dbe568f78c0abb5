import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '~/trpc/react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Stevedore',
  description: 'Container hosts, one dashboard',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
