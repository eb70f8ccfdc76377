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

/**
 * A clock the tests set and move, starting a minute ahead of real time: triggers stamp rows
 * with the database's now(), which must not be later than this clock.
 */
export class MovableClock extends Clock {
  private at = Date.now() + 60_000;

  now(): Date {
    return new Date(this.at);
  }

  advance(ms: number): void {
    this.at += ms;
  }

  set(at: Date): void {
    this.at = at.getTime();
  }
}
