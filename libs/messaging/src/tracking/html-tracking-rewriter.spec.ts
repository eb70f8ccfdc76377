import { addTracking, type TrackingUrls } from './html-tracking-rewriter';

const PIXEL = 'https://mail.example/t/o/TOKEN';

function recording(): TrackingUrls & { seen: [number, string][] } {
  const seen: [number, string][] = [];
  return {
    seen,
    pixel: PIXEL,
    link: (index, url) => {
      seen.push([index, url]);
      return `https://mail.example/t/c/L${index}`;
    },
  };
}

const pixelTag = (html: string) => html.match(/<img src="https:\/\/mail\.example\/t\/o\/[^>]*>/g);

describe('addTracking', () => {
  it('rewrites http and https links in order and leaves the rest byte for byte', () => {
    const urls = recording();
    const html =
      '<p class="x">Book <a href="https://clinic.example/book" title="Book">here</a> or ' +
      "<A HREF='http://clinic.example/call'>call</A>.</p>";

    const result = addTracking(html, urls);

    expect(urls.seen).toEqual([
      [0, 'https://clinic.example/book'],
      [1, 'http://clinic.example/call'],
    ]);
    expect(result.trackedLinks).toBe(2);
    expect(result.html).toBe(
      '<p class="x">Book <a href="https://mail.example/t/c/L0" title="Book">here</a> or ' +
        '<A href="https://mail.example/t/c/L1">call</A>.</p>' +
        '<img src="https://mail.example/t/o/TOKEN" width="1" height="1" alt="" ' +
        'style="display:block;width:1px;height:1px;border:0" />',
    );
  });

  it('decodes entities in a link before tracking it, and keeps entities elsewhere', () => {
    const urls = recording();

    const result = addTracking(
      '<p>Fish &amp; chips &copy;</p><a href="https://x.example/?a=1&amp;b=2&#38;c=3">x</a>',
      urls,
    );

    expect(urls.seen).toEqual([[0, 'https://x.example/?a=1&b=2&c=3']]);
    expect(result.html).toContain('<p>Fish &amp; chips &copy;</p>');
  });

  it('leaves mailto, tel, relative, fragment, javascript and unparsable links untouched', () => {
    const urls = recording();
    const html =
      '<a href="mailto:desk@clinic.example">m</a><a href="tel:+15551234">t</a>' +
      '<a href="/relative">r</a><a href="#top">f</a><a href="javascript:alert(1)">j</a>' +
      '<a href="https://">bad</a><a>no href</a><area href="https://x.example/map">';

    const result = addTracking(html, urls);

    expect(urls.seen).toEqual([]);
    expect(result.trackedLinks).toBe(0);
    expect(result.html.startsWith(html)).toBe(true);
  });

  it('ignores link-like text in comments, scripts, attributes and SVG', () => {
    const urls = recording();
    const html =
      '<!-- <a href="https://c.example">c</a> --><p title=\'<a href="https://t.example">\'>' +
      '</p><svg><a href="https://svg.example/">s</a></svg><textarea><a href="https://ta.example">' +
      '</textarea>';

    addTracking(html, urls);

    expect(urls.seen).toEqual([]);
  });

  it('puts the pixel before </body> when there is one, once', () => {
    const result = addTracking('<html><body><p>Hi</p></body></html>\n', recording());

    expect(result.html).toMatch(/<p>Hi<\/p><img src="[^"]+"[^>]*\/><\/body><\/html>\n$/);
    expect(pixelTag(result.html)).toHaveLength(1);
  });

  it('appends the pixel to a fragment without a body', () => {
    const result = addTracking('<p>Hi', recording());

    expect(result.html.startsWith('<p>Hi<img src="https://mail.example/t/o/TOKEN"')).toBe(true);
  });

  it('leaves a link alone when no tracked URL is given for it', () => {
    const result = addTracking('<a href="https://keep.example/">k</a>', {
      pixel: PIXEL,
      link: () => null,
    });

    expect(result.html.startsWith('<a href="https://keep.example/">k</a>')).toBe(true);
    expect(result.trackedLinks).toBe(0);
  });

  it('rewrites a link repeated by the parser to repair misnested tags only once', () => {
    const urls = recording();

    addTracking('<a href="https://a.example/"><b>one</a>two</b>', urls);

    expect(urls.seen).toEqual([[0, 'https://a.example/']]);
  });
});
