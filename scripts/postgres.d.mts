export function startPostgres(options?: {
  database?: string;
}): Promise<{ url: string; port: number; stop(): Promise<void> }>;
