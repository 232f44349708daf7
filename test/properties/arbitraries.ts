import fc from 'fast-check';
import { fullSecrets } from '../support/action-fakes';

/**
 * Generators of the odd inputs the Actions must survive: events with fields missing or of the
 * wrong type, flags that are almost true, huge metadata, unicode and very long addresses, and
 * secrets missing, blank, unfilled or malformed.
 */

/** Anything a JSON field may hold, and a few things it should not. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** A flag as it may really be stored: `true`, or something that only looks like it. */
const flagValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(true) },
  { weight: 3, arbitrary: fc.constantFrom(false, 'true', 'false', 1, 0, 'yes', null, undefined, [], {}) },
  { weight: 1, arbitrary: oddValue },
);

const localPart = fc.stringMatching(/^[a-z0-9._%+-]{1,30}$/);
const unicodeLocal = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((s) => !/[@\s<>]/.test(s));

/** An email as an event may carry it: plausible, unicode, very long, dressed up, blank or not a string. */
const emailValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.emailAddress() },
  { weight: 2, arbitrary: fc.tuple(unicodeLocal, fc.domain()).map(([local, domain]) => `${local}@${domain}`) },
  { weight: 1, arbitrary: fc.tuple(unicodeLocal, fc.constantFrom('例え.jp', 'bücher.de', 'почта.рф')).map(([l, d]) => `${l}@${d}`) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 5000 }).map((n) => `${'a'.repeat(n)}@example.com`) },
  { weight: 1, arbitrary: fc.tuple(localPart, fc.integer({ min: 250, max: 3000 })).map(([l, n]) => `${l}@${'d'.repeat(n)}.example.com`) },
  { weight: 1, arbitrary: fc.emailAddress().map((e) => ` ${e.toUpperCase()} `) },
  // A display name around the address, and an address naming another one: the recipient must still be the user's own.
  { weight: 1, arbitrary: fc.tuple(fc.emailAddress(), fc.emailAddress()).map(([a, b]) => `${a} <${b}>`) },
  { weight: 1, arbitrary: fc.tuple(fc.emailAddress(), fc.emailAddress()).map(([a, b]) => `${a},${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', 'not-an-email', '@', 'a@', '@b.c') },
  { weight: 1, arbitrary: oddValue },
);

/** Metadata from empty to far beyond what Auth0 allows (16 kB), with the flags the Actions read. */
const metadataValue = (flags: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'string', 7, []) },
    {
      weight: 5,
      arbitrary: fc
        .record(
          {
            flags: fc.dictionary(fc.constantFrom(...flags), flagValue, { maxKeys: flags.length }),
            extra: fc.dictionary(fc.string({ maxLength: 12 }), oddValue, { maxKeys: 5 }),
            huge: fc.option(fc.integer({ min: 20_000, max: 300_000 }), { nil: undefined }),
            locale: fc.option(fc.oneof(fc.constantFrom('fr', 'fr-CA', 'EN_us', 'zz', '', '../../etc'), oddValue), { nil: undefined }),
          },
          { requiredKeys: ['flags', 'extra'] },
        )
        .map(({ flags: f, extra, huge, locale }) => ({
          ...extra,
          ...f,
          ...(huge !== undefined ? { blob: 'x'.repeat(huge), list: Array.from({ length: 200 }, (_, i) => ({ i })) } : {}),
          ...(locale !== undefined ? { locale } : {}),
        })),
    },
  );

/** Every secret name the fakes fill, and EMAIL_ROUTES (custom-email-provider), which they leave out. */
const SECRET_NAMES = [...new Set([...Object.keys(fullSecrets()), 'EMAIL_ROUTES'])];

const SECRET_BAD_VALUES: Record<string, readonly string[]> = {
  AUTH0_DOMAIN: ['https://email-flows-test.eu.auth0.com/', 'not a domain', 'email-flows-test.eu.auth0.com/path', ':443'],
  TEMPLATE_IDS: [
    'not json',
    '[]',
    'null',
    '"d-1"',
    '{"welcome":5}',
    '{"verify":{"fr":""}}',
    '{"invite":{"en":7}}',
    '{"welcome":{"en":"d-en"}}',
  ],
  INVITE_TTL_SEC: ['-1', '0', '1e9', 'abc', '3.5', '2592001', '99999999999999999999', ' 600 '],
  VERIFY_TTL_SEC: ['-1', '0', '1e9', 'abc', '3.5', '2592001', 'Infinity', 'NaN'],
  INVITE_CONNECTIONS: [
    ',,',
    ':ticket',
    'members:bogus',
    'members:ticket:extra',
    ' members , shared-inbox:TICKET ',
    'shared-inbox:change_password',
  ],
  INVITE_MODE: ['bogus', 'TICKET', 'ticket ', 'change-password'],
  INVITE_RESULT_URL: ['javascript:alert(1)', 'not a url', 'ftp://x.example.com'],
  VERIFY_RESULT_URL: ['javascript:alert(1)', 'not a url', '//evil.example.com'],
  WELCOME_SINCE: ['yesterday', '2026-01-01T00:00:00Z', '9999-12-31', '0'],
  MAIL_FROM: ['no at sign', 'Name <no-reply@example.com>', '<>'],
  INVITE_APP_NAME: ['<script>alert(1)</script>', 'x'.repeat(5000)],
  EMAIL_ROUTES: [
    'not json',
    '[]',
    'null',
    '{"reset_email":{"recipient":"secondary"}}',
    '{"*":{"recipient":"secondary-if-verified"}}',
    '{"reset_email":{"recipient":"primary","categories":["a","b","c","d","e","f","g","h","i","j","k"]}}',
    '{"*":{"sandbox":"yes"}}',
    '{"__proto__":{"recipient":"secondary-if-verified"}}',
    '{"verify_email":{"categories":[1,null]}}',
  ],
};

/** Every secret of the Actions, each kept, removed, blanked, left as a placeholder or set to a bad value. */
const secretsValue: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    ...SECRET_NAMES.map((name) =>
      fc.oneof(
        { weight: 24, arbitrary: fc.constant<string | undefined>(fullSecrets()[name] ?? '{}') },
        { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, '', '   ', `##${name}##`, `@@${name}@@`) },
        { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...(SECRET_BAD_VALUES[name] ?? ['garbage'])) },
      ),
    ),
    fc.option(fc.constantFrom(...(SECRET_BAD_VALUES.TEMPLATE_IDS ?? [])), { nil: undefined }),
  )
  .map(([...values]) => {
    const templateIds = values.pop();
    const names = SECRET_NAMES;
    const secrets: Record<string, string> = {};
    names.forEach((name, i) => {
      const value = values[i];
      if (typeof value === 'string') secrets[name] = value;
    });
    if (templateIds !== undefined) secrets.TEMPLATE_IDS = templateIds;
    return secrets;
  });

