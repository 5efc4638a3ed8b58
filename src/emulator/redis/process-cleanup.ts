import type { ChildProcess } from 'node:child_process';

/**
 * Every child process the emulator started and has not stopped yet. They are killed when the Node
 * process exits (normally, or on SIGINT/SIGTERM/SIGHUP), so no redis-server is left orphaned.
 */
const live = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  // Keep the default behaviour (terminate) unless the application handles the signal itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      process.removeListener(signal, handler);
      onSignal(signal);
    };
    process.on(signal, handler);
  }
}

/** Registers a child to be killed when this process exits; it is forgotten once it exits by itself. */
export function trackChildProcess(child: ChildProcess): void {
  install();
  live.add(child);
  child.once('exit', () => live.delete(child));
}
