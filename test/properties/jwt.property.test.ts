// Property-based tests of JWT parsing: whatever string (or non-string) arrives, decodeJwtClaims and
// AccessToken.parse either return claims or throw a TokenInvalidError / TokenExpiredError that never
// repeats the input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TokenExpiredError, TokenInvalidError } from '../../src/errors.js';
import { AccessToken } from '../../src/token/access-token.js';
import { decodeJwtClaims, MAX_JWT_LENGTH } from '../../src/token/jwt.js';

const RUNS = { numRuns: 300 };
const b64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');
const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));

/** Runs `fn`; returns its error (asserting it is one of ours), or undefined when it returned. */
function outcome(fn: () => unknown): TokenInvalidError | TokenExpiredError | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof TokenInvalidError || error instanceof TokenExpiredError, `unexpected ${String(error)}`);
    return error;
  }
}

/** The error's own text, JSON and cause chain: what could reach a log. */
function visibleText(error: Error): string {
  let text = `${error.message}\n${JSON.stringify(error)}`;
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    text += `\n${cause.message}`;
    cause = cause.cause;
  }
  return text;
}

const base64urlSegment = fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/);
const registeredClaims = fc.record(
  {
    oid: fc.uuid(),
    tid: fc.uuid(),
    exp: fc.integer({ min: 0, max: 4_102_444_800 }),
    nbf: fc.integer({ min: 0, max: 4_102_444_800 }),
    iat: fc.integer({ min: 0, max: 4_102_444_800 }),
    iss: fc.webUrl(),
    aud: fc.oneof(fc.string(), fc.array(fc.string())),
    uti: fc.string(),
  },
  { requiredKeys: [] },
);

