// The app's one error handler: whatever went wrong becomes the problem+json answer that
// src/http/problem.ts chose for it, with the request id, and headers set earlier stay on it.
import type { ErrorRequestHandler } from "express";
import { toProblemAnswer } from "./problem";

export function problemResponder(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const answer = toProblemAnswer(error);
    // pino-http logs the request's one line with this as `err` (stack included), at error level.
    if (answer.unexpected || answer.problem.status >= 500) (res as { err?: unknown }).err = error;
    res
      .status(answer.problem.status)
      .set(answer.headers)
      .type("application/problem+json")
      .json({ ...answer.problem, requestId: (req as { id?: string }).id });
  };
}
