import { Duration, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { expectRefused, notAWholePositive, params } from './arbitraries';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { Condition } from '../../src/pipeline/definition/condition';
import { ConditionStep } from '../../src/pipeline/definition/condition-step';
import { FailStep } from '../../src/pipeline/definition/fail-step';
import { Parameter } from '../../src/pipeline/definition/parameter';
import { PipelineDefinition } from '../../src/pipeline/definition/pipeline-definition';
import { PipelineExpression } from '../../src/pipeline/definition/pipeline-expression';
import { PipelineStep } from '../../src/pipeline/definition/pipeline-step';
import { ProcessingStep } from '../../src/pipeline/definition/processing-step';
import { RegisterModelStep } from '../../src/pipeline/definition/register-model-step';
import { RetryExceptionType, RetryPolicy } from '../../src/pipeline/definition/retry-policy';
import { TrainingStep } from '../../src/pipeline/definition/training-step';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { newApp } from '../helpers/synth';
import { concreteDefinition, definitionSchemaErrors } from '../pipeline/definition/definition-rules';
import { platformAndTeam } from '../pipeline/fixtures';

/**
 * Property-based tests of the pipeline DSL: random DAGs of processing, training, register-model and
 * fail steps (some nested in a condition step, added in any order) render a definition with no
 * validation errors that passes the definition rules; random graphs with cycles, references to steps
 * outside the definition, duplicate or invalid step names and invalid parameter names are reported,
 * naming the step or parameter, by `PipelineDefinition.validate()` and by the synth-time validation
 * of `TrainingPipeline`.
 */

const { teamStack, environment } = platformAndTeam(newApp());
let pipelines = 0;

type Kind = 'processing' | 'training' | 'register' | 'fail';

/** A random step graph: node i waits for node j for every edge [i, j]; `data` edges read a property of j. */
interface GraphSpec {
  readonly names: string[];
  readonly kinds: Kind[];
  readonly edges: Array<{ from: number; to: number; data: boolean }>;
  /** Nodes put in the condition step's branches instead of the top level (true: ifSteps). */
  readonly branch: Array<boolean | undefined>;
  /** Nodes built but never added to the definition. */
  readonly outside: boolean[];
  /** The order top-level steps are added in (a permutation of the node indices). */
  readonly order: number[];
  /** Node index -> parameter names it reads. */
  readonly parameters: string[][];
}

const stepName = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const parameterName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,20}$/);
const GATE = 'Gate';

/** Graph specs with `n` nodes (2 to 7) and the given edge shape. */
function graphSpec(options: { acyclicOnly: boolean; withOutside?: boolean; withBranches?: boolean }): fc.Arbitrary<GraphSpec> {
  return fc.integer({ min: 2, max: 7 }).chain((n) => fc.record({
    names: fc.uniqueArray(stepName.filter((s) => s !== GATE), { minLength: n, maxLength: n, comparator: (a, b) => a === b }),
    kinds: fc.array(fc.constantFrom<Kind>('processing', 'training', 'register', 'fail'), { minLength: n, maxLength: n }),
    edges: fc.uniqueArray(
      fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), data: fc.boolean() })
        .filter((e) => !options.acyclicOnly || e.from > e.to),
      { maxLength: n * 2, selector: (e) => `${e.from}-${e.to}` },
    ),
    branch: fc.array(
      options.withBranches ? fc.option(fc.boolean(), { nil: undefined, freq: 3 }) : fc.constant(undefined),
      { minLength: n, maxLength: n },
    ),
    outside: fc.array(options.withOutside ? fc.boolean() : fc.constant(false), { minLength: n, maxLength: n }),
    order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    parameters: fc.array(fc.array(parameterName, { maxLength: 2 }), { minLength: n, maxLength: n }),
  }));
}

/** Whether node i can be read as data (fail steps have no properties). */
const readable = (kind: Kind) => kind !== 'fail';

/**
 * Builds the steps of `spec` in index order. A data edge to an earlier, readable node reads its
 * property at construction; every other edge is an explicit `addDependency` after construction.
 */
