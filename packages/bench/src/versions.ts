function compare(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The full version a configuration's `version` means among the versions at hand, as the feature
 * resolves it: `3.13.5` itself, `3.13` its newest patch release, `latest` the newest of all.
 * Undefined when none fits.
 */
export function resolveRequestedVersion(requested: string, available: string[]): string | undefined {
  const fitting = available.filter(
    (version) => requested === 'latest' || version === requested || version.startsWith(`${requested}.`),
  );
  return fitting.sort(compare).at(-1);
}
