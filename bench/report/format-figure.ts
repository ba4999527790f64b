/**
 * How a bench figure is written, in the console table and in the README: whole numbers from 1000 on,
 * one decimal from 10 on, three significant digits below (so small ratios and latencies keep their
 * precision and large rates do not pretend to more than they have).
 */
export function formatFigure(n: number): string {
  const magnitude = Math.abs(n);
  if (magnitude >= 1000) return n.toFixed(0);
  if (magnitude >= 10) return n.toFixed(1);
  return n.toPrecision(3);
}
