/**
 * The one clock of the service. Every rule that reads the time asks this, never Date.now(), so the
 * 2022 campaign can be run today on a simulated clock (CLOCK_START / CLOCK_RATE).
 */
export abstract class Clock {
  abstract now(): Date;
}

/** Real time, or a simulated time that starts at `start` when the process starts and runs `rate` times faster. */
export class ServiceClock extends Clock {
  private readonly realStart = Date.now();

  constructor(
    private readonly start?: Date,
    private readonly rate = 1,
  ) {
    super();
  }

  now(): Date {
    if (!this.start) return new Date();
    return new Date(this.start.getTime() + (Date.now() - this.realStart) * this.rate);
  }
}

/** A clock that moves only when told to: for tests and for the demo driver. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | string) {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: Date | string): void {
    this.current = new Date(instant).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
