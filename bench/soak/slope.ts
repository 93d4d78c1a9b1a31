/** A point of a series: x (e.g. the minute) and y (the figure of that minute). */
export type Point = readonly [x: number, y: number];

/**
 * The slope of the least-squares line through `points`: y's change per unit of x. Points with
 * a non-finite coordinate are left out, so a minute without a reading (a gauge that never
 * arrived) weakens the fit instead of poisoning it. NaN when fewer than two points remain or
 * all remaining x are equal: no line is defined then, and 0 would read as "flat".
 */
export function leastSquaresSlope(points: readonly Point[]): number {
  const usable = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (usable.length < 2) return Number.NaN;
  const meanX = usable.reduce((sum, [x]) => sum + x, 0) / usable.length;
  const meanY = usable.reduce((sum, [, y]) => sum + y, 0) / usable.length;
  // Centred sums: the raw-sum formula loses precision when x or y is large (bytes, epoch ms).
  let covariance = 0;
  let varianceX = 0;
  for (const [x, y] of usable) {
    covariance += (x - meanX) * (y - meanY);
    varianceX += (x - meanX) ** 2;
  }
  return varianceX === 0 ? Number.NaN : covariance / varianceX;
}
