import { Token } from 'aws-cdk-lib';
import { TrainyardValidationError } from './errors';
import { requireName } from './validate';

/**
 * The longest team name: SageMaker names derived from it (63 characters) keep 31 characters for
 * suffixes, IAM names (64) 32.
 */
const MAX_TEAM_NAME_LENGTH = 32;

/**
 * The one rule for team names. Team names become S3 prefixes, tags, the `Team` metric dimension and
 * the start of SageMaker, Batch, ECR and log group names: lowercase letters, digits and single
 * hyphens, starting with a letter and ending with a letter or digit, 2 to 32 characters.
 *
 * @internal
 */
export const TEAM_NAME_RULE = {
  pattern: /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/,
  minLength: 2,
  maxLength: MAX_TEAM_NAME_LENGTH,
  description:
    'lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit, ' +
    `2 to ${MAX_TEAM_NAME_LENGTH} characters so the SageMaker (63) and IAM (64) names derived from it fit`,
};

/**
 * Checks a team name against `TEAM_NAME_RULE` and returns it. Refuses a missing or empty value and a
 * token (prefixes, tags and names are derived from the team name at synth), naming `prop`.
 *
 * @internal
 */
export function validateTeamName(prop: string, value: string): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.length === 0)) {
    throw new TrainyardValidationError(prop, `is required and must not be empty (${TEAM_NAME_RULE.description}).`);
  }
  if (Token.isUnresolved(value)) {
    throw new TrainyardValidationError(prop, 'must be a literal string, not a token: S3 prefixes, tags and names are derived from it at synth.');
  }
  requireName(prop, value, TEAM_NAME_RULE);
  return value;
}
