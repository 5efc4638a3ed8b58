/** The machine a run was measured on. */
import { cpus, loadavg, totalmem, freemem, platform, release } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average at start and end of the run. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export function loadNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

export function machineInfo(loadAtStart: number): MachineInfo {
  const list = cpus();
  const gib = (bytes: number): number => Math.round((bytes / 2 ** 30) * 10) / 10;
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: { start: loadAtStart, end: loadNow() },
  };
}