function build(spec: GraphSpec): { steps: PipelineStep[]; definition: PipelineDefinition; gate?: ConditionStep } {
  const n = spec.names.length;
  const steps: PipelineStep[] = [];
  const isData = (e: { from: number; to: number; data: boolean }) => e.data && e.to < e.from && readable(spec.kinds[e.to]);
  const reference = (j: number): PipelineExpression => {
    const target = steps[j];
    if (target instanceof ProcessingStep) return target.outputUri('out');
    if (target instanceof TrainingStep) return target.modelArtifactsUri;
    if (target instanceof RegisterModelStep) return target.modelPackageArn;
    throw new Error('not readable');
  };
  for (let i = 0; i < n; i++) {
    const reads = spec.edges.filter((e) => e.from === i && isData(e)).map((e) => reference(e.to));
    const parameters = spec.parameters[i].map((p) => Parameter.string(p, { defaultValue: 's3://bucket/key' }));
    const values = [...reads, ...parameters];
    const name = spec.names[i];
    switch (spec.kinds[i]) {
      case 'processing':
        steps.push(new ProcessingStep({
          name,
          environment,
          imageUri: 'image:cpu',
          entrypoint: ['python3', 'run.py'],
          inputs: values.map((source, k) => ({ inputName: `in${k}`, source })),
          outputs: [{ outputName: 'out' }],
        }));
        break;
      case 'training':
        steps.push(new TrainingStep({ name, environment, imageUri: 'image:gpu', channels: values.map((s3Uri, k) => ({ channelName: `c${k}`, s3Uri })) }));
        break;
      case 'register':
        steps.push(new RegisterModelStep({
          name,
          environment,
          inferenceImageUri: 'image:inference',
          modelDataUrl: values.length > 0 ? PipelineExpression.join('/', values) : PipelineExpression.fromString('s3://bucket/model.tar.gz'),
        }));
        break;
      case 'fail':
        steps.push(new FailStep({ name, errorMessage: values.length > 0 ? PipelineExpression.join(' ', values) : undefined }));
        break;
    }
  }
  for (const e of spec.edges) {
    if (!isData(e)) {
      steps[e.from].addDependency(steps[e.to]);
    }
  }
  const inside = (i: number) => !spec.outside[i];
  const ifSteps = spec.order.filter((i) => inside(i) && spec.branch[i] === true).map((i) => steps[i]);
  const elseSteps = spec.order.filter((i) => inside(i) && spec.branch[i] === false).map((i) => steps[i]);
  const gate = ifSteps.length + elseSteps.length > 0
    ? new ConditionStep({ name: GATE, conditions: [Condition.equalTo(Parameter.string('Mode', { defaultValue: 'train' }), PipelineExpression.fromString('train'))], ifSteps, elseSteps })
    : undefined;
  const topLevel = spec.order.filter((i) => inside(i) && spec.branch[i] === undefined).map((i) => steps[i]);
  const definition = new PipelineDefinition({ steps: gate ? [...topLevel, gate] : topLevel });
  return { steps, definition, gate };
}

/** The validation messages of a TrainingPipeline running `definition` (construct validation, no synth). */
function pipelineMessages(definition: PipelineDefinition): string[] {
  const pipeline = new TrainingPipeline(teamStack, `Pipeline${pipelines++}`, { environment, definition });
  return pipeline.node.validate();
}

/** Whether the directed graph (i waits for j) has a cycle, by repeatedly removing nodes that wait for nothing. */
function hasCycle(n: number, edges: Array<{ from: number; to: number }>): boolean {
  let remaining = new Set([...Array(n).keys()]);
  let changed = true;
  while (changed) {
    changed = false;
    for (const i of remaining) {
      if (!edges.some((e) => e.from === i && remaining.has(e.to))) {
        remaining = new Set([...remaining].filter((r) => r !== i));
        changed = true;
      }
    }
  }
  return remaining.size > 0;
}

