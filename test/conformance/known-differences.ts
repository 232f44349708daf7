/**
 * The differences left between the stand-in's answers and a real tenant's, each one a field a
 * real tenant sends that neither our code nor auth0-deploy-cli reads. The conformance suite
 * lets exactly these through and fails when one no longer occurs, so this list stays true.
 * docs/conformance.md lists them with the differences the suite cannot see.
 */
import type { EndpointKey } from './shape-kit';

export interface KnownDifference {
  endpoints: readonly EndpointKey[];
  /** The mismatch lines it covers (see shape-kit `mismatches`). */
  problem: RegExp;
  why: string;
}

const USER_ANSWERS = [
  'GET /api/v2/users',
  'GET /api/v2/users/{id}',
  'POST /api/v2/users',
  'PATCH /api/v2/users/{id}',
  'GET /api/v2/users-by-email',
];

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    endpoints: USER_ANSWERS,
    problem: /^body\.(users\.\d+\.|\d+\.)?picture: /,
    why: 'Auth0 sets a Gravatar `picture` on every user; nothing of ours reads it (the email templates and Actions use name and email only).',
  },
  {
    endpoints: ['GET /api/v2/emails/provider', 'POST /api/v2/emails/provider', 'PATCH /api/v2/emails/provider'],
    problem: /^body\.credentials: /,
    why:
      'Auth0 answers `credentials` without its secrets (`{}` for SendGrid); the stand-in leaves the key out. deploy/plan.ts only asks whether a provider exists; ' +
      'deploy-cli treats both as "credentials not readable" and sends its own.',
  },
];

export function knownDifference(endpoint: EndpointKey, problem: string): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find((d) => d.endpoints.includes(endpoint) && d.problem.test(problem));
}
