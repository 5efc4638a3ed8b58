/** ANSI styling that turns itself off when colors are not wanted. */
export interface Style {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  cyan(text: string): string;
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

/** A {@link Style}: ANSI colors when `color`, identity functions otherwise. */
export function createStyle(color: boolean): Style {
  if (!color) {
    const same = (text: string): string => text;
    return { green: same, red: same, yellow: same, dim: same, bold: same, cyan: same };
  }
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22), cyan: wrap(36, 39) };
}

/** Shortens a GUID-like id for compact views: `a1111111-…-0000000000a1` → `a1111111…00a1`. */
export function shortId(id: string | undefined): string {
  if (id === undefined) return '?';
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
