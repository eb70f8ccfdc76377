import { randomBytes } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Creates `path` with `contents` unless it exists, atomically: the contents go to a private
 * draft that is then linked into place, so processes starting at the same moment read either
 * nothing or a whole file, and the first to link wins. Read the file afterwards.
 */
export function writeFileOnce(path: string, contents: string): void {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, contents, { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  } finally {
    unlinkSync(draft);
  }
}
