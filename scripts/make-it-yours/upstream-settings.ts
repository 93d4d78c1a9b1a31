// The settings that point the service at its upstreams and its identity provider. With the
// fakes gone they have no working value left: they become required, for the user to fill in.
export const UPSTREAM_SETTINGS: Readonly<Record<string, string>> = {
  PRODUCT_API_URL: "your product service's base URL",
  PAYMENT_API_URL: "your payment service's base URL",
  // The fake gateway's key, shared with it: a real payment service needs its own.
  PAYMENT_API_KEY: "your payment service's API key",
  AUTH_JWKS_URL: "your identity provider's JWKS URL",
  AUTH_ISSUER: "the iss your identity provider writes in callers' tokens",
  AUTH_AUDIENCE: "the aud your identity provider writes in callers' tokens",
};

export const isUpstreamSetting = (name: string) => Object.hasOwn(UPSTREAM_SETTINGS, name);

/**
 * The fakes run from the service's own image through its entry point (src/cli.ts): the
 * commands `fake-products`, `fake-payments` and `fake-identity`.
 */
export const isFakeCommand = (command: unknown): boolean => {
  const first: unknown = Array.isArray(command) ? command[0] : command;
  return typeof first === "string" && /^fake-/.test(first.trim().split(/\s+/)[0] ?? "");
};

export const GUIDE = "docs/make-it-yours.md";
