// CPU time a child has used (user + system), from /proc/<pid>/stat (Linux; USER_HZ = 100).
// Divided by the requests served it gives the server's CPU cost per request, a figure far
// steadier than req/s on a shared machine, and the basis of req/s per core in docs/capacity.md.
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

export function cpuSeconds(pid: number): number {
  try {
    // The command name (field 2) may contain spaces: count fields after its closing ')'.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
