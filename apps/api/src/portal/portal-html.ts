const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every value that reaches a page goes through this: message text, names, file names. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

/**
 * Marks a fragment that was built from escaped values, so pages compose without escaping
 * twice and without a raw string slipping through.
 */
export class Html {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** A tagged template: interpolated strings are escaped, Html fragments are kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1];
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) {
    return value.value;
  }
  if (Array.isArray(value)) {
    return value.map(render).join('');
  }
  if (typeof value === 'string' || typeof value === 'number') {
    return escapeHtml(String(value));
  }
  // undefined, null and false render nothing, so `${cond && fragment}` reads naturally.
  return '';
}

export interface PageOptions {
  title: string;
  /** A message shown above the content; `alert` for errors so screen readers announce it. */
  notice?: { kind: 'status' | 'alert'; text: string };
  body: Html;
}

/** The page frame: language, title, our one stylesheet, a skip link and landmarks. */
export function layout(options: PageOptions): string {
  const notice = options.notice
    ? html`<p class="notice notice-${options.notice.kind}" role="${options.notice.kind}">
        ${options.notice.text}
      </p>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${options.title} - Secure message</title>
        <link rel="stylesheet" href="/portal-assets/portal.css" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header><p class="brand">Secure message</p></header>
        <main id="main">
          <h1>${options.title}</h1>
          ${notice} ${options.body}
        </main>
      </body>
    </html> `.value;
}
