import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { type AddinCatalog, CATALOG_FILE } from '../addin-assets';

const PAGES = ['taskpane.html', 'sign-in.html', 'commands.html'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Bundles the add-in's browser code with esbuild into `outDir`: the task pane and sign-in
 * scripts and the stylesheet under content-hashed names, the pages with those names filled in,
 * and `commands.js` under a fixed name, since the manifests point at it directly (classic
 * Outlook on Windows loads that file alone). `sourceDir` is connectors/outlook-addin/src.
 */
export async function bundleOutlookAddin(sourceDir: string, outDir: string): Promise<AddinCatalog> {
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    // Outlook's webviews: Edge WebView2, WKWebView, current browsers.
    target: 'es2020',
    outdir: outDir,
    metafile: true,
    logLevel: 'silent',
  } as const;
  const hashed = await build({
    ...common,
    entryPoints: {
      taskpane: join(sourceDir, 'browser/taskpane.ts'),
      'sign-in': join(sourceDir, 'browser/sign-in.ts'),
      addin: join(sourceDir, 'assets/addin.css'),
    },
    entryNames: '[name]-[hash]',
  });
  const fixed = await build({
    ...common,
    entryPoints: { commands: join(sourceDir, 'browser/commands.ts') },
    entryNames: '[name]',
  });

  const catalog: AddinCatalog = {};
  const names = new Map<string, string>();
  for (const [metafile, immutable] of [
    [hashed.metafile, true],
    [fixed.metafile, false],
  ] as const) {
    for (const [output, name] of outputsOf(metafile, outDir)) {
      names.set(name, output);
      catalog[output] = { contentType: typeOf(output), immutable };
    }
  }

  for (const page of PAGES) {
    const template = readFileSync(join(sourceDir, 'assets', page), 'utf8');
    const filled = template.replace(/\{\{([\w.-]+)\}\}/g, (_whole, name: string) => {
      const output = names.get(name);
      if (!output) {
        throw new Error(`${page} names ${name}, which the bundle does not have`);
      }
      return output;
    });
    writeFileSync(join(outDir, page), filled);
    catalog[page] = { contentType: TYPES['.html'], immutable: false };
  }

  writeFileSync(join(outDir, CATALOG_FILE), JSON.stringify(catalog, null, 2));
  return catalog;
}

/** [file name in outDir, entry name + extension (`taskpane.js`)] per output. */
function outputsOf(metafile: Metafile, outDir: string): [string, string][] {
  return Object.entries(metafile.outputs).flatMap(([path, output]) => {
    if (!output.entryPoint) {
      return [];
    }
    const file = basename(relative(outDir, path));
    const extension = file.slice(file.lastIndexOf('.'));
    const entry = file.replace(/-[A-Z0-9]{8}(?=\.)/, '').replace(/\.\w+$/, '');
    return [[file, `${entry}${extension}`]];
  });
}

function typeOf(file: string): string {
  return TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
}
