/** Probes are polled every few seconds by every kubelet: logging or tracing them drowns real traffic. */
export function isProbePath(url: string | undefined): boolean {
  // Compare the path only: a query string must not turn a probe into a logged request.
  const pathname = (url ?? "").split("?", 1)[0]!;
  return pathname.startsWith("/health/");
}
