import type { IncomingMessage } from "node:http";

/** What Express leaves on a request once a route matched it. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * The route template, never the raw URL: ids would explode metric labels and span names.
 * Written `{id}` as in the OpenAPI document, rather than Express's `:id` (a colon also
 * separates a StatsD tag from its value). Undefined when no route matched.
 */
export function routeTemplateOf(req: IncomingMessage): string | undefined {
  const { route, baseUrl = "" } = req as RoutedRequest;
  if (typeof route?.path !== "string") return undefined;
  return (baseUrl + route.path).replace(/:(\w+)/g, "{$1}");
}
