// V8 caches the code it compiles for each module on disk, and the next start of the process
// reuses it instead of parsing and compiling every dependency again: most of what a start
// spends before the first line of the service runs (docs/benchmarks.md). The directory is
// NODE_COMPILE_CACHE, or node-compile-cache under the OS's temp directory (an emptyDir in
// Kubernetes, so a restarted container starts warm). Where it cannot be written the process
// simply starts as it would have without it.
import * as nodeModule from "node:module";

export function enableCompileCache(): void {
  // Node 22.8+; the test command also runs on Node 20, which has no such cache.
  if ("enableCompileCache" in nodeModule) nodeModule.enableCompileCache();
}
