/*
 * Types for Auth0's password-policy packages (they ship none): only what passwords.ts uses.
 * auth0-password-policies exports the rules of each strength level; password-sheriff checks them.
 */

declare module 'password-sheriff' {
  export interface RuleReport {
    message: string;
    code?: string;
    format?: Array<number | string>;
    verified: boolean;
    items?: RuleReport[];
  }
  export interface PolicyCheck {
    rules: RuleReport[];
    verified: boolean;
  }
  export type PasswordRules = Record<string, unknown> & { length?: { minLength: number } };
  export class PasswordPolicy {
    constructor(rules: PasswordRules);
    check(password: string): boolean;
    missing(password: string): PolicyCheck;
    toString(): string;
  }
}

declare module 'auth0-password-policies' {
  import type { PasswordRules } from 'password-sheriff';
  const policies: Record<'none' | 'low' | 'fair' | 'good' | 'excellent', PasswordRules>;
  export default policies;
}
