import { type LoggerService } from '@nestjs/common';

/** Keeps every log line, as JSON, so a test can prove no PHI reached the logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.keep(args);
  warn = (...args: unknown[]) => this.keep(args);
  error = (...args: unknown[]) => this.keep(args);
  debug = (...args: unknown[]) => this.keep(args);
  verbose = (...args: unknown[]) => this.keep(args);

  private keep(args: unknown[]): void {
    this.lines.push(JSON.stringify(args));
  }
}
