import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

/** Options of a command, in `node:util` `parseArgs` form. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values by name. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Parses `argv` strictly against `options` (no positionals). Unknown options and missing values become a
 * {@link UsageError} naming the command.
 */
export function parseOptions(command: string, argv: readonly string[], options: OptionSpec): OptionValues {
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return values as OptionValues;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional argument.*$/s, '')}`, { cause });
  }
}

/** A string option, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A boolean flag. */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** An integer option within bounds, or `fallback` when absent. */
export function integerOption(
  command: string,
  values: OptionValues,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${command}: --${name} must be an integer from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

/** A number option (seconds etc.) within bounds, or `fallback` when absent. */
export function numberOption(
  command: string,
  values: OptionValues,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${command}: --${name} must be a number from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

/** One of `choices`, or `fallback` when absent. */
export function choiceOption<T extends string>(
  command: string,
  values: OptionValues,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`${command}: --${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}
