/** Numbers as the page shows them. */

/** A class score (0…1) as a percentage: one decimal, none from 99.5 % up. */
export function formatScore(score: number): string {
  return `${(score * 100).toFixed(score >= 0.995 ? 0 : 1)} %`;
}

/** Raw map values: three significant digits, an exponent for the very small or large. */
export function formatValue(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude < 1e-3 || magnitude >= 1e4 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}