/** A user id without `@`: the log lines name the user id, which must not smuggle an address in. */
const userIdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^auth0\|[a-z0-9]{1,24}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('@')) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 42, '', 'x'.repeat(1000)) },
);

const requestValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, {}),
  fc.record({
    ip: fc.ipV4(),
    method: fc.constant('POST'),
    language: fc.option(fc.constantFrom('fr-CA,fr;q=0.9', '*', ';;;', 'x'.repeat(500), 'zz-ZZ'), { nil: undefined }),
    geoip: fc.constant({}),
  }),
);

const transactionValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.record({ locale: oddValue, ui_locales: fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), oddValue) }),
);

interface GeneratedUser {
  user_id: unknown;
  email: unknown;
  email_verified: unknown;
  username: unknown;
  created_at: unknown;
  app_metadata: unknown;
  user_metadata: unknown;
}

const userValue = (flags: readonly string[]): fc.Arbitrary<GeneratedUser> =>
  fc.record({
    user_id: userIdValue,
    email: emailValue,
    email_verified: flagValue,
    username: fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.constant('<script>alert(1)</script>'),
      oddValue,
    ),
    created_at: fc.oneof(fc.constant('2026-11-01T10:00:00.000Z'), fc.constant('not a date'), oddValue),
    app_metadata: metadataValue(flags),
    user_metadata: metadataValue(['locale']),
  });

/** A post-login event: any of its fields missing or odd. */
export const postLoginEventValue = fc
  .record(
    {
      user: fc.oneof(
        { weight: 12, arbitrary: userValue(['verification_email_sent', 'welcome_email_sent', 'invite']) },
        { weight: 1, arbitrary: oddValue },
      ),
      connection: fc.oneof(fc.constant({ id: 'con_1', name: 'members', strategy: 'auth0' }), oddValue),
      client: fc.oneof(
        fc.constant({ client_id: 'app-client-id', name: 'Example App', metadata: {} }),
        fc.record({
          client_id: fc.string(),
          name: fc.oneof(fc.string(), oddValue),
          metadata: fc.oneof(fc.constant({ verify_result_url: 'javascript:alert(1)' }), oddValue),
        }),
        oddValue,
      ),
      request: requestValue,
      transaction: transactionValue,
      tenant: fc.constant({ id: 'email-flows-test' }),
      secrets: secretsValue,
      stats: fc.oneof(fc.constant({ logins_count: 1 }), oddValue),
    },
    { requiredKeys: ['user', 'secrets', 'tenant'] },
  )
  .map((event) => event as Record<string, unknown>);

