// The CreateTrainingJob request of a QueuedTrainingStep as its Callback step carries it, and how the
// submitter (and `trainyard run --local`) rebuilds it. Free of CDK and AWS clients: it is bundled
// into the submitter Lambda and the CLI.
//
// A SageMaker Callback step's `Arguments` are its inputs, a flat map of names to primitives or
// pipeline-variable expressions (the SageMaker Python SDK's CallbackStep renders `inputs` as is).
// So the request travels as one JSON string (`TrainingJobRequest`) in which every run-time value
// (a parameter, an execution variable, another step's property, a join of those) is a marker
// `{"Trainyard::Value": "RunTimeValue<n>"}`, and each marker's expression is its own top-level
// argument `RunTimeValue<n>`. SageMaker resolves those arguments; the submitter puts their values
// in place. No run-time value is ever spliced into JSON text, so a quote or backslash in a
// parameter value can neither break the request nor add fields to it.

/** The argument holding the request template (a JSON string). */
export const REQUEST_ARGUMENT = 'TrainingJobRequest';
/** The names of the arguments holding run-time values: `RunTimeValue0`, `RunTimeValue1`, ... */
export const VALUE_ARGUMENT_PREFIX = 'RunTimeValue';
/** The key of a marker object in the template. */
export const VALUE_MARKER = 'Trainyard::Value';

/** The request template cannot be turned into a CreateTrainingJob request. */
export class TrainingJobRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingJobRequestError';
    Object.setPrototypeOf(this, TrainingJobRequestError.prototype);
  }
}

/** Whether `value` is a marker `{"Trainyard::Value": "<argument>"}`. */
export function isValueMarker(value: unknown): value is { [VALUE_MARKER]: string } {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && Object.keys(value).length === 1 && typeof (value as any)[VALUE_MARKER] === 'string';
}

/**
 * The CreateTrainingJob request of a Callback step's resolved arguments: the template parsed and
 * each marker replaced by the string value of its argument (every run-time value of a training
 * request sits where CreateTrainingJob expects a string: hyperparameters, S3 URIs, environment
 * variables, tag values). A template that is already an object (a definition rendered before run-time
 * values were split out) is taken as it is.
 *
 * @throws TrainingJobRequestError when the template is missing or not JSON, or names an argument
 * that is missing or not a primitive
 */
export function resolveTrainingJobRequest(args: Readonly<Record<string, unknown>>): Record<string, any> {
  const template = args?.[REQUEST_ARGUMENT];
  let request: unknown;
  if (typeof template === 'string') {
    try {
      request = JSON.parse(template);
    } catch (e) {
      throw new TrainingJobRequestError(`${REQUEST_ARGUMENT} is not valid JSON (${(e as Error).message}).`);
    }
  } else {
    request = template;
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new TrainingJobRequestError(`${REQUEST_ARGUMENT} is not a CreateTrainingJob request object (got ${request === undefined ? 'nothing' : typeof request}).`);
  }
  const fill = (value: unknown): unknown => {
    if (isValueMarker(value)) {
      const name = value[VALUE_MARKER];
      const resolved = args[name];
      if (resolved === undefined || resolved === null) {
        throw new TrainingJobRequestError(`${REQUEST_ARGUMENT} refers to argument ${name}, which the callback message does not carry.`);
      }
      if (typeof resolved === 'object') {
        throw new TrainingJobRequestError(`argument ${name} resolved to ${Array.isArray(resolved) ? 'a list' : 'an object'}, not a string, number or boolean.`);
      }
      return String(resolved);
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    }
    return value;
  };
  return fill(request) as Record<string, any>;
}
