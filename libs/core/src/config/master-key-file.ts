import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterKey } from './env-parsers';

export const MASTER_KEY_FILE = 'master.key';

/**
 * Development convenience: reads the master key from the data directory, creating it on
 * first use. The exclusive create lets api and worker start together without each writing
 * a different key.
 */
export function readOrCreateMasterKeyFile(dataDir: string): { key: Buffer; path: string } {
  const path = join(dataDir, MASTER_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  }
  return { key: parseMasterKey(readFileSync(path, 'utf8')), path };
}
