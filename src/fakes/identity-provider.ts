// Entry point of the development identity provider: `npm run fake:idp` (PORT, default 8003).
// It signs a token for anyone who asks, so it refuses to start with NODE_ENV=production.
import { createIdentityProviderApp } from "./identity-provider-app";
import { runFake } from "./run-fake";
import { SigningKeyRing } from "./signing-key-ring";

runFake(
  "fake-identity-provider",
  8003,
  (config, faults) =>
    createIdentityProviderApp({ ...config.identityProvider, keys: new SigningKeyRing(), faults }),
  (config) =>
    config.nodeEnv === "production"
      ? "refusing to start with NODE_ENV=production: it signs a token for anyone who asks"
      : undefined,
);
