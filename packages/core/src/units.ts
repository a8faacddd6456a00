/** Sizes and durations as the build's messages, metadata reports and documents show them. */

/** 2.9 GiB */
export function formatGib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** 49 min 47 s */
export function formatMinutes(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
