import { Token } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../core/errors';

/**
 * Checks a list of AWS account ids (12 digits each, no duplicates) and returns it (empty if undefined).
 * Tokens pass through unchecked.
 */
export function requireAccountIds(prop: string, accounts: string[] | undefined): string[] {
  if (accounts === undefined) {
    return [];
  }
  if (!Array.isArray(accounts)) {
    throw new TrainyardValidationError(prop, 'must be a list of 12-digit AWS account ids.');
  }
  const seen = new Set<string>();
  for (const account of accounts) {
    if (Token.isUnresolved(account)) {
      continue;
    }
    if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
      throw new TrainyardValidationError(prop, `each entry must be a 12-digit AWS account id, got '${String(account)}'.`);
    }
    if (seen.has(account)) {
      throw new TrainyardValidationError(prop, `lists account ${account} twice.`);
    }
    seen.add(account);
  }
  return [...accounts];
}
