import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { type AddinAssets, CATALOG_FILE, loadAddinAssets } from '@sealpost/outlook-addin';

/** The built Outlook add-in (dist/addins/outlook); tests bind their own bundle. */
export const OUTLOOK_ADDIN_ASSETS = Symbol('OUTLOOK_ADDIN_ASSETS');

// Compiled, this file is dist/apps/api/src/addins/; the bundle is dist/addins/outlook.
const BUILT = resolve(__dirname, '../../../../addins/outlook');

/**
 * The bundle when it was built; none otherwise (running from sources without `npm run build`),
 * in which case the add-in's pages answer 404 and the manifests are still served.
 */
export function builtOutlookAddinAssets(directory: string = BUILT): AddinAssets | null {
  if (!existsSync(join(directory, CATALOG_FILE))) {
    new Logger('Addins').warn({ directory }, 'outlook add-in bundle not built');
    return null;
  }
  return loadAddinAssets(directory);
}
