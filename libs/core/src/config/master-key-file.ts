import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootError } from '../boot/boot-error';
import { EnvValueError, parseMasterKey } from './env-parsers';

export const MASTER_KEY_FILE = 'master.key';

/**
 * Development convenience: reads the master key from the data directory, creating it on
 * first use. The key is written to a private temporary file and then linked into place, so a
 * process starting at the same moment (api and worker) reads either nothing or a whole key,
 * and the first to link wins.
 */
export function readOrCreateMasterKeyFile(dataDir: string): { key: Buffer; path: string } {
  const path = join(dataDir, MASTER_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  } finally {
    unlinkSync(draft);
  }
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
