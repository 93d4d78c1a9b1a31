import { leastSquaresSlope, type Point } from "../../bench/soak/slope";

const series = (...ys: number[]): Point[] => ys.map((y, index) => [index + 1, y]);

describe("the soak's least-squares slope", () => {
  it("is 0 for a flat series", () => {
    expect(leastSquaresSlope(series(42, 42, 42, 42))).toBe(0);
  });

  it("is the rate of a straight line, per unit of x", () => {
    expect(leastSquaresSlope(series(10, 12, 14, 16, 18))).toBeCloseTo(2, 12);
  });

  it("is negative for a shrinking series", () => {
    expect(leastSquaresSlope(series(9, 6, 3))).toBeCloseTo(-3, 12);
  });

  it("fits noisy points by least squares", () => {
    // x 1..4, y 1 3 2 4: sum((x-2.5)(y-2.5)) = 4, sum((x-2.5)^2) = 5.
    expect(leastSquaresSlope(series(1, 3, 2, 4))).toBeCloseTo(0.8, 12);
  });

  it("does not depend on where x starts or how the points are ordered", () => {
    const skippingWarmUp: Point[] = [
      [5, 108],
      [2, 102],
      [4, 106],
      [3, 104],
    ];
    expect(leastSquaresSlope(skippingWarmUp)).toBeCloseTo(2, 12);
  });

  it("keeps its precision for large values such as bytes", () => {
    const base = 2 ** 40;
    expect(leastSquaresSlope(series(base, base + 1, base + 2))).toBeCloseTo(1, 9);
  });

  it("leaves out points with a missing reading", () => {
    expect(leastSquaresSlope(series(1, Number.NaN, 3, Number.POSITIVE_INFINITY, 5))).toBeCloseTo(
      1,
      12,
    );
  });

  it("is NaN when fewer than two points are usable", () => {
    expect(leastSquaresSlope([])).toBeNaN();
    expect(leastSquaresSlope(series(7))).toBeNaN();
    expect(leastSquaresSlope(series(7, Number.NaN))).toBeNaN();
  });

  it("is NaN when every point has the same x", () => {
    expect(
      leastSquaresSlope([
        [3, 1],
        [3, 2],
      ]),
    ).toBeNaN();
  });
});
