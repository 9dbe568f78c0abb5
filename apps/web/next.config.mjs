// Plain JavaScript on purpose: Next compiles a next.config.ts with its native SWC binary each time
// the server starts, and that binary then stays mapped in the production server (24 MiB of RSS).
/** @type {import('next').NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (src/server/main.ts) serves the API; Next only renders the pages.
  typescript: { ignoreBuildErrors: false },
  devIndicators: false,
};

export default config;
