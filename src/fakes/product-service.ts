// Entry point of the fake product service: `npm run fake:products` (PORT, default 8001).
import { SEEDED_PRODUCTS } from "./catalogue";
import { createProductServiceApp } from "./product-service-app";
import { runFake } from "./run-fake";

runFake("fake-product-service", 8001, (_config, faults) =>
  createProductServiceApp(SEEDED_PRODUCTS, faults),
);
