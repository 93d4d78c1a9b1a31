import { SpanKind, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import { recordFailure } from "./span-annotations";

/** Runs `work` as the active span `name`: ended however it settles, errors recorded. */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
