import { BootError } from '../boot/boot-error';

/** Turns a failed connection into a one-line, actionable boot error. */
export function postgresBootError(url: string, error: unknown): BootError {
  const target = describeTarget(url);
  const code = (error as { code?: string }).code ?? (error as Error).message;
  return new BootError(
    `cannot reach PostgreSQL at ${target} (${code}). ` +
      'Start PostgreSQL or point DATABASE_URL at a running server.',
  );
}

/** host:port/database without credentials, safe to print. */
export function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
