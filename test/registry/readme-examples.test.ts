import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { exampleContext, experimentTrackingExample, imageRegistryExample, modelRegistryExample, runTagsExample } from './readme-examples';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const EXAMPLES = fs.readFileSync(path.join(__dirname, 'readme-examples.ts'), 'utf8');

/** The code between `// README:<name>:start` and `:end`, without its common indentation. */
function block(name: string): string {
  const match = EXAMPLES.match(new RegExp(`// README:${name}:start\\n([\\s\\S]*?)\\n\\s*// README:${name}:end`));
  expect(match).not.toBeNull();
  const lines = match![1].split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

describe('README registry examples', () => {
  test.each(['model-registry', 'image-registry', 'experiment-tracking', 'run-tags'])('README.md shows the %s example exactly as compiled here', (name) => {
    expect(README).toContain(block(name));
  });

  // GIVEN the README examples built into one app, synthesized once with every compliance pack
  let team!: Stack;
  let platformStack!: Stack;
  const result = synthWithCompliance((app) => {
    const context = exampleContext(app);
    team = context.teamStack;
    platformStack = context.platformStack;
    modelRegistryExample(context);
    imageRegistryExample(context);
    experimentTrackingExample(context);
  });

  test('has no unacknowledged findings (the example grantee role acknowledges exactly its own five)', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('the examples create what the README says', () => {
    const t = result.template(team);
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    t.resourceCountIs('AWS::ECR::Repository', 1);
    const p = result.template(platformStack);
    p.resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    p.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 1);
    expect(Template.fromJSON(p.toJSON()).findResources('AWS::SageMaker::MlflowTrackingServer')).toBeDefined();
    expect(runTagsExample().map((tag) => tag.key)).toEqual(['trainyard:git-sha', 'trainyard:dataset-version', 'trainyard:config-hash', 'trainyard:team']);
  });
});
