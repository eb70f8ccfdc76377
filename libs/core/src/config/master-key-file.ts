import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootError } from '../boot/boot-error';
import { EnvValueError, parseMasterKey } from './env-parsers';
import { writeFileOnce } from './write-file-once';

export const MASTER_KEY_FILE = 'master.key';

/**
 * Development convenience: reads the master key from the data directory, creating it on
 * first use; processes starting at the same moment (api, worker, gateway) all read the key
 * the first of them wrote (writeFileOnce).
 */
export function readOrCreateMasterKeyFile(dataDir: string): { key: Buffer; path: string } {
  const path = join(dataDir, MASTER_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileOnce(path, randomBytes(32).toString('base64') + '\n');
  try {
    return { key: parseMasterKey(readFileSync(path, 'utf8')), path };
  } catch (error) {
    if (error instanceof EnvValueError) {
      throw new BootError(
        `the development master key file ${path} is damaged; delete it only if no data was ` +
          'written with it, or set SEALPOST_MASTER_KEY.',
      );
    }
    throw error;
  }
}
