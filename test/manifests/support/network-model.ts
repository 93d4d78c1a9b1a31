// NetworkPolicy semantics, enough to answer "may pod A open a connection to pod B on port P?".
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import type { KubeObject } from "./render";
import { selects } from "./workloads";

/** A pod as NetworkPolicy sees it; ports are the destination's named container ports. */
export interface Endpoint {
  namespace: string;
  labels: Record<string, string>;
  namedPorts?: Record<string, number>;
}

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: "TCP" | "UDP";
}

export class NetworkModel {
  private readonly policies: INetworkPolicy[];
  private readonly namespaceLabels: Map<string, Record<string, string>>;

  constructor(objects: KubeObject[]) {
    this.policies = objects.filter(
      (o) => o.kind === "NetworkPolicy",
    ) as unknown as INetworkPolicy[];
    this.namespaceLabels = new Map(
      objects
        .filter((o) => o.kind === "Namespace")
        .map((o) => [o.metadata.name, { ...o.metadata.labels }]),
    );
  }

  /** Both ends must agree: the source's egress and the destination's ingress. */
  allows(connection: Connection): boolean {
    return (
      this.side("Egress", connection.from, connection.to, connection) &&
      this.side("Ingress", connection.to, connection.from, connection)
    );
  }

  private side(type: "Ingress" | "Egress", subject: Endpoint, peer: Endpoint, c: Connection) {
    const applying = this.policies.filter(
      (p) =>
        (p.metadata?.namespace ?? "") === subject.namespace &&
        (p.spec?.policyTypes ?? ["Ingress"]).includes(type) &&
        selects(p.spec?.podSelector ?? {}, subject.labels),
    );
    if (applying.length === 0) return true; // not isolated in this direction
    return applying.some((p) => {
      const rules = (type === "Ingress" ? p.spec?.ingress : p.spec?.egress) ?? [];
      return rules.some((rule) => {
        const peers = "from" in rule ? rule.from : (rule as { to?: INetworkPolicyPeer[] }).to;
        return (
          this.peerMatches(peers, p.metadata?.namespace ?? "", peer) && portMatches(rule.ports, c)
        );
      });
    });
  }

  private peerMatches(peers: INetworkPolicyPeer[] | undefined, policyNs: string, peer: Endpoint) {
    if (!peers || peers.length === 0) return true;
    return peers.some((p) => {
      if (p.ipBlock) return p.ipBlock.cidr === "0.0.0.0/0"; // pod IPs are unknown offline
      const nsLabels = {
        "kubernetes.io/metadata.name": peer.namespace,
        ...this.namespaceLabels.get(peer.namespace),
      };
      const nsOk = p.namespaceSelector
        ? selects(p.namespaceSelector, nsLabels)
        : peer.namespace === policyNs;
      return nsOk && selects(p.podSelector ?? {}, peer.labels);
    });
  }
}

function portMatches(ports: INetworkPolicyPort[] | undefined, c: Connection): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== c.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string") return c.to.namedPorts?.[p.port] === c.port;
    return p.endPort === undefined ? p.port === c.port : c.port >= p.port && c.port <= p.endPort;
  });
}
