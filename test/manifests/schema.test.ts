// Every rendered object is valid against the Kubernetes API types, unknown fields included.
import { isKnownKind, looseValidationError, strictValidationErrors } from "./support/kube-schema";
import {
  describeObject,
  describeRendered,
  kustomize,
  readYaml,
  render,
  targetNames,
} from "./support/render";

describeRendered("rendered manifests", () => {
  it("kubectl kustomize renders the base on its own", () => {
    expect(kustomize("k8s/base").length).toBeGreaterThan(0);
  });

  describe.each(targetNames)("%s", (target) => {
    const objects = render(target);

    it("renders objects of known kinds with unique names", () => {
      expect(objects.filter((o) => !isKnownKind(o)).map(describeObject)).toEqual([]);
      const ids = objects.map((o) => `${o.metadata.namespace}/${describeObject(o)}`);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each(objects.map((o) => [describeObject(o), o] as const))(
      "%s passes kubernetes-models validate() and the strict schema",
      (_name, object) => {
        expect(looseValidationError(object)).toBeUndefined();
        expect(strictValidationErrors(object)).toEqual([]);
      },
    );
  });
});

describe("the validators themselves", () => {
  it("strict schema rejects a misspelled field that validate() lets through", () => {
    const [typo] = readYaml("test/manifests/fixtures/misspelled-probe.yaml");
    if (!typo) throw new Error("fixture is empty");

    expect(looseValidationError(typo)).toBeUndefined(); // why the strict pass exists
    expect(strictValidationErrors(typo)).toEqual([
      '/spec/template/spec/containers/0: unknown field "livenesProbe"',
    ]);
  });

  it("both passes reject wrong types, bad enums and missing required fields", () => {
    const [wrong] = readYaml("test/manifests/fixtures/wrong-types.yaml");
    if (!wrong) throw new Error("fixture is empty");

    expect(looseValidationError(wrong)).toMatch(/replicas|imagePullPolicy|name/);
    const strict = strictValidationErrors(wrong).join("\n");
    expect(strict).toContain("/spec/replicas");
    expect(strict).toContain("/spec/template/spec/containers/0/imagePullPolicy");
    expect(strict).toContain("must have required property 'name'");
  });

  it("accepts the fields this repo relies on from recent Kubernetes releases", () => {
    const [deployment] = readYaml("k8s/base/deployment.yaml");
    if (!deployment) throw new Error("deployment.yaml is empty");
    // preStop sleep (GA 1.34) and native sidecars (restartPolicy on an init container, GA 1.33)
    // exist in kubernetes-models 4.5's types; a schema without them would fail here.
    expect(strictValidationErrors(deployment)).toEqual([]);
  });
});
