/**
 * Team names become S3 prefixes, tags and parts of SageMaker, Batch and log group names: lowercase
 * letters, digits and single hyphens, short enough that every derived name stays within its limit.
 *
 * @internal
 */
export const TEAM_NAME_RULE = {
  pattern: /^[a-z0-9](-?[a-z0-9])*$/,
  minLength: 1,
  maxLength: 32,
  description: 'lowercase letters, digits and single hyphens, starting and ending with a letter or digit, at most 32 characters',
};
