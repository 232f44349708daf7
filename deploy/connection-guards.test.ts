import { join } from 'node:path';
import { readDatabaseConnections, type DatabaseConnectionConfig } from '../build/tenant-connections';
import { bundleConnectionProblems, connectionChangeProblems, MANAGED_BY, type TenantConnection } from './connection-guards';

const marker = { managed_by: MANAGED_BY };
const members: DatabaseConnectionConfig = { name: 'members', strategy: 'auth0', metadata: marker, options: { disable_signup: false } };
const shared: DatabaseConnectionConfig = {
  name: 'shared-inbox',
  strategy: 'auth0',
  metadata: marker,
  options: { attributes: { email: { unique: false, identifier: { active: false } }, username: { identifier: { active: true } } } },
};
/** The tenant as the project's last deploy left it. */
const deployed: TenantConnection[] = [
  { id: 'con_1', name: 'members', strategy: 'auth0', metadata: marker, options: {} },
  {
    id: 'con_2',
    name: 'shared-inbox',
    strategy: 'auth0',
    metadata: marker,
    options: shared.options as NonNullable<TenantConnection['options']>,
  },
  { id: 'con_3', name: 'Username-Password-Authentication', strategy: 'auth0', options: {} },
  { id: 'con_4', name: 'google-oauth2', strategy: 'google-oauth2' },
];

test("tenant/'s own connections deployed again: no problem", () => {
  const bundle = readDatabaseConnections(join(__dirname, '..', 'tenant'));
  expect(bundle.map((c) => c.name).sort()).toEqual(['members', 'shared-inbox']);
  expect(bundleConnectionProblems(bundle)).toEqual([]);
  expect(connectionChangeProblems(bundle, deployed)).toEqual([]);
  expect(connectionChangeProblems(bundle, [])).toEqual([]); // an empty tenant: both are created
});

test('email.unique turned off on an existing connection is refused, naming it', () => {
  const bundle = [
    { ...members, options: { attributes: { email: { unique: false }, username: { identifier: { active: true } } } } },
    shared,
  ];
  expect(connectionChangeProblems(bundle, deployed)).toEqual([
    expect.stringMatching(
      /^Connection "members" exists in the tenant with options\.attributes\.email\.unique: true, and the bundle sets it to false: Auth0 cannot change/,
    ),
  ]);
});

test('email.unique turned back on is refused too, explicitly or by leaving `unique` out of the attributes', () => {
  const explicit = { ...shared, options: { attributes: { email: { unique: true }, username: { identifier: { active: true } } } } };
  const implicit = { ...shared, options: { attributes: { email: { identifier: { active: true } } } } };
  for (const wanted of [explicit, implicit]) {
    expect(connectionChangeProblems([members, wanted], deployed)).toEqual([
      expect.stringContaining(
        '"shared-inbox" exists in the tenant with options.attributes.email.unique: false, and the bundle sets it to true',
      ),
    ]);
  }
});

test("options without attributes keep the tenant's (deploy-cli merges them): no problem", () => {
  expect(connectionChangeProblems([members, { ...shared, options: { disable_signup: true } }], deployed)).toEqual([]);
});

test('legacy requires_username in place of flexible identifiers is refused', () => {
  expect(connectionChangeProblems([members, { ...shared, options: { requires_username: true } }], deployed)).toEqual([
    expect.stringContaining('Auth0 cannot disable flexible identifiers on an existing connection'),
  ]);
});

test('a rename (a managed connection gone, a new one created) is refused, naming both', () => {
  const renamed = { ...shared, name: 'shared-mailbox' };
  expect(connectionChangeProblems([members, renamed], deployed)).toEqual([
    expect.stringMatching(
      /^Connection rename: the tenant has "shared-inbox" \(deployed by this project\) .* while it creates "shared-mailbox"/,
    ),
  ]);
});

test('a managed connection dropped with nothing created is left alone; an unmanaged one never counts', () => {
  expect(connectionChangeProblems([members], deployed)).toEqual([]);
  const onlyUnmanaged = deployed.filter((c) => c.metadata === undefined);
  expect(connectionChangeProblems([members, shared], onlyUnmanaged)).toEqual([]);
});

test('a name taken by a connection of another strategy is refused', () => {
  expect(connectionChangeProblems([members, shared, { ...members, name: 'google-oauth2' }], deployed)).toEqual([
    expect.stringContaining('"google-oauth2" already exists in the tenant as a google-oauth2 connection'),
  ]);
});

test('a bundle connection without the managed_by marker is refused (a later rename would go unseen)', () => {
  const { metadata: _marker, ...unmarked } = members;
  expect(bundleConnectionProblems([unmarked, shared])).toEqual([
    expect.stringContaining('Connection "members" (database-connections/members/database.json) lacks "metadata"'),
  ]);
});