/** A post-user-registration event: any of its fields missing or odd. */
export const registrationEventValue = fc
  .record(
    {
      user: fc.oneof({ weight: 12, arbitrary: userValue(['invite']) }, { weight: 1, arbitrary: oddValue }),
      connection: fc.oneof(
        fc.constantFrom(
          { id: 'con_1', name: 'members', strategy: 'auth0' },
          { id: 'con_2', name: 'shared-inbox', strategy: 'auth0' },
          { id: 'con_3', name: 'other', strategy: 'auth0' },
        ),
        oddValue,
      ),
      request: requestValue,
      transaction: transactionValue,
      tenant: fc.constant({ id: 'email-flows-test' }),
      secrets: secretsValue,
    },
    { requiredKeys: ['user', 'secrets', 'tenant'] },
  )
  .map((event) => event as Record<string, unknown>);

/** Auth0's rendered email as custom-email-provider receives it: any field missing, odd, empty or huge. */
const notificationFields = {
  to: emailValue,
  from: fc.oneof(fc.constant('Example <no-reply@example.com>'), fc.constant('no-reply@example.com'), emailValue),
  subject: fc.oneof({ weight: 3, arbitrary: fc.constant('Reset your password') }, fc.string({ unit: 'grapheme', maxLength: 40 }), oddValue),
  html: fc.oneof(
    { weight: 3, arbitrary: fc.constant('<p>Hello</p>') },
    fc.constant(''),
    fc.integer({ min: 1, max: 400_000 }).map((n) => `<p>${'x'.repeat(n)}</p>`),
    oddValue,
  ),
  text: fc.oneof(fc.constant('Hello'), fc.constant(''), oddValue),
  locale: fc.oneof(fc.constant('en'), oddValue),
  message_type: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('reset_email', 'reset_email_by_code') },
    fc.constantFrom('verify_email', 'welcome_email', 'mfa_oob_code', 'future_type', '../x', ''),
    oddValue,
  ),
};
const notificationValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.record(notificationFields, { requiredKeys: ['to', 'subject', 'html', 'message_type'] }) },
  { weight: 3, arbitrary: fc.record(notificationFields, { requiredKeys: [] }) },
  { weight: 1, arbitrary: oddValue },
);

/** The user an Auth0 email is about: absent, or with a secondary address verified or almost. */
const notifiedUserValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: oddValue },
  {
    weight: 8,
    arbitrary: fc.record({
      user_id: userIdValue,
      email: emailValue,
      email_verified: flagValue,
      username: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 })),
      app_metadata: fc.oneof(
        { weight: 4, arbitrary: fc.record({ secondary_email: emailValue, secondary_email_verified: flagValue }) },
        { weight: 1, arbitrary: fc.record({ secondary_email: emailValue, secondary_email_verified: flagValue }, { requiredKeys: [] }) },
        { weight: 1, arbitrary: metadataValue(['secondary_email', 'secondary_email_verified']) },
      ),
      user_metadata: metadataValue(['locale']),
    }),
  },
);

/**
 * A password reset for a user whose secondary address is verified: the case the route to the
 * secondary address exists for, drawn often enough that every run of 200 reaches it (left to
 * the fully random event below, about one event in a hundred did, and some runs none).
 */
const resetToVerifiedSecondaryValue = fc.record({
  notification: fc.record({
    to: fc.emailAddress(),
    from: fc.constant('no-reply@example.com'),
    subject: fc.constant('Reset your password'),
    html: fc.constant('<p>Hello</p>'),
    message_type: fc.constantFrom('reset_email', 'reset_email_by_code'),
  }),
  user: fc.record({
    user_id: userIdValue,
    email: fc.emailAddress(),
    app_metadata: fc.record({ secondary_email: fc.emailAddress(), secondary_email_verified: fc.constant(true) }),
  }),
  tenant: fc.constant({ id: 'email-flows-test' }),
  secrets: secretsValue,
});

/** A custom-email-provider event: any of its fields missing or odd. */
export const customEmailEventValue = fc
  .oneof(
    {
      weight: 6,
      arbitrary: fc.record(
        {
          notification: notificationValue,
          user: notifiedUserValue,
          client: fc.oneof(fc.constant({ client_id: 'app-client-id', name: 'Example App', metadata: {} }), oddValue),
          request: requestValue,
          tenant: fc.constant({ id: 'email-flows-test' }),
          secrets: secretsValue,
        },
        { requiredKeys: ['secrets', 'tenant'] },
      ),
    },
    { weight: 1, arbitrary: resetToVerifiedSecondaryValue },
  )
  .map((event) => event as Record<string, unknown>);