describe('valid pipeline graphs build', () => {
  test('random DAGs (any step types, data and explicit dependencies, condition branches, any order) validate and pass the definition rules', () => {
    fc.assert(fc.property(graphSpec({ acyclicOnly: true, withBranches: true }), (spec) => {
      const { definition } = build(spec);
      expect(definition.validate()).toEqual([]);
      const rendered = concreteDefinition(definition.toJson());
      expect(definitionSchemaErrors(rendered)).toEqual([]);
      // Every DependsOn names a step of the definition.
      const names = new Set(definition.allSteps.map((s) => s.name));
      const dependsOn = (steps: any[]): string[] => steps.flatMap((s) => [
        ...(s.DependsOn ?? []),
        ...dependsOn([...(s.Arguments?.IfSteps ?? []), ...(s.Arguments?.ElseSteps ?? [])]),
      ]);
      for (const name of dependsOn(rendered.Steps)) {
        expect(names.has(name)).toBe(true);
      }
    }), params);
  });

  test('a random DAG run by a TrainingPipeline has no validation errors', () => {
    fc.assert(fc.property(graphSpec({ acyclicOnly: true, withBranches: true }), (spec) => {
      expect(pipelineMessages(build(spec).definition)).toEqual([]);
    }), { ...params, numRuns: Math.max(5, Math.floor(params.numRuns / 5)) });
  });
});

