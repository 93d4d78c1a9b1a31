// Where traffic to a host goes: the production rule "https unless the host is local" for the
// upstreams that carry secrets (PAYMENT_API_URL, AUTH_JWKS_URL) rests on this one definition.
import { BlockList, isIP } from "node:net";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Whether traffic to `hostname` (as URL.hostname gives it) stays on this machine or inside
 * the cluster: loopback (127.0.0.0/8, ::1, localhost), a single-label name (resolved only
 * through the cluster's search path, like `payments`), or a Kubernetes Service name
 * (`*.svc`, `*.svc.cluster.local`). Private addresses are not local: they cross a network.
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  const family = isIP(host);
  if (family !== 0) return loopback.check(host, family === 4 ? "ipv4" : "ipv6");
  if (host === "localhost") return true;
  const labels = host.split(".");
  if (!labels.every((label) => DNS_LABEL.test(label))) return false;
  // A resolver reads a lone number ("10") as an IPv4 address, not as a name.
  if (labels.length === 1) return !/^\d+$/.test(host);
  return host.endsWith(".svc") || host.endsWith(".svc.cluster.local");
}
