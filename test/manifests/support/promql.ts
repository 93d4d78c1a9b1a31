// PromQL as the tests read it: the metric names an expression uses and the label matchers on
// each, so alert rules and dashboards can be checked against the metrics that exist.

/** PromQL words that look like metric names: operators, modifiers, aggregations. */
const notMetrics = new Set(
  [
    "and or unless bool offset by without on ignoring group_left group_right inf nan",
    "sum min max avg count group stddev stdvar topk bottomk quantile count_values limitk",
  ]
    .join(" ")
    .split(" "),
);

/** The metric names an expression reads; a small lexer, enough for these rules. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/#.*$/gm, "") // comments
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1"); // label lists
  const words = [...bare.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)].map(
    (m) => m[0],
  );
  return [...new Set(words.filter((w) => !notMetrics.has(w)))];
}

/** Label matchers written after each use of `metric` ("" when it has none). */
export const matchersOf = (expr: string, metric: string): string[] =>
  [...expr.matchAll(new RegExp(`(?<![\\w:])${metric}(?![\\w:])\\s*(\\{[^}]*\\})?`, "g"))].map(
    (m) => m[1] ?? "",
  );