describe('invalid pipeline graphs are reported, naming the step or parameter', () => {
  test('a dependency cycle (explicit or through data, of any length, self-loops included) is reported exactly when there is one', () => {
    fc.assert(fc.property(graphSpec({ acyclicOnly: false }), (spec) => {
      const { definition } = build(spec);
      const errors = definition.validate();
      const cycles = errors.filter((e) => / dependency cycle /.test(e));
      expect(cycles.length > 0).toBe(hasCycle(spec.names.length, spec.edges));
      expect(errors).toEqual(cycles);
      for (const message of cycles) {
        const match = /^Step '(.*)': dependency cycle (.*); a step cannot wait for itself\.$/s.exec(message);
        expect(match).not.toBeNull();
        const path = match![2].split(' -> ');
        expect(path[0]).toBe(match![1]);
        expect(path[path.length - 1]).toBe(match![1]);
        // Each step of the reported cycle waits for the next one.
        for (let k = 0; k + 1 < path.length; k++) {
          const from = spec.names.indexOf(path[k]);
          const to = spec.names.indexOf(path[k + 1]);
          expect(spec.edges.some((e) => e.from === from && e.to === to)).toBe(true);
        }
      }
    }), params);
  });

  test('a cyclic graph run by a TrainingPipeline fails validation naming a step of the cycle', () => {
    const cyclic = graphSpec({ acyclicOnly: false }).filter((s) => hasCycle(s.names.length, s.edges));
    fc.assert(fc.property(cyclic, (spec) => {
      const messages = pipelineMessages(build(spec).definition);
      expect(messages.some((m) => /^TrainingPipeline Team\/Pipeline\d+: Step '.*': dependency cycle /s.test(m))).toBe(true);
    }), { ...params, numRuns: Math.max(5, Math.floor(params.numRuns / 5)) });
  });

  test('a step that depends on or reads a step outside the definition is reported, naming both steps', () => {
    const dangling = graphSpec({ acyclicOnly: true, withOutside: true, withBranches: true })
      .filter((s) => s.edges.some((e) => !s.outside[e.from] && s.outside[e.to]));
    fc.assert(fc.property(dangling, (spec) => {
      const { definition } = build(spec);
      const errors = definition.validate();
      const expected = spec.edges.filter((e) => !spec.outside[e.from] && spec.outside[e.to]);
      for (const e of expected) {
        const from = spec.names[e.from];
        const to = spec.names[e.to];
        const named = errors.filter((m) => m.startsWith(`Step '${from}'`) && m.includes(` step '${to}', which is not in the pipeline definition; add it with addStep.`));
        expect(named.length).toBeGreaterThan(0);
      }
      // Nothing else is reported.
      expect(errors.every((m) => m.includes('which is not in the pipeline definition'))).toBe(true);
      expect(pipelineMessages(definition).length).toBe(errors.length);
    }), { ...params, numRuns: Math.max(10, Math.floor(params.numRuns / 2)) });
  });

  test('two steps with one name, and one step placed twice, are reported naming the step', () => {
    fc.assert(fc.property(graphSpec({ acyclicOnly: true }), fc.nat(), fc.boolean(), (spec, pick, sameStep) => {
      const { definition, steps } = build(spec);
      const existing = steps[spec.order[pick % spec.order.length]];
      definition.addStep(sameStep ? existing : new FailStep({ name: existing.name }));
      const errors = definition.validate();
      expect(errors).toEqual([expect.stringMatching(sameStep
        ? new RegExp(`^Step '${escape(existing.name)}': is placed 2 times \\(top level; top level\\)`)
        : new RegExp(`^Step '${escape(existing.name)}': the name is used by 2 steps .*; step names must be unique\\.$`))]);
    }), params);
  });

  test('invalid step names (empty, over 64 characters, other characters) are reported naming the step', () => {
    const invalidName = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[A-Za-z0-9_-]{65,100}$/),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)),
      fc.constantFrom('has space', 'dot.ted', 'slash/ed', 'quote\'d', 'naïve', 'tab\t', 'Steps.Train'),
    );
    fc.assert(fc.property(graphSpec({ acyclicOnly: true, withBranches: true }), fc.nat(), invalidName, (spec, pick, bad) => {
      const names = [...spec.names];
      names[pick % names.length] = bad;
      const { definition } = build({ ...spec, names });
      const errors = definition.validate();
      expect(errors.filter((m) => m.startsWith(`Step '${bad}': the name `))).toHaveLength(1);
      expect(errors).toHaveLength(1);
      expect(pipelineMessages(definition)).toEqual([`TrainingPipeline Team/Pipeline${pipelines - 1}: ${errors[0]}`]);
    }), params);
  });

  test('invalid parameter names, read by a step or declared, are reported naming the parameter', () => {
    const invalidName = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[A-Za-z0-9_-]{65,90}$/),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)),
      fc.constantFrom('a.b', 'with space', 'Parameters.X', 'naïve'),
    );
    fc.assert(fc.property(graphSpec({ acyclicOnly: true }), fc.nat(), invalidName, fc.boolean(), (spec, pick, bad, declared) => {
      const parameters = spec.parameters.map((p) => [...p]);
      if (!declared) {
        parameters[pick % parameters.length].push(bad);
      }
      const { definition } = build({ ...spec, parameters });
      if (declared) {
        definition.addParameter(Parameter.float(bad, { defaultValue: 0.5 }));
      }
      const errors = definition.validate();
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^Parameter '${escape(bad)}': the name `))]);
    }), params);
  });

  test('one parameter name declared with two types is reported naming the parameter', () => {
    const makers = [
      (name: string) => Parameter.string(name), (name: string) => Parameter.integer(name),
      (name: string) => Parameter.float(name), (name: string) => Parameter.boolean(name),
    ];
    fc.assert(fc.property(parameterName, fc.uniqueArray(fc.nat(3), { minLength: 2, maxLength: 4 }), (name, types) => {
      const definition = new PipelineDefinition({ steps: [new FailStep({ name: 'Stop' })], parameters: types.map((t) => makers[t](name)) });
      expect(definition.validate()).toEqual([`Parameter '${name}': is declared with ${types.length} types (${types.map((t) => makers[t](name).valueType).join(', ')}); use one parameter per name.`]);
    }), params);
  });
});

describe('steps refuse bad props at once, naming the prop', () => {
  const notAString = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.constant({}), fc.constant(['x']));
  const makers: Array<[string, (name: any) => unknown]> = [
    ['FailStep.name', (name) => new FailStep({ name })],
    ['ProcessingStep.name', (name) => new ProcessingStep({ name, environment, imageUri: 'i', entrypoint: ['x'] })],
    ['TrainingStep.name', (name) => new TrainingStep({ name, environment, imageUri: 'i' })],
    ['RegisterModelStep.name', (name) => new RegisterModelStep({ name, environment, inferenceImageUri: 'i', modelDataUrl: PipelineExpression.fromString('s3://b/m') })],
    ['ConditionStep.name', (name) => new ConditionStep({ name, conditions: [Condition.equalTo(PipelineExpression.fromNumber(1), PipelineExpression.fromNumber(1))] })],
  ];

  test('a step name that is not a string', () => {
    fc.assert(fc.property(fc.constantFrom(...makers), notAString, ([prop, make], name) => expectRefused(() => make(name), prop)), params);
  });

  test('a dependency that is not a step', () => {
    const notAStep = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.constant({ name: 'Fake' }));
    fc.assert(fc.property(stepName, notAStep, (name, dependency) =>
      expectRefused(() => new FailStep({ name, dependsOn: [dependency as any] }), `FailStep(${name}).dependsOn`)), params);
  });

  /** Durations that are not a whole number of seconds within [min, max] (CDK Durations cannot be negative). */
  const badSeconds = (min: number, max: number) => fc.oneof(
    fc.constantFrom(Duration.seconds(NaN), Duration.seconds(Infinity), Duration.millis(1500), Duration.millis(999)),
    fc.integer({ min: max + 1, max: max * 10 }).map((s) => Duration.seconds(s)),
    fc.integer({ min: 1, max: 1_000_000 }).filter((ms) => ms % 1000 !== 0).map((ms) => Duration.millis(ms)),
    ...(min > 0 ? [fc.integer({ min: 0, max: min - 1 }).map((s) => Duration.seconds(s))] : []),
  );
  const notAnInstanceType = fc.oneof(
    fc.constantFrom('', 'm5.xlarge', 'ml.m5', 'ML.M5.XLARGE', 'ml..xlarge', 'ml.m5.xlarge ', 'g5.2xlarge'),
    fc.string({ maxLength: 20 }).filter((t) => !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(t)),
  );

  test('ProcessingStep: maxRuntime, instance type and image', () => {
    const make = (props: any) => () => new ProcessingStep({ name: 'P', environment, imageUri: 'i', entrypoint: ['x'], ...props });
    fc.assert(fc.property(badSeconds(1, 777600), notAnInstanceType, (maxRuntime, instanceType) => {
      expectRefused(make({ maxRuntime }), 'ProcessingStep(P).maxRuntime (seconds)');
      expectRefused(make({ instanceType }), 'ProcessingStep(P).instanceType');
      expectRefused(make({ imageUri: '' }), 'ProcessingStep(P).imageUri');
    }), params);
  });

  test('TrainingStep overrides: runtime, wait time, warm pool and instance type; channel names', () => {
    const make = (overrides: any, channels?: any) => () => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides, channels });
    const badChannel = fc.oneof(fc.constantFrom('', 'with space', 'slash/ed', 'a'.repeat(65)), fc.string({ maxLength: 20 }).filter((c) => !/^[A-Za-z0-9._-]{1,64}$/.test(c)));
    fc.assert(fc.property(badSeconds(1, 28 * 24 * 3600), badSeconds(1, 56 * 24 * 3600), badSeconds(0, 3600), notAnInstanceType, badChannel,
      (maxRuntime, maxWaitTime, warmPoolKeepAlive, instanceType, channelName) => {
        expectRefused(make({ maxRuntime, useSpot: false }), 'TrainingStep(T).overrides.maxRuntime (seconds)');
        expectRefused(make({ maxWaitTime }), 'TrainingStep(T).overrides.maxWaitTime (seconds)');
        expectRefused(make({ warmPoolKeepAlive, useSpot: false }), 'TrainingStep(T).overrides.warmPoolKeepAlive (seconds)');
        expectRefused(make({ gpu: instanceType }), 'TrainingStep(T).overrides.gpu');
        expectRefused(make({}, [{ channelName, s3Uri: PipelineExpression.fromString('s3://b/k') }]), 'TrainingStep(T).channels');
      }), params);
    // A warm pool cannot be combined with spot.
    fc.assert(fc.property(fc.integer({ min: 1, max: 3600 }), (seconds) =>
      expectRefused(make({ warmPoolKeepAlive: Duration.seconds(seconds), useSpot: true }), 'TrainingStep(T).overrides.warmPoolKeepAlive')), params);
  });

  test('RegisterModelStep: model package group names SageMaker rejects, and an empty image', () => {
    const badGroup = fc.oneof(
      fc.constantFrom('', '-models', 'models-', 'fraud_models', 'fraud models', 'a'.repeat(64)),
      fc.string({ minLength: 1, maxLength: 20 }).filter((g) => !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(g)),
    );
    const make = (props: any) => () => new RegisterModelStep({ name: 'R', environment, inferenceImageUri: 'i', modelDataUrl: PipelineExpression.fromString('s3://b/m'), ...props });
    fc.assert(fc.property(badGroup, (modelPackageGroupName) => {
      expectRefused(make({ modelPackageGroupName }), 'RegisterModelStep(R).modelPackageGroupName');
      expectRefused(make({ inferenceImageUri: '' }), 'RegisterModelStep(R).inferenceImageUri');
    }), params);
  });

  test('RetryPolicy: intervals, backoff rates, attempts and exception types SageMaker rejects', () => {
    const types = [RetryExceptionType.STEP_THROTTLING];
    const badRate = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 0, 0.99, -1), fc.double({ max: 0.999, noNaN: true }));
    const badAttempts = fc.oneof(notAWholePositive, fc.integer({ min: 21, max: 1000 }));
    const badType = fc.oneof(fc.constantFrom('Step.OOPS', '', 'step.throttling', 'SageMaker.*'), fc.string({ maxLength: 20 }));
    fc.assert(fc.property(badSeconds(1, 43200), badRate, badAttempts, badType, (interval, backoffRate, maxAttempts, type) => {
      expectRefused(() => RetryPolicy.of({ exceptionTypes: types, interval }), 'RetryPolicyProps.interval (seconds)');
      expectRefused(() => RetryPolicy.of({ exceptionTypes: types, backoffRate }), 'RetryPolicyProps.backoffRate');
      expectRefused(() => RetryPolicy.of({ exceptionTypes: types, maxAttempts }), 'RetryPolicyProps.maxAttempts');
      expectRefused(() => RetryPolicy.of({ exceptionTypes: [type as RetryExceptionType] }), 'RetryPolicyProps.exceptionTypes');
    }), params);
  });

  test('valid step props are accepted and render', () => {
    const valid = fc.record({
      maxRuntime: fc.integer({ min: 1, max: 28 * 24 * 3600 }),
      gpu: fc.constantFrom(GpuProfile.P3_2XLARGE, GpuProfile.G5_2XLARGE, GpuProfile.P4D_24XLARGE, GpuProfile.TRN1_32XLARGE),
      channelName: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/).filter((c) => c !== 'code'),
      interval: fc.integer({ min: 1, max: 43200 }),
      backoffRate: fc.double({ min: 1, max: 100, noNaN: true }),
    });
    fc.assert(fc.property(valid, (v) => {
      const train = new TrainingStep({
        name: 'T',
        environment,
        imageUri: 'i',
        overrides: { maxRuntime: Duration.seconds(v.maxRuntime), maxWaitTime: Duration.seconds(2 * v.maxRuntime), gpu: v.gpu },
        channels: [{ channelName: v.channelName, s3Uri: PipelineExpression.fromString('s3://b/k') }],
        retryPolicies: [RetryPolicy.of({
          exceptionTypes: [RetryExceptionType.SAGEMAKER_CAPACITY_ERROR],
          interval: Duration.seconds(v.interval),
          backoffRate: v.backoffRate,
        })],
      });
      const definition = new PipelineDefinition({ steps: [train] });
      expect(definition.validate()).toEqual([]);
      expect(definitionSchemaErrors(concreteDefinition(definition.toJson()))).toEqual([]);
    }), params);
  });

  test('Parameter default values of the wrong type: integers that are not whole, floats that are not finite', () => {
    const notWhole = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 0.5), fc.double().filter((x) => !Number.isInteger(x)));
    const notFinite = fc.constantFrom(NaN, Infinity, -Infinity);
    fc.assert(fc.property(parameterName, notWhole, notFinite, (name, i, f) => {
      expectRefused(() => Parameter.integer(name, { defaultValue: i }), `Parameter.integer(${name}).defaultValue`);
      expectRefused(() => Parameter.float(name, { defaultValue: f }), `Parameter.float(${name}).defaultValue`);
    }), params);
  });
});

/** `s` with the regular expression metacharacters escaped. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('the fixture stack stays one stack', () => {
  expect(Stack.of(environment)).toBe(teamStack);
});
