import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { RequestContext } from "../infra/request-context";

// An incoming id is kept only when it is short and plain, so a client cannot inject
// log-breaking text or megabytes of header into every log line.
const ACCEPTABLE_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** Names the request (honouring X-Request-Id), echoes the id, and scopes the rest of it. */
export function assignRequestId(requestContext: RequestContext): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const requestId = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as { id?: string }).id = requestId;
    res.setHeader("X-Request-Id", requestId);
    requestContext.run({ requestId }, next);
  };
}
