const BAR_WIDTH = 24;

/**
 * One self-rewriting line on a terminal: a bar, a percentage and counts. Writes nothing when
 * the output is not a terminal, so logs and pipes get only the summary.
 */
export class ProgressLine {
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  update(fraction: number, detail: string): void {
    if (!this.enabled) {
      return;
    }
    const bounded = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(bounded * BAR_WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
    const percent = `${Math.floor(bounded * 100)}%`.padStart(4);
    const line = `[${bar}] ${percent} ${detail}`.slice(0, (this.out.columns || 80) - 1);
    this.out.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  /** Clears the line so the summary starts on a clean one. */
  done(): void {
    if (this.shown) {
      this.out.write('\r\x1b[K');
      this.shown = false;
    }
  }
}
