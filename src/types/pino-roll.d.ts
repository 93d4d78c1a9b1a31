// pino-roll ships no type declarations; this covers the options src/infra/log-file.ts uses.
declare module "pino-roll" {
  import type SonicBoom from "sonic-boom";

  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: "daily" | "hourly" | number;
    extension?: string;
    symlink?: boolean;
    mkdir?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
