import { type WorkflowStats } from './workflow-stats.service';

const WIDTH = 720;
const LABEL_WIDTH = 220;
const BAR_WIDTH = 360;
const ROW_HEIGHT = 40;
const TOP = 48;

/**
 * The funnel as a self-contained SVG: one row per step, a bar for the contacts processed
 * there and a darker part for those in it now. No scripts, fonts or links, so it can be
 * embedded anywhere; every text is escaped.
 */
export function renderFunnelSvg(title: string, stats: WorkflowStats): string {
  const widest = Math.max(1, ...stats.steps.map((step) => Math.max(step.processed, step.active)));
  const height = TOP + stats.steps.length * ROW_HEIGHT + 16;
  const rows = stats.steps.map((step, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const processed = Math.round((step.processed / widest) * BAR_WIDTH);
    const active = Math.round((step.active / widest) * BAR_WIDTH);
    const label = step.type ? `${step.stepId} (${step.type})` : step.stepId;
    return [
      `<g data-step="${escapeXml(step.stepId)}">`,
      `<text x="8" y="${y + 24}">${escapeXml(label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 8}" width="${processed}" height="24" fill="#7aa6d8"/>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 8}" width="${active}" height="24" fill="#1f4e8c"/>`,
      `<text x="${LABEL_WIDTH + BAR_WIDTH + 12}" y="${y + 24}">` +
        `${step.processed} processed, ${step.active} active</text>`,
      `</g>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" `,
    `viewBox="0 0 ${WIDTH} ${height}" role="img" font-family="sans-serif" font-size="13">`,
    `<title>${escapeXml(title)}: contacts per step</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="26" font-size="16" font-weight="bold">${escapeXml(title)} ` +
      `(version ${stats.version}, ${stats.enrollments.total} enrolled)</text>`,
    ...rows,
    `</svg>`,
  ].join('');
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
