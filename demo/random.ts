/** The small amount of chance the demo's traffic and failures are made of. */

export const chance = (probability: number): boolean => Math.random() < probability;

/** A whole number in [min, max]. */
export const between = (min: number, max: number): number =>
  min + Math.floor(Math.random() * (max - min + 1));

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
