/** Command-line options of `bench/run.ts`. */
import { resolve } from 'node:path';

export interface BenchArgs {
  /** `--quick`: small sizes, for smoke tests. */
  readonly quick: boolean;
  /** `--only=a,b`: scenario names to run; undefined runs all. */
  readonly only: readonly string[] | undefined;
  /** `--out=dir`: where results are written. Default `bench/` for a full run, `bench/out/` for `--quick`. */
  readonly outDir: string;
}

const BENCH_DIR = resolve(import.meta.dirname, '..');

export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let only: string[] | undefined;
  let outDir: string | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter((s) => s.length > 0);
    else if (arg.startsWith('--out=')) outDir = resolve(arg.slice('--out='.length));
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; expected --quick, --only=<names> or --out=<dir>`);
  }
  return { quick, only, outDir: outDir ?? (quick ? resolve(BENCH_DIR, 'out') : BENCH_DIR) };
}

