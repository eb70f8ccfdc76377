import Redis from 'ioredis';
import { BootError } from '../boot/boot-error';

export interface RedisCheck {
  /** null when the server does not allow CONFIG GET (some managed offerings). */
  maxmemoryPolicy: string | null;
}

/** Connects once, reads the eviction policy, and disconnects. */
export async function checkRedis(url: string): Promise<RedisCheck> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const parsed = new URL(url);
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new BootError(
      `cannot reach Redis at ${parsed.hostname}:${parsed.port || '6379'} (${code}). ` +
        'Start Redis or point REDIS_URL at a running server.',
    );
  }
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    return { maxmemoryPolicy: reply[1] ?? null };
  } catch {
    return { maxmemoryPolicy: null };
  } finally {
    client.disconnect();
  }
}
