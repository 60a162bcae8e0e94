import { App, Stack } from 'aws-cdk-lib';
import { batchGpu } from './batch-gpu';
import { multiAccount } from './multi-account';
import { multiTeam } from './multi-team';
import { platformTemplate } from './platform';
import { singleTeam } from './single-team';
import { teamTemplate } from './team';
import { TrainyardValidationError } from '../src/core/errors';

/** Every template `-c template=NAME` can pick, by name. */
export const TEMPLATES: Record<string, (app: App) => Stack[]> = {
  'single-team': singleTeam,
  'multi-team': multiTeam,
  'batch-gpu': batchGpu,
  'multi-account': multiAccount,
  'platform': platformTemplate,
  'team': teamTemplate,
};

/** The template used when `-c template` is not given. */
export const DEFAULT_TEMPLATE = 'single-team';

/** Builds the template named by the app's `template` context into `app`. */
export function buildTemplate(app: App): Stack[] {
  const name = String(app.node.tryGetContext('template') ?? DEFAULT_TEMPLATE);
  const build = TEMPLATES[name];
  if (!build) {
    throw new TrainyardValidationError(
      '-c template',
      `unknown template '${name}'. Available: ${Object.keys(TEMPLATES).join(', ')}.`,
    );
  }
  return build(app);
}
