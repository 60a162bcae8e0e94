import { TrainyardValidationError } from '../core/errors';

/**
 * Turns any error a command throws into one line for stderr. Known failures (bad arguments or
 * input, missing AWS credentials or region, AWS access errors) get an actionable sentence; anything
 * else its message, never a stack trace.
 */
export function describeFailure(e: unknown): string {
  if (e instanceof TrainyardValidationError) {
    return oneLine(e.message);
  }
  const err = (e ?? {}) as { name?: string; message?: string; Code?: string };
  const name = String(err.name ?? '');
  const message = String(err.message ?? e);
  if (isMissingCredentials(e)) {
    return 'no AWS credentials found. Set AWS_PROFILE (after `aws sso login` or `aws configure`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run again.';
  }
  if (/^Region is missing/i.test(message)) {
    return 'no AWS region set. Pass --region or set AWS_REGION.';
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidSignatureException'].includes(name)) {
    return `the AWS credentials were rejected (${name}): refresh them (for example \`aws sso login\`) and run again.`;
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `access denied by AWS: ${oneLine(message)}`;
  }
  return oneLine(name && name !== 'Error' ? `${name}: ${message}` : message);
}

/** Whether `e` is the AWS SDK's error for a credential chain that found nothing. */
export function isMissingCredentials(e: unknown): boolean {
  const err = (e ?? {}) as { name?: string; message?: string };
  return err.name === 'CredentialsProviderError' || /Could not load credentials from any providers/i.test(String(err.message ?? ''));
}

function oneLine(text: string): string {
  return text.split('\n')[0].trim();
}
