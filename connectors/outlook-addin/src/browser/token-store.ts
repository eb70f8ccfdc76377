/// <reference lib="dom" />
import { type TokenStore } from './sealpost-api';

const KEY = 'sealpost.addinToken';

interface RuntimeStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

declare const OfficeRuntime: { storage?: RuntimeStorage } | undefined;

/**
 * The add-in token lives in the Office runtime's storage where the host offers it (classic
 * Outlook on Windows runs the send handler without a browser, so without localStorage), and in
 * the page's localStorage as well, which Outlook on the web and new Outlook share between the
 * task pane and the send handler.
 */
export function addinTokenStore(): TokenStore {
  const runtime = typeof OfficeRuntime !== 'undefined' ? OfficeRuntime.storage : undefined;
  const local = typeof localStorage !== 'undefined' ? localStorage : undefined;
  return {
    async get() {
      return (await runtime?.getItem(KEY)) ?? local?.getItem(KEY) ?? null;
    },
    async set(token) {
      await runtime?.setItem(KEY, token);
      local?.setItem(KEY, token);
    },
    async clear() {
      await runtime?.removeItem(KEY);
      local?.removeItem(KEY);
    },
  };
}

declare const SEALPOST_BASE_URL: string | undefined;

/**
 * Sealpost's public URL. The api writes it into commands.js as it serves it (that file runs
 * where there may be no page location); pages live under `<base>/addins/`.
 */
export function sealpostBaseUrl(): string {
  if (typeof SEALPOST_BASE_URL === 'string') {
    return SEALPOST_BASE_URL;
  }
  return location.href.replace(/\/addins\/.*$/, '');
}
