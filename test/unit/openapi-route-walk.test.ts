// The walk that compares the app's routes with the document (test/support/contract-routes.ts)
// must see every route, however it is mounted, or an undocumented one would slip through.
import express, { Router, type RequestHandler } from "express";
import { routesOf } from "../support/contract-routes";

const ok: RequestHandler = (_req, res) => {
  res.end();
};

describe("the route walk", () => {
  it("finds routes on the app, in routers, and in routers mounted under a path", () => {
    const app = express();
    app.get("/top", ok);
    app.use(Router().get("/orders/:id/receipt", ok).post("/orders", ok));
    app.use("/admin", Router().delete("/keys/:key", ok));
    app.use("/orders", (_req, _res, next) => next());
    expect(routesOf(app)).toEqual([
      "DELETE /admin/keys/{key}",
      "GET /orders/{id}/receipt",
      "GET /top",
      "POST /orders",
    ]);
  });

  it("lists an app.all() route under every method, each of which would need documenting", () => {
    const app = express();
    app.all("/anything", ok);
    const routes = routesOf(app);
    expect(routes).toEqual(expect.arrayContaining(["GET /anything", "DELETE /anything"]));
    expect(routes.length).toBeGreaterThan(20);
  });

  it("refuses a path it cannot write as an OpenAPI path", () => {
    const app = express();
    app.get("/files/*path", ok);
    expect(() => routesOf(app)).toThrow(
      "A route or mount path this walk cannot read: /files/*path",
    );
  });
});
