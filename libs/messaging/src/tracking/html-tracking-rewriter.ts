import { type DefaultTreeAdapterMap, html as htmlSpec, parse } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export interface TrackingUrls {
  /** The tracked URL for the `index`-th tracked link to `url`, or null to leave it alone. */
  link(index: number, url: string): string | null;
  pixel: string;
}

export interface RewrittenHtml {
  html: string;
  trackedLinks: number;
}

/** Where tracking goes in one HTML text; the same for every recipient of that text. */
export interface TrackingSpots {
  /** Each `href` attribute to rewrite: its source span and the URL it names. */
  links: { start: number; end: number; url: string }[];
  /** Where the pixel goes: before `</body>`, or the end. */
  pixelAt: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Adds tracking to an HTML part: every `<a href>` to an http(s) URL points at its tracked
 * URL, and a 1x1 image goes before `</body>` (or at the end). The document is parsed as a
 * browser would (parse5), but only the spans of those attributes change: everything else is
 * left byte for byte, so the sender's markup, entities and comments survive.
 */
export function addTracking(html: string, urls: TrackingUrls): RewrittenHtml {
  return applyTracking(html, findTrackingSpots(html), urls);
}

/** The parse: the costly half, which depends on the HTML alone. */
export function findTrackingSpots(html: string): TrackingSpots {
  const document = parse(html, { sourceCodeLocationInfo: true });
  const links: TrackingSpots['links'] = [];
  const seen = new Set<number>();
  let bodyEnd: number | undefined;

  walk(document, (element) => {
    if (element.namespaceURI !== htmlSpec.NS.HTML) {
      return;
    }
    if (element.tagName === 'body') {
      bodyEnd = element.sourceCodeLocation?.endTag?.startOffset;
    }
    if (element.tagName !== 'a') {
      return;
    }
    const href = element.attrs.find((attr) => attr.name === 'href' && !attr.prefix);
    const location = element.sourceCodeLocation?.attrs?.href;
    // The parser may clone an <a> to repair misnested markup; a span is rewritten once.
    if (!href || !location || seen.has(location.startOffset)) {
      return;
    }
    seen.add(location.startOffset);
    const url = httpUrlOf(href.value);
    if (url !== null) {
      links.push({ start: location.startOffset, end: location.endOffset, url });
    }
  });
  return { links, pixelAt: bodyEnd ?? html.length };
}

/** The cheap half, per recipient: splices in that recipient's URLs. */
export function applyTracking(
  html: string,
  spots: TrackingSpots,
  urls: TrackingUrls,
): RewrittenHtml {
  const edits: Edit[] = [];
  for (const link of spots.links) {
    const tracked = urls.link(edits.length, link.url);
    if (tracked !== null) {
      edits.push({ start: link.start, end: link.end, text: `href="${escapeAttribute(tracked)}"` });
    }
  }
  const trackedLinks = edits.length;
  const pixel =
    `<img src="${escapeAttribute(urls.pixel)}" width="1" height="1" alt="" ` +
    'style="display:block;width:1px;height:1px;border:0" />';
  edits.push({ start: spots.pixelAt, end: spots.pixelAt, text: pixel });
  return { html: applyEdits(html, edits), trackedLinks };
}

/** The absolute http(s) URL an href names, normalised as a browser would, or null. */
function httpUrlOf(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function walk(node: Node, visit: (element: Element) => void): void {
  if ('tagName' in node) {
    visit(node);
  }
  if ('childNodes' in node) {
    for (const child of node.childNodes) {
      walk(child, visit);
    }
  }
}

function applyEdits(html: string, edits: Edit[]): string {
  let result = html;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
