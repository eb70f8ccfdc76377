import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written by the bundler beside the files: what each served file is and how to cache it. */
export const CATALOG_FILE = 'catalog.json';

export interface AddinAsset {
  contentType: string;
  /** Named by a hash of its content: cached for a year, never revalidated. */
  immutable: boolean;
}

export type AddinCatalog = Record<string, AddinAsset>;

/** The built add-in: files read once at start, served from memory. */
export interface AddinAssets {
  catalog: AddinCatalog;
  read(name: string): Buffer | null;
}

export function loadAddinAssets(directory: string): AddinAssets {
  const catalog = JSON.parse(readFileSync(join(directory, CATALOG_FILE), 'utf8')) as AddinCatalog;
  const files = new Map(
    Object.keys(catalog).map((name) => [name, readFileSync(join(directory, name))] as const),
  );
  return { catalog, read: (name) => files.get(name) ?? null };
}
