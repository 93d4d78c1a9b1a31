import { createLogger, createRedactor } from "../../src/infra/logger";
import { RequestContext } from "../../src/infra/request-context";
import { LogCapture } from "../support/log-capture";

describe("log redaction", () => {
  const redact = createRedactor(["sk-live-secret-123"]);

  it.each([
    ['{"paymentToken":"tok_123"}', '{"paymentToken":"[Redacted]"}'],
    [
      '{"a":{"b":{"c":{"paymentToken":"tok_123"}}}}',
      '{"a":{"b":{"c":{"paymentToken":"[Redacted]"}}}}',
    ],
    ['{"headers":{"Authorization":"Bearer abc"}}', '{"headers":{"Authorization":"[Redacted]"}}'],
    ['{"PAYMENT_API_KEY":"x"}', '{"PAYMENT_API_KEY":"[Redacted]"}'],
    ['{"token":12345}', '{"token":"[Redacted]"}'],
    ['{"paymentToken":"with \\"quotes\\" inside"}', '{"paymentToken":"[Redacted]"}'],
  ])("redacts %s at any depth", (line, expected) => {
    expect(redact(line)).toBe(expected);
  });

  it("scrubs the secret's value wherever it appears, even inside a message", () => {
    expect(redact('{"msg":"call failed with key sk-live-secret-123"}')).toBe(
      '{"msg":"call failed with key [Redacted]"}',
    );
  });

  it("scrubs a JWT wherever it appears, under any key or inside a message", () => {
    const jwt =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJjLTEiLCJleHAiOjE3OTk5OTk5OTl9.c2lnbmF0dXJlX2J5dGVz";
    expect(redact(`{"msg":"refused ${jwt} from client","raw":"${jwt}"}`)).toBe(
      '{"msg":"refused [Redacted] from client","raw":"[Redacted]"}',
    );
    expect(redact(`{"access_token":"${jwt}"}`)).toBe('{"access_token":"[Redacted]"}');
  });

  it("leaves other members alone", () => {
    expect(redact('{"customerId":"c1","nextCursor":"abc"}')).toBe(
      '{"customerId":"c1","nextCursor":"abc"}',
    );
  });

  it("writes JSON lines with the request id of the request being served", () => {
    const capture = new LogCapture();
    const requestContext = new RequestContext();
    const logger = createLogger({
      level: "info",
      requestContext,
      destinations: [capture],
      stdout: false,
    });
    requestContext.run({ requestId: "req-42" }, () =>
      logger.info({ paymentToken: "tok" }, "inside"),
    );
    logger.info("outside");
    expect(capture.entries).toEqual([
      expect.objectContaining({
        msg: "inside",
        reqId: "req-42",
        paymentToken: "[Redacted]",
        level: "info",
      }),
      expect.not.objectContaining({ reqId: expect.anything() }),
    ]);
  });
});
