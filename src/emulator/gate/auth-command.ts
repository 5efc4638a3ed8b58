/**
 * Recognises the commands that carry credentials (`AUTH`, `HELLO … AUTH`) and rebuilds them with other
 * credentials. Everything else is passed through by the gate untouched.
 *
 * @module
 */
import { encodeCommand } from '../redis/resp-encode.js';

/** A credential-carrying command found in the client's stream. */
export interface AuthCommand {
  /** Which command carried the credentials. */
  readonly kind: 'auth' | 'hello';
  /** The username given, or undefined for the one-argument `AUTH <password>` form. */
  readonly username: string | undefined;
  /** The password given (for Entra ID: the access token). Secret. */
  readonly password: string;
  /** Builds the same command with other credentials, keeping HELLO's protocol version and SETNAME. */
  rewrite(username: string, password: string): Buffer;
}

function lower(arg: Buffer | undefined): string {
  return arg ? arg.toString('latin1').toLowerCase() : '';
}

/** True when `name` (a command's first argument) is AUTH or HELLO, compared without allocating. */
export function isAuthOrHello(name: Buffer | undefined): boolean {
  if (!name) return false;
  if (name.length === 4) return ((name[0] as number) | 0x20) === 0x61 && lower(name) === 'auth';
  if (name.length === 5) return ((name[0] as number) | 0x20) === 0x68 && lower(name) === 'hello';
  return false;
}

/**
 * Parses `args` as AUTH or HELLO with AUTH. Returns undefined for anything the server should answer itself
 * (HELLO without AUTH, AUTH with a wrong number of arguments: the server's own syntax error).
 */
export function parseAuthCommand(args: readonly Buffer[]): AuthCommand | undefined {
  const name = lower(args[0]);
  if (name === 'auth') {
    if (args.length === 2) {
      return { kind: 'auth', username: undefined, password: (args[1] as Buffer).toString('utf8'), rewrite: (u, p) => encodeCommand(['AUTH', u, p]) };
    }
    if (args.length === 3) {
      return {
        kind: 'auth',
        username: (args[1] as Buffer).toString('utf8'),
        password: (args[2] as Buffer).toString('utf8'),
        rewrite: (u, p) => encodeCommand(['AUTH', u, p]),
      };
    }
    return undefined;
  }
  if (name !== 'hello' || args.length < 2) return undefined;
  let authAt = -1;
  for (let i = 2; i < args.length; i++) {
    const option = lower(args[i]);
    if (option === 'auth') {
      authAt = i;
      i += 2;
    } else if (option === 'setname') {
      i += 1;
    }
  }
  if (authAt === -1 || authAt + 2 >= args.length) return undefined;
  const before = args.slice(0, authAt);
  const after = args.slice(authAt + 3);
  return {
    kind: 'hello',
    username: (args[authAt + 1] as Buffer).toString('utf8'),
    password: (args[authAt + 2] as Buffer).toString('utf8'),
    rewrite: (u, p) => encodeCommand([...before, 'AUTH', u, p, ...after]),
  };
}
