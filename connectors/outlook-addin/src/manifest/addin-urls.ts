import { createHash } from 'node:crypto';

/** The sizes Outlook asks for: ribbon buttons 16/32/80, the store 64/128, the unified 192/32. */
export const ICON_SIZES = [16, 32, 64, 80, 128, 192] as const;
export type IconSize = (typeof ICON_SIZES)[number];

/** Every URL the manifests name, all under `<public URL>/addins/outlook/`. */
export interface OutlookAddinUrls {
  origin: string;
  root: string;
  taskpane: string;
  commandsPage: string;
  commandsScript: string;
  signIn: string;
  support: string;
  icon(size: IconSize): string;
}

export function outlookAddinUrls(publicUrl: string): OutlookAddinUrls {
  const root = `${publicUrl.replace(/\/+$/, '')}/addins/outlook`;
  return {
    origin: new URL(publicUrl).origin,
    root,
    taskpane: `${root}/taskpane.html`,
    commandsPage: `${root}/commands.html`,
    commandsScript: `${root}/commands.js`,
    signIn: `${root}/sign-in.html`,
    support: `${publicUrl.replace(/\/+$/, '')}/docs`,
    icon: (size) => `${root}/icon-${size}.png`,
  };
}

/**
 * The add-in's id when SEALPOST_OUTLOOK_ADDIN_ID is unset: a name-based UUID (version 5
 * layout) of the public URL, so every api process of one install answers the same manifest and
 * two installs never share an id.
 */
export function derivedAddinId(publicUrl: string): string {
  const bytes = createHash('sha1').update(`sealpost-outlook-addin:${publicUrl}`).digest();
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
