import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Every command closes what it opened; should a library still hold a handle, do not hang the shell.
setTimeout(() => process.exit(code), 2000).unref();
