import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (src/server/main.ts) serves the API; Next only renders the pages.
  typescript: { ignoreBuildErrors: false },
  devIndicators: false,
};

export default config;
