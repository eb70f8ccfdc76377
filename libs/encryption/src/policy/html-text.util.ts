// Tags that start a new line when rendered; they become a space so words on either side stay
// apart (`DOB<br>01/02/1980`). Other tags vanish so that text split by inline markup
// (`123-<b>45</b>-6789`) is scanned as the reader sees it.
const BLOCK_TAG = /^<\/?(?:br|p|div|td|th|tr|li|ul|ol|table|h[1-6]|hr|blockquote|pre)\b/i;

// Attributes a reader sees (as a tooltip or when images are off), so they can carry PHI too.
const VISIBLE_ATTRIBUTE = /\b(?:alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * Reduces HTML to the text a reader sees, for the PHI detectors. Not a sanitiser: its output is
 * scanned, never rendered. Entities are decoded because `123&#45;45&#45;6789` shows an SSN.
 */
export function htmlToText(html: string): string {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, ' ');
  const withoutTags = withoutComments.replace(/<[^>]*>/g, (tag) => {
    const attributes = [...tag.matchAll(VISIBLE_ATTRIBUTE)].map((m) => m[1] ?? m[2] ?? '');
    if (attributes.length > 0) {
      return ` ${attributes.join(' ')} `;
    }
    return BLOCK_TAG.test(tag) ? ' ' : '';
  });
  // Runs of white space render as one space, and the detectors' distances count characters.
  return decodeEntities(withoutTags).replace(/\s+/g, ' ').trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[\da-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const hex = body[1] === 'x' || body[1] === 'X';
      const codePoint = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}
