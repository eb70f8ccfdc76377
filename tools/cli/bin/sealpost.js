#!/usr/bin/env node
'use strict';
// Runs the compiled CLI; `npm run build` (or `npm start`) produces it.
const path = require('node:path');
const entry = path.join(__dirname, '..', '..', '..', 'dist', 'tools', 'cli', 'src', 'main.js');
try {
  require.resolve(entry);
} catch {
  process.stderr.write('sealpost: not built yet; run `npm run build` in the Sealpost folder\n');
  process.exit(1);
}
require(entry);