describe('decodeJwtClaims (properties)', () => {
  it('any string: claims or TokenInvalidError, and the error never quotes the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' })), (input) => {
        const error = outcome(() => decodeJwtClaims(input));
        if (error !== undefined && input.length >= 12) assert.ok(!visibleText(error).includes(input));
      }),
      RUNS,
    );
  });

  it('any non-string value: TokenInvalidError naming the type', () => {
    fc.assert(
      fc.property(fc.anything().filter((v) => typeof v !== 'string'), (input) => {
        const error = outcome(() => decodeJwtClaims(input as string));
        assert.ok(error instanceof TokenInvalidError);
        assert.match(error.message, /^the token must be a string, got (null|undefined|number|boolean|bigint|object|symbol|function)$/);
      }),
      RUNS,
    );
  });

  it('a wrong number of segments is named exactly', () => {
    fc.assert(
      fc.property(
        fc.array(base64urlSegment, { minLength: 1, maxLength: 8 }).filter((s) => s.length !== 3),
        (segments) => {
          const error = outcome(() => decodeJwtClaims(segments.join('.')));
          assert.ok(error instanceof TokenInvalidError);
          assert.equal(error.message, `the token must have 3 dot-separated segments, got ${segments.length}`);
        },
      ),
      RUNS,
    );
  });

  it('a payload with a character outside base64url is refused as such', () => {
    const bad = fc
      .tuple(fc.string({ maxLength: 20 }), fc.constantFrom('+', '/', '=', ' ', '%', '!', '\u00e9', '\n'), fc.string({ maxLength: 20 }))
      .map(([a, c, b]) => `${a}${c}${b}`.replaceAll('.', ''));
    fc.assert(
      fc.property(bad, (payload) => {
        const error = outcome(() => decodeJwtClaims(`${header}.${payload}.sig`));
        assert.ok(error instanceof TokenInvalidError);
        assert.equal(error.message, "the token's payload is not base64url");
      }),
      RUNS,
    );
  });

  it('base64url that is not a JSON object is refused without quoting it', () => {
    const notObject = fc.oneof(
      fc.string({ minLength: 1 }).filter((s) => {
        try {
          const v: unknown = JSON.parse(s);
          return typeof v !== 'object' || v === null || Array.isArray(v);
        } catch {
          return true;
        }
      }),
      fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(notObject, (text) => {
        const payload = b64url(text);
        fc.pre(payload.length > 0);
        const error = outcome(() => decodeJwtClaims(`${header}.${payload}.sig`));
        assert.ok(error instanceof TokenInvalidError);
        assert.match(error.message, /^the token's payload is not (JSON|a JSON object)$/);
        if (text.length >= 12) assert.ok(!visibleText(error).includes(text));
      }),
      RUNS,
    );
  });

  it('oversized tokens are refused by length before any decoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('a', '.', 'é'), (extra, filler) => {
        const token = `${header}.${'A'.repeat(MAX_JWT_LENGTH)}`.slice(0, MAX_JWT_LENGTH) + filler.repeat(extra);
        const error = outcome(() => decodeJwtClaims(token));
        assert.ok(error instanceof TokenInvalidError);
        assert.equal(error.message, `the token is ${token.length} characters long, more than the ${MAX_JWT_LENGTH} allowed`);
      }),
      { numRuns: 50 },
    );
  });

  it('a huge but allowed payload of valid claims decodes', () => {
    const big = 'x'.repeat(40_000);
    const claims = decodeJwtClaims(`${header}.${b64url(JSON.stringify({ oid: 'o', exp: 1, big }))}.sig`);
    assert.equal(claims['big'], big);
  });

  it('well-formed tokens round-trip their claims', () => {
    fc.assert(
      fc.property(registeredClaims, fc.dictionary(fc.string().filter((k) => !['oid', 'tid', 'exp', 'nbf', 'iat', 'iss', 'appid', 'azp', '__proto__'].includes(k)), fc.jsonValue()), (registered, extra) => {
        const claims = { ...extra, ...registered };
        const decoded = decodeJwtClaims(`${header}.${b64url(JSON.stringify(claims))}.c2ln`);
        assert.deepEqual(decoded, JSON.parse(JSON.stringify(claims)));
      }),
      RUNS,
    );
  });

  it('a registered claim of the wrong type is named', () => {
    const wrong = fc.oneof(
      fc.record({ claim: fc.constantFrom('exp', 'nbf', 'iat'), value: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer())) }),
      fc.record({ claim: fc.constantFrom('oid', 'tid', 'appid', 'azp', 'iss'), value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.integer())) }),
    );
    fc.assert(
      fc.property(wrong, ({ claim, value }) => {
        const error = outcome(() => decodeJwtClaims(`${header}.${b64url(JSON.stringify({ [claim]: value }))}.sig`));
        assert.ok(error instanceof TokenInvalidError);
        assert.equal(error.claim, claim);
        assert.match(error.message, new RegExp(`^the token's "${claim}" claim must be a (number of seconds|string)$`));
      }),
      RUNS,
    );
  });
});

describe('AccessToken.parse (properties)', () => {
  it('any exp: a frozen token that hides its value, or TokenExpiredError / TokenInvalidError', () => {
    const now = Date.UTC(2030, 0, 1);
    fc.assert(
      fc.property(
        fc.option(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { nil: undefined }),
        fc.option(fc.uuid(), { nil: undefined }),
        (exp, oid) => {
          const raw = `${header}.${b64url(JSON.stringify({ exp, oid, uti: 'u' }))}.c2lnbmF0dXJlLXNlY3JldA`;
          const error = outcome(() => AccessToken.parse(raw, now));
          if (exp === undefined) {
            assert.ok(error instanceof TokenInvalidError);
            assert.equal(error.claim, 'exp');
          } else if (exp * 1000 <= now) {
            assert.ok(error instanceof TokenExpiredError);
            assert.equal(error.expiresAtMs, (JSON.parse(JSON.stringify(exp)) as number) * 1000); // -0 travels as 0
          } else {
            assert.equal(error, undefined);
            const token = AccessToken.parse(raw, now);
            assert.equal(token.value(), raw);
            assert.ok(Object.isFrozen(token));
            assert.ok(!JSON.stringify(token).includes('c2lnbmF0dXJlLXNlY3JldA'));
            assert.equal(token.oid, oid);
          }
          if (error !== undefined) assert.ok(!visibleText(error).includes(raw));
        },
      ),
      RUNS,
    );
  });
});
