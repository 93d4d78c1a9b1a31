import express, { type Express } from "express";
import type { Product } from "../clients/product-catalog";
import type { FaultInjector } from "./fault-injection";
import { TraceJournal } from "./trace-journal";

/** A product catalog that follows DESIGN.md's product API contract. */
export function createProductServiceApp(
  products: readonly Product[],
  faults: FaultInjector,
): Express {
  const byId = new Map(products.map((product) => [product.id, product]));
  const app = express();
  const journal = new TraceJournal();
  app.use(faults.controlRoutes(), journal.controlRoutes());
  // Recorded before faults apply: a request that is then failed on purpose still arrived.
  app.use(journal.middleware(), faults.middleware());
  app.get("/products/:id", (req, res) => {
    const product = byId.get(req.params.id);
    if (!product) {
      res.status(404).json({ error: "product not found" });
      return;
    }
    res.json(product);
  });
  app.get("/products", (_req, res) => {
    res.json({ products: [...byId.values()] });
  });
  return app;
}
