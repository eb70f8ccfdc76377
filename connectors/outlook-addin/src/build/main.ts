import { resolve } from 'node:path';
import { bundleOutlookAddin } from './bundle-outlook-addin';

// `npm run build` runs this from the repository root after tsc: the api serves dist/addins/.
const root = process.cwd();
bundleOutlookAddin(
  resolve(root, 'connectors/outlook-addin/src'),
  resolve(root, 'dist/addins/outlook'),
).then(
  (catalog) => console.log(`outlook add-in: ${Object.keys(catalog).length} files in dist/addins`),
  (error: unknown) => {
    console.error('outlook add-in bundle failed', error);
    process.exit(1);
  },
);
