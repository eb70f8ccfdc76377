// Served by the api itself: the portal loads nothing from anywhere else (CSP style-src 'self').
// Colours meet WCAG AA contrast; focus stays visible for keyboard users.
export const PORTAL_STYLESHEET = `
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; background: #f4f5f7; color: #1b1f24; }
header { background: #123c69; color: #fff; padding: 0.75rem 1.5rem; }
.brand { margin: 0; font-weight: 600; }
main { max-width: 46rem; margin: 1.5rem auto; background: #fff; padding: 1.5rem 2rem;
  border-radius: 6px; box-shadow: 0 1px 3px rgb(0 0 0 / 15%); }
h1 { font-size: 1.5rem; margin-top: 0; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #123c69; padding: 0.5rem; }
.notice { padding: 0.75rem 1rem; border-radius: 4px; }
.notice-status { background: #e6f4ea; border: 1px solid #1e7b34; }
.notice-alert { background: #fdecea; border: 1px solid #b3261e; }
.meta dt { font-weight: 600; float: left; clear: left; width: 7rem; }
.meta dd { margin-left: 7rem; overflow-wrap: anywhere; }
.body { white-space: pre-wrap; overflow-wrap: anywhere; border-top: 1px solid #d0d4da;
  padding-top: 1rem; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
input[type='text'], textarea { width: 100%; box-sizing: border-box; font: inherit;
  padding: 0.5rem; border: 1px solid #6b7280; border-radius: 4px; }
button { font: inherit; margin-top: 0.75rem; padding: 0.5rem 1.25rem; border: 0;
  border-radius: 4px; background: #123c69; color: #fff; cursor: pointer; }
button.secondary { background: #e5e7eb; color: #1b1f24; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.inline { display: inline; }
`;
