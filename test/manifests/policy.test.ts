// Policy rules as tests (kube-score, kube-linter, Polaris, checkov: the checks that matter here),
// run on every render, and each rule proven to fire on a fixture that breaks it.
import { clusterRules } from "./support/policy-cluster";
import { containerRules } from "./support/policy";
import { describeRendered, readYaml, render, targetNames } from "./support/render";

const rules = { ...containerRules, ...clusterRules };
const ruleNames = Object.keys(rules);

describeRendered("policy", () => {
  describe.each(targetNames)("%s", (target) => {
    it.each(ruleNames)("%s", (rule) => {
      expect(rules[rule]?.(render(target))).toEqual([]);
    });
  });
});

describe("policy rules catch what they exist for", () => {
  const insecure = readYaml("test/manifests/fixtures/insecure-workload.yaml");

  it.each(ruleNames)("%s reports the insecure fixture", (rule) => {
    expect(rules[rule]?.(insecure).length).toBeGreaterThan(0);
  });

  it("names the problems precisely", () => {
    const all = ruleNames.flatMap((rule) => rules[rule]?.(insecure) ?? []);
    expect(all).toEqual(
      expect.arrayContaining([
        "Deployment/insecure container web: runAsNonRoot is not true",
        "Deployment/insecure container web: readOnlyRootFilesystem is not true",
        "Deployment/insecure: shares a host namespace",
        "Deployment/insecure container web: no limits.memory",
        'Deployment/insecure container web: image "nginx:latest" has no pinned tag',
        'Job/insecure-once container once: image "busybox" has no pinned tag',
        "Deployment/insecure container web: needs both livenessProbe and readinessProbe",
        "Deployment/insecure container web: livenessProbe port 9999 is not a declared port",
        "Service/insecure: port 80 -> web not in Deployment/insecure",
        "Job/insecure-once: no ttlSecondsAfterFinished",
        "HorizontalPodAutoscaler/insecure: minReplicas 1 < 2",
        "Deployment/insecure: sets replicas, which fights the HPA on apply",
        "PodDisruptionBudget/insecure: blocks every drain at min replicas",
        "Deployment/insecure: pods not spread across nodes",
        'namespace "": no default-deny NetworkPolicy',
        "Deployment/insecure container web: ConfigMap missing-config not found",
      ]),
    );
  });
});
