import * as path from 'path';
import { TrainyardValidationError } from '../../core/errors';
import { oneOf, parseCommandArgs } from '../args';
import { CliCommand, CliIo } from '../io';
import { runLocally } from '../local-run/local-run';
import { renderEvent, renderHeader, renderSummary } from '../local-run/run-output';

const HELP = `Usage: trainyard run --local --data PATH [--cdk-out DIR] [--pipeline NAME] [--param NAME=VALUE ...]
                     [--keep DIR] [--format text|json] [--data-parameter NAME] [--container-paths auto|namespace|rewrite]

Runs a synthesized SageMaker pipeline on this machine, with the real scripts and a data sample, in
seconds: no AWS account, no Docker, no images. Processing and training steps run as local processes
under the SageMaker container contract (/opt/ml/processing/..., /opt/ml/input/data/<channel>, SM_*
variables, hyperparameters as script-mode arguments, model.tar.gz) with the local python3. Conditions,
property files (Std:JsonGet), Std:Join, DependsOn and Fail steps are evaluated as the service does;
RegisterModel and other service-only steps are recorded, not executed. Retry policies and caching
do not apply locally.

Options:
  --local                 run on this machine (required; the only mode)
  --data PATH             the data sample (a CSV file or a folder): the pipeline's data parameter reads it
  --cdk-out DIR           the cloud assembly (default: ./cdk.out)
  --pipeline NAME         which pipeline, when there are several (stack/logical id, logical id or name)
  --param NAME=VALUE      a parameter value (repeatable), checked against the parameter's type
  --keep DIR              keep the working root (outputs as s3/<bucket>/..., jobs and logs) in DIR
  --format FORMAT         text (default) or json (for CI; progress goes to stderr)
  --data-parameter NAME   the String parameter with the data's S3 location (default: InputDataKey)
  --container-paths MODE  auto (default): a private mount namespace (unshare) where the kernel allows it,
                          else rewriting /opt/ml and /tmp paths; or force namespace or rewrite
  -h, --help              this help

Exit codes: 0 the pipeline would succeed, 1 it fails (the failing step is named), 2 bad usage or input.
`;

const FORMATS = ['text', 'json'] as const;
const MODES = ['auto', 'namespace', 'rewrite'] as const;

/** `trainyard run --local`: a synthesized pipeline, run on this machine. */
export const runCommand: CliCommand = async (argv: string[], io: CliIo): Promise<number> => {
  const { values } = parseCommandArgs('run', argv, {
    'local': { type: 'boolean' },
    'data': { type: 'string' },
    'cdk-out': { type: 'string' },
    'pipeline': { type: 'string' },
    'param': { type: 'string', multiple: true },
    'keep': { type: 'string' },
    'format': { type: 'string' },
    'data-parameter': { type: 'string' },
    'container-paths': { type: 'string' },
    'help': { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (!values.local) {
    throw new TrainyardValidationError('--local', "is required: 'trainyard run' runs pipelines on this machine only (start SageMaker executions with the console, the AWS CLI or a trigger).");
  }
  if (typeof values.data !== 'string') {
    throw new TrainyardValidationError('--data', 'is required: the data sample (a CSV file or a folder) the pipeline reads.');
  }
  const format = oneOf('--format', String(values.format ?? 'text'), FORMATS);
  const containerPaths = oneOf('--container-paths', String(values['container-paths'] ?? 'auto'), MODES);
  const resolve = (p: string) => path.resolve(io.cwd, p);
  const progress = format === 'json' ? io.err : io.out;

  const report = await runLocally({
    cdkOut: resolve(String(values['cdk-out'] ?? 'cdk.out')),
    pipeline: values.pipeline as string | undefined,
    data: resolve(values.data),
    dataParameter: values['data-parameter'] as string | undefined,
    parameters: (values.param as unknown as string[] | undefined) ?? [],
    keep: typeof values.keep === 'string' ? resolve(values.keep) : undefined,
    containerPaths,
    hostEnv: io.env,
  }, (header) => progress(renderHeader(header)), (event) => progress(renderEvent(event)));

  if (format === 'json') {
    io.out(JSON.stringify(report, null, 2) + '\n');
  } else {
    io.out(renderSummary(report));
  }
  return report.status === 'Succeeded' ? 0 : 1;
};
