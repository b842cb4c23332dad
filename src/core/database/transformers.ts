import type { ValueTransformer } from 'typeorm';

/**
 * BIGINT columns come back from mysql2 as strings. Money and counters in this service stay below 2^53,
 * so they are safe as JS numbers; anything larger is refused instead of silently rounded.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => {
    if (value === null || value === undefined) return value;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`BIGINT value ${value} exceeds the safe integer range`);
    return n;
  },
};
