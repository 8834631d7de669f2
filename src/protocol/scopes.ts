// Operator scopes and the rules for which granted scope satisfies which required one.

export const OPERATOR_SCOPES = [
  'operator.read',
  'operator.write',
  'operator.admin',
  'operator.approvals',
  'operator.pairing',
  'operator.questions',
  'operator.talk',
  'operator.talk.secrets',
] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

/** What a shared-secret (token/password) HTTP caller gets. */
export const FULL_OPERATOR_SCOPES: readonly string[] = [
  'operator.admin',
  'operator.approvals',
  'operator.pairing',
  'operator.read',
  'operator.talk.secrets',
  'operator.write',
];

/** What our CLI asks for by default. */
export const CLI_DEFAULT_SCOPES: readonly string[] = [
  'operator.admin',
  'operator.read',
  'operator.write',
  'operator.approvals',
  'operator.pairing',
];

export function isKnownOperatorScope(scope: string): boolean {
  return (OPERATOR_SCOPES as readonly string[]).includes(scope);
}

/** admin satisfies everything; write satisfies read and talk; otherwise exact match. */
export function scopeSatisfies(granted: readonly string[], required: string): boolean {
  if (granted.includes('operator.admin')) return true;
  if (granted.includes(required)) return true;
  if ((required === 'operator.read' || required === 'operator.talk') && granted.includes('operator.write')) return true;
  return false;
}

export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((s) => !scopeSatisfies(granted, s));
}
