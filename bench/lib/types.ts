/**
 * Shapes shared by the benchmark runner, its scenarios and the report writers.
 *
 * @module
 */
import type { CertificateAuthority } from '../../src/emulator/index.js';

/** A measured value, or the reason there is none (e.g. "not supported by @redis/entraid"). */
export type Cell = number | string;

/** One line of the results table. */
export interface Row {
  /** Stable identifier, e.g. `token-requests.renewal`. */
  readonly id: string;
  /** What was measured, in words. */
  readonly metric: string;
  /** Unit of the numbers, e.g. `requests/renewal`, `ms`, `ratio`. */
  readonly unit: string;
  readonly ours: Cell;
  readonly peer: Cell;
  readonly baseline: Cell;
  /** The ideal value, or a description of it. */
  readonly ideal: Cell;
  /** How it was measured and anything surprising. */
  readonly note?: string;
}

/** A series for the SVG chart: x in ms, y a count or ratio. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** What a scenario returns. */
export interface ScenarioResult {
  readonly rows: readonly Row[];
  /** Chart data, keyed by chart name (`fanout`, `throughput`). */
  readonly charts?: Readonly<Record<string, readonly Series[]>>;
  /** Raw numbers kept in the JSON only. */
  readonly raw?: Readonly<Record<string, unknown>>;
}

/** What every scenario receives. */
export interface BenchContext {
  /** The CA this process trusts through NODE_EXTRA_CA_CERTS; every emulator uses it. */
  readonly ca: CertificateAuthority;
  /** Smaller sizes and shorter durations, for smoke tests. */
  readonly quick: boolean;
  /** Progress lines on stderr. */
  log(message: string): void;
}

/** A benchmark scenario: one file under `bench/scenarios/`. */
export interface Scenario {
  readonly name: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}
