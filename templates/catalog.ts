import { App, Stack } from 'aws-cdk-lib';
import { batchGpu } from './batch-gpu';
import { singleTeam } from './single-team';
import { TrainyardValidationError } from '../src/core/errors';

/** Every template `-c template=NAME` can pick, by name. */
export const TEMPLATES: Record<string, (app: App) => Stack[]> = {
  'single-team': singleTeam,
  'batch-gpu': batchGpu,
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
