/**
 * The CDK app that `cdk synth` / `cdk deploy` run (see cdk.json). `-c template=NAME` picks a template
 * (templates/catalog.ts): single-team (the default), multi-team, batch-gpu, multi-account, and for the
 * two-repository flow platform (the platform alone) and team (`-c team=<name>`: one team's stack,
 * finding the platform by `-c platformName` through its SSM parameters).
 *
 * After synthesis it gates on the compliance report: every unacknowledged finding fails the synth,
 * whatever status the plugin reported.
 */
import { App } from 'aws-cdk-lib';
import { synthesizeTemplate } from './app';
import { TrainyardValidationError } from '../src/core/errors';

try {
  const { packs, report } = synthesizeTemplate(new App());
  process.stderr.write(`Trainyard compliance (${packs.join(', ')}):\n${report.summary()}\n`);
  if (!report.passed) {
    process.exitCode = 1;
  }
} catch (e) {
  if (e instanceof TrainyardValidationError) {
    // A bad prop, config or argument: one clear line, no stack trace.
    process.stderr.write(`trainyard: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
