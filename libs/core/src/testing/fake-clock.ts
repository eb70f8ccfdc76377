import { Clock } from '../time/clock.port';

/** A clock that moves only when a test says so. */
export class FakeClock extends Clock {
  private ms = Date.UTC(2030, 0, 1);

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
