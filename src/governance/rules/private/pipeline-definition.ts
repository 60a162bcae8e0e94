import { at } from './cfn';

/**
 * The outcome of reading the definition of an `AWS::SageMaker::Pipeline` at synth time.
 *
 * @internal
 */
export type PipelineDefinitionRead =
  | { readonly readable: true; readonly definition: any; readonly tokens: unknown[] }
  | { readonly readable: false; readonly reason: string };

/** The placeholder that stands for the n-th intrinsic of a joined definition. */
const placeholder = (n: number) => `__trainyard_token_${n}__`;
const PLACEHOLDER = /^__trainyard_token_(\d+)__$/;
/** Where a parsed definition keeps the intrinsics its placeholders stand for. */
const TOKENS = Symbol.for('trainyard.pipelineDefinitionTokens');


/**
 * Parses the pipeline definition of a resolved `AWS::SageMaker::Pipeline` (`Properties.PipelineDefinition`).
 *
 * `PipelineDefinitionBody` is either a JSON string or, when the JSON embeds a token (a role ARN, a
 * bucket name), an `Fn::Join` of JSON fragments and intrinsics. Intrinsics are replaced by a
 * placeholder string before parsing: a rule can tell that a value is present, not what it is.
 * A definition in S3 (`PipelineDefinitionS3Location`) cannot be read at synth.
 *
 * @internal
 */
export function readPipelineDefinition(properties: any): PipelineDefinitionRead {
  const pd = properties?.PipelineDefinition;
  if (!pd || typeof pd !== 'object') {
    return { readable: false, reason: 'the pipeline has no PipelineDefinition' };
  }
  if (pd.PipelineDefinitionS3Location !== undefined) {
    return { readable: false, reason: 'the definition is stored in S3 (PipelineDefinitionS3Location) and cannot be read at synth' };
  }
  const body = pd.PipelineDefinitionBody;
  if (typeof body === 'string') {
    return parse(body, []);
  }
  const join = body && typeof body === 'object' ? body['Fn::Join'] : undefined;
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const separator: string = join[0];
    const parts: unknown[] = join[1];
    // A token inside a JSON string becomes a bare placeholder; a token in value position needs quotes.
    const tokens = parts.filter((p) => typeof p !== 'string');
    let n = 0;
    const bare = parse(parts.map((p) => (typeof p === 'string' ? p : placeholder(n++))).join(separator), tokens);
    if (bare.readable) return bare;
    n = 0;
    return parse(parts.map((p) => (typeof p === 'string' ? p : `"${placeholder(n++)}"`)).join(separator), tokens);
  }
  return { readable: false, reason: 'PipelineDefinitionBody is neither a JSON string nor a joined JSON string' };
}

function parse(text: string, tokens: unknown[]): PipelineDefinitionRead {
  try {
    const definition = JSON.parse(text);
    if (!definition || typeof definition !== 'object' || !Array.isArray(definition.Steps)) {
      return { readable: false, reason: 'the definition has no Steps list' };
    }
    Object.defineProperty(definition, TOKENS, { value: tokens, enumerable: false });
    return { readable: true, definition, tokens };
  } catch (e) {
    return { readable: false, reason: `the definition is not valid JSON (${(e as Error).message})` };
  }
}

/**
 * Every step of a definition, including the steps inside Condition steps' IfSteps and ElseSteps.
 *
 * @internal
 */
export function allSteps(definition: any): any[] {
  const out: any[] = [];
  const visit = (steps: unknown) => {
    for (const step of Array.isArray(steps) ? steps : []) {
      if (!step || typeof step !== 'object') continue;
      out.push(step);
      if (step.Type === 'Condition') {
        visit(at(step, 'Arguments.IfSteps'));
        visit(at(step, 'Arguments.ElseSteps'));
      }
    }
  };
  visit(definition?.Steps);
  return out;
}

/**
 * The value of an argument, with a pipeline parameter reference (`{"Get": "Parameters.X"}`)
 * replaced by the parameter's default value. Other references (step properties, execution
 * variables, `Std:Join`) are returned as they are: present, but not known at synth.
 *
 * @internal
 */
export function argumentValue(definition: any, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as any).Get === 'string') {
    const match = /^Parameters\.(.+)$/.exec((value as any).Get);
    if (match) {
      const parameter = (Array.isArray(definition?.Parameters) ? definition.Parameters : []).find((p: any) => p?.Name === match[1]);
      return argumentValue(definition, parameter?.DefaultValue);
    }
  }
  if (typeof value === 'string') {
    // A token of the definition body (a Ref to a group, a key ARN) comes back as its intrinsic.
    const match = PLACEHOLDER.exec(value);
    const tokens: unknown[] | undefined = definition?.[TOKENS];
    if (match && tokens && Number(match[1]) < tokens.length) {
      return tokens[Number(match[1])];
    }
  }
  return value;
}
