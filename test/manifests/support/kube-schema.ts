// Two validations of a rendered object against the Kubernetes API types (kubernetes-models 4.5,
// generated from the Kubernetes 1.33 OpenAPI spec):
//  - loose: the package's own validate(): types, enums, required fields. It ignores fields it
//    does not know, so `livenesProbe` (a typo) passes it.
//  - strict: a JSON schema generated here from the package's TypeScript interfaces with
//    `additionalProperties: false` everywhere except maps, checked with ajv. Unknown fields fail.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import ts from "typescript";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { KubeObject } from "./render";

type Model = new (data?: never) => { validate(): void };

/** Every kind the manifests may contain; anything else fails the schema test until added. */
const models: Record<string, Model> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/CronJob": CronJob,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

const typeKey = (o: Pick<KubeObject, "apiVersion" | "kind">) => `${o.apiVersion}/${o.kind}`;

export const isKnownKind = (o: KubeObject): boolean => typeKey(o) in models;

/**
 * kustomize wraps long base64 values in Secrets over several lines. The API server decodes them
 * with Go's base64, which skips newlines; the `byte` format of kubernetes-models does not.
 */
function asApiServerReads(object: KubeObject): KubeObject {
  if (object.kind !== "Secret" || !object.data) return object;
  const data = Object.entries(object.data as Record<string, string>).map(([k, v]) => [
    k,
    v.replace(/[\r\n]/g, ""),
  ]);
  return { ...object, data: Object.fromEntries(data) };
}

/** kubernetes-models' validate(): undefined when valid, else its message. */
export function looseValidationError(object: KubeObject): string | undefined {
  const ModelClass = models[typeKey(object)];
  if (!ModelClass) return `no model for ${typeKey(object)}`;
  try {
    new ModelClass(asApiServerReads(object) as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

type JsonSchema = Record<string, unknown>;

/** JSON schemas for the I<Kind> interfaces of `models`, read from the .d.ts files. */
function generateSchemas(): {
  defs: Record<string, JsonSchema>;
  roots: Record<string, JsonSchema>;
} {
  const keys = Object.keys(models);
  const files = keys.map((key) =>
    require.resolve(`kubernetes-models/${key}`).replace(/\.js$/, ".d.ts"),
  );
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ["lib.es5.d.ts"],
    types: [],
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const defs: Record<string, JsonSchema> = {};
  const defNames = new Map<ts.Type, string>();

  const toSchema = (type: ts.Type): JsonSchema => {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (type.flags & ts.TypeFlags.String) return { type: "string" };
    if (type.flags & ts.TypeFlags.Number) return { type: "number" };
    if (type.flags & ts.TypeFlags.Boolean) return { type: "boolean" };
    if (type.isStringLiteral() || type.isNumberLiteral()) return { const: type.value };
    if (type.flags & ts.TypeFlags.BooleanLiteral) {
      return { const: checker.typeToString(type) === "true" };
    }
    if (type.isUnion()) {
      const parts = type.types.filter(
        (t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)),
      );
      if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: "boolean" };
      if (parts.every((t) => t.isStringLiteral())) {
        return { enum: parts.map((t) => t.value) };
      }
      return parts.length === 1 ? toSchema(parts[0] as ts.Type) : { anyOf: parts.map(toSchema) };
    }
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      return { type: "array", items: item ? toSchema(item) : {} };
    }
    if (type.flags & ts.TypeFlags.Object) {
      let name = defNames.get(type);
      if (!name) {
        name = `${checker.typeToString(type).replace(/\W/g, "_")}_${defNames.size}`;
        defNames.set(type, name); // before recursing: some API types are recursive
        const properties: Record<string, JsonSchema> = {};
        const required: string[] = [];
        for (const property of checker.getPropertiesOfType(type)) {
          const propertyType = checker.getNonNullableType(checker.getTypeOfSymbol(property));
          properties[property.name] = toSchema(propertyType);
          if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.name);
        }
        // A string index signature is a map (labels, data, resource limits): any key goes.
        const [index] = checker.getIndexInfosOfType(type);
        const additionalProperties = index ? toSchema(index.type) : false;
        defs[name] = { type: "object", properties, required, additionalProperties };
      }
      return { $ref: `#/$defs/${name}` };
    }
    throw new Error(`cannot express ${checker.typeToString(type)} as JSON schema`);
  };

  const roots: Record<string, JsonSchema> = {};
  keys.forEach((key, i) => {
    const source = program.getSourceFile(files[i] as string);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    const kind = key.split("/").pop() as string;
    const exported = moduleSymbol && checker.getExportsOfModule(moduleSymbol);
    const symbol = exported?.find((s) => s.name === `I${kind}`);
    if (!symbol) throw new Error(`kubernetes-models/${key} exports no I${kind}`);
    roots[key] = toSchema(checker.getDeclaredTypeOfSymbol(symbol));
  });
  return { defs, roots };
}

let strictValidators: Map<string, ValidateFunction> | undefined;

function validators(): Map<string, ValidateFunction> {
  if (!strictValidators) {
    const { defs, roots } = generateSchemas();
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema({ $id: "kubernetes", $defs: defs });
    strictValidators = new Map(
      Object.entries(roots).map(([key, root]) => [
        key,
        ajv.compile({ $ref: `kubernetes${String(root.$ref)}` }),
      ]),
    );
  }
  return strictValidators;
}

const describeError = (e: ErrorObject): string =>
  e.keyword === "additionalProperties"
    ? `${e.instancePath}: unknown field "${String(e.params.additionalProperty)}"`
    : `${e.instancePath}: ${e.message ?? e.keyword}`;

/** Strict pass: every problem, unknown fields included; [] when valid. */
export function strictValidationErrors(object: KubeObject): string[] {
  const validate = validators().get(typeKey(object));
  if (!validate) return [`no schema for ${typeKey(object)}`];
  return validate(object) ? [] : (validate.errors ?? []).map(describeError);
}
