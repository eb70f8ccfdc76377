import type { Response } from 'express';

// Outlook shows add-in pages in frames of these hosts (web, new Outlook, Microsoft 365 apps);
// desktop Outlook uses a webview that frame-ancestors does not restrict.
const OUTLOOK_FRAME_HOSTS = [
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
  'https://outlook.cloud.microsoft',
  'https://*.office.com',
  'https://*.officeapps.live.com',
  'https://*.microsoft365.com',
  'https://*.cloud.microsoft',
];

/**
 * Office.js itself comes from Microsoft's CDN, which Office requires; everything else is ours.
 * The pages call only this api.
 */
export const ADDIN_CSP = [
  "default-src 'self'",
  "script-src 'self' https://appsforoffice.microsoft.com",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  `frame-ancestors 'self' ${OUTLOOK_FRAME_HOSTS.join(' ')}`,
].join('; ');

/** Hashed files never change under their name; pages, scripts and manifests named by the
 * manifests do, so they are rechecked within five minutes of a deploy. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const SHORT_CACHE = 'public, max-age=300, must-revalidate';

export function sendAddinFile(
  response: Response,
  body: Buffer | string,
  contentType: string,
  cacheControl: string,
): void {
  response.setHeader('Content-Security-Policy', ADDIN_CSP);
  response.setHeader('Cache-Control', cacheControl);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.type(contentType).send(body);
}
