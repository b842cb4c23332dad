/**
 * The one clock of the service. Every rule that reads the time asks this, never Date.now(), so the
 * 2022 campaign can be run today on a simulated clock (CLOCK_START / CLOCK_RATE / CLOCK_ANCHOR).
 */
export abstract class Clock {
  abstract now(): Date;
}

/**
 * Real time, or a simulated time that reads `start` at the real instant `anchorMs` (by default when the
 * clock is made, i.e. when the process starts) and runs `rate` times faster. Processes given the same
 * start, rate and anchor tell the same time whenever each of them started.
 */
export class ServiceClock extends Clock {
  private readonly realStart: number;

  constructor(
    private readonly start?: Date,
    private readonly rate = 1,
    anchorMs?: number,
  ) {
    super();
    this.realStart = anchorMs ?? Date.now();
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
