import PDFDocument from 'pdfkit';
import { type ReportFigures } from './report-figures';
import { type ReportHeading, type ReportTable, reportTables } from './report-table';

const MARGIN = 50;
const ROW_HEIGHT = 16;
const BAR_COLOUR = '#2f6f9f';
const LINE_COLOUR = '#b3472d';
const CHART_HEIGHT = 160;

type Doc = PDFKit.PDFDocument;

/**
 * Draws a report: a title page, a chart of copies per protection method, a chart of copies
 * per day, then every table. Vector drawing only (no images, no fonts to load), so the file
 * stays small and its text can be extracted.
 */
export async function renderReportPdf(
  heading: ReportHeading,
  figures: ReportFigures,
  onPage: (pages: number) => Promise<void> = () => Promise.resolve(),
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: 'Sealpost compliance report', Producer: 'Sealpost', Creator: 'Sealpost' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  drawTitlePage(doc, heading);
  doc.addPage();
  drawBarChart(
    doc,
    'Copies by protection method',
    figures.methods.map((row) => ({ label: row.method, value: row.copies })),
  );
  drawDayChart(doc, figures.days);
  await onPage(2);

  const tables = reportTables(heading, figures).slice(1);
  for (const [index, table] of tables.entries()) {
    drawTable(doc, table);
    await onPage(3 + index);
  }

  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function drawTitlePage(doc: Doc, heading: ReportHeading): void {
  doc.font('Helvetica-Bold').fontSize(24).text('Sealpost compliance report', { align: 'left' });
  doc.moveDown(1.5);
  doc.font('Helvetica').fontSize(12);
  doc.text(`Organisation: ${heading.organisationId}`);
  doc.text(`From: ${heading.range.from.toISOString()}`);
  doc.text(`To (exclusive): ${heading.range.to.toISOString()}`);
  doc.text(`Generated at: ${heading.generatedAt.toISOString()}`);
  doc.moveDown(1.5);
  doc
    .fontSize(10)
    .text(
      'Counts only: copies are recipient copies of messages accepted in the range; portal ' +
        'and engagement figures are events that happened in the range. Days are UTC.',
    );
}

interface Bar {
  label: string;
  value: number;
}

function drawBarChart(doc: Doc, title: string, bars: Bar[]): void {
  doc.font('Helvetica-Bold').fontSize(14).text(title, MARGIN, doc.y);
  const top = doc.y + 10;
  const width = doc.page.width - 2 * MARGIN;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = width / Math.max(1, bars.length);
  doc.font('Helvetica').fontSize(9);
  for (const [index, bar] of bars.entries()) {
    const height = (bar.value / max) * CHART_HEIGHT;
    const x = MARGIN + index * slot + slot * 0.15;
    doc
      .rect(x, top + CHART_HEIGHT - height, slot * 0.7, height)
      .fill(BAR_COLOUR)
      .fillColor('black');
    doc.text(String(bar.value), x, top + CHART_HEIGHT - height - 12, {
      width: slot * 0.7,
      align: 'center',
    });
    doc.text(bar.label, x, top + CHART_HEIGHT + 4, { width: slot * 0.7, align: 'center' });
  }
  doc
    .moveTo(MARGIN, top + CHART_HEIGHT)
    .lineTo(MARGIN + width, top + CHART_HEIGHT)
    .stroke();
  doc.x = MARGIN;
  doc.y = top + CHART_HEIGHT + 30;
}

function drawDayChart(doc: Doc, days: ReportFigures['days']): void {
  doc.font('Helvetica-Bold').fontSize(14).text('Copies per day', MARGIN, doc.y);
  const top = doc.y + 10;
  const width = doc.page.width - 2 * MARGIN;
  const max = Math.max(1, ...days.map((day) => day.copies));
  const step = days.length > 1 ? width / (days.length - 1) : 0;
  const point = (index: number): [number, number] => [
    MARGIN + index * step,
    top + CHART_HEIGHT - (days[index].copies / max) * CHART_HEIGHT,
  ];
  doc
    .moveTo(MARGIN, top + CHART_HEIGHT)
    .lineTo(MARGIN + width, top + CHART_HEIGHT)
    .stroke();
  if (days.length > 0) {
    doc.moveTo(...point(0));
    for (let index = 1; index < days.length; index++) {
      doc.lineTo(...point(index));
    }
    doc.lineWidth(1.5).strokeColor(LINE_COLOUR).stroke().strokeColor('black').lineWidth(1);
  }
  doc.font('Helvetica').fontSize(9).fillColor('black');
  doc.text(`peak ${max}`, MARGIN, top - 2);
  if (days.length > 0) {
    doc.text(days[0].day, MARGIN, top + CHART_HEIGHT + 4);
    doc.text(days[days.length - 1].day, MARGIN, top + CHART_HEIGHT + 4, {
      width,
      align: 'right',
    });
  }
  doc.x = MARGIN;
  doc.y = top + CHART_HEIGHT + 30;
}

function drawTable(doc: Doc, table: ReportTable): void {
  const widths = columnWidths(doc.page.width - 2 * MARGIN, table.columns.length);
  ensureRoom(doc, 4 * ROW_HEIGHT);
  doc.font('Helvetica-Bold').fontSize(13).text(table.title, MARGIN, doc.y);
  doc.moveDown(0.3);
  drawRow(doc, table.columns, widths, 'Helvetica-Bold');
  for (const row of table.rows) {
    ensureRoom(doc, ROW_HEIGHT);
    drawRow(doc, row, widths, 'Helvetica');
  }
  doc.moveDown(1);
}

// The first column holds names and dates; it keeps room for a whole YYYY-MM-DD at 9 pt.
const FIRST_COLUMN_MIN = 120;

function columnWidths(width: number, count: number): number[] {
  if (count === 1) {
    return [width];
  }
  const first = Math.max(FIRST_COLUMN_MIN, width / count);
  return [first, ...Array.from({ length: count - 1 }, () => (width - first) / (count - 1))];
}

function drawRow(doc: Doc, cells: (string | number)[], widths: number[], font: string): void {
  const y = doc.y;
  doc.font(font).fontSize(9);
  let x = MARGIN;
  for (const [index, cell] of cells.entries()) {
    doc.text(String(cell), x, y, { width: widths[index] - 4, lineBreak: false });
    x += widths[index];
  }
  doc.x = MARGIN;
  doc.y = y + ROW_HEIGHT;
}

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - MARGIN) {
    doc.addPage();
  }
}
