// Entry point of the fake payment gateway: `npm run fake:payments` (PORT, default 8002).
import { createPaymentServiceApp } from "./payment-service-app";
import { runFake } from "./run-fake";

runFake("fake-payment-service", 8002, (config, faults) =>
  createPaymentServiceApp(config.paymentApiKey, faults),
);
