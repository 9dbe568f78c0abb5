import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { themeBootScript } from '~/components/theme-toggle';
import { ToastProvider } from '~/components/toasts';
import { Providers } from '~/trpc/react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Stevedore',
  description: 'Container hosts, one dashboard',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, needed before first paint */}
        <script dangerouslySetInnerHTML={{ __html: themeBootScript }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers>
          <ToastProvider>{children}</ToastProvider>
        </Providers>
      </body>
    </html>
  );
}
