import { Injectable } from '@nestjs/common';

/** Time behind a port, so expiry is tested by moving a fake clock, not by waiting. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
