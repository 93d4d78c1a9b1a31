// The fake payment gateway's development key: the default of the fake (fake-config.ts) and
// of .env.example, and the one key config.ts refuses in production. It imports nothing, so
// config.ts can refuse it without loading the fakes, and the fakes, which import config.ts
// for ConfigError, do not form a cycle with it.
export const FAKE_PAYMENT_GATEWAY_DEV_KEY = "dev-fake-payment-key";
