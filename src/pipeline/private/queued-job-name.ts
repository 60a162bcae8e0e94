// The names of the AWS Batch service jobs a QueuedTrainingStep submits, and how their team is read
// back from them. Free of CDK and AWS clients: the submitter and the FlowMetrics collector bundle it.
//
// A service job is named `ty<team hash: 6 hex><pipeline hash: 4 hex>-<callback token: 10>` (23
// characters). Batch names the training job `AWSBatch<job name><32 hex>`, 63 characters, SageMaker's
// limit. The team hash lets the FlowMetrics collector attribute a queued job and its training job to
// the team from the job name alone, a field every `Batch Service Job State Change` and `SageMaker
// Training Job State Change` event carries, should the quota share name or the team tag be missing.
import { createHash } from 'crypto';

/** The start of every queued job name. */
export const QUEUED_JOB_NAME_START = 'ty';
/** The prefixes Batch gives the training jobs it creates (as documented, and lower-cased in case an ARN was). */
export const BATCH_TRAINING_JOB_PREFIXES = ['AWSBatch', 'awsbatch'] as const;

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The 6-hex hash of a team in its queued job names. */
export function queuedJobTeamHash(teamName: string): string {
  return hex(`trainyard-team:${teamName}`, 6);
}

/** The 12-character start of the service job names of one submitter: `ty<team hash><hash of id>`. */
export function queuedJobNamePrefix(teamName: string, submitterId: string): string {
  return `${QUEUED_JOB_NAME_START}${queuedJobTeamHash(teamName)}${hex(submitterId, 4)}`;
}

/** The start of the queued job names of `teamName` (every pipeline of the team). */
export function queuedJobNameStart(teamName: string): string {
  return `${QUEUED_JOB_NAME_START}${queuedJobTeamHash(teamName)}`;
}

/**
 * The team among `teams` whose hash a queued job name carries: a service job name
 * (`ty<hash>...`) or the name of the training job Batch made of it (`AWSBatchty<hash>...`).
 */
export function teamOfQueuedJobName(name: unknown, teams: readonly string[]): string | undefined {
  if (typeof name !== 'string') return undefined;
  let rest = name;
  for (const prefix of BATCH_TRAINING_JOB_PREFIXES) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      break;
    }
  }
  const match = /^ty([0-9a-f]{6})[0-9a-f]{4}-/.exec(rest);
  if (!match) return undefined;
  return teams.find((t) => queuedJobTeamHash(t) === match[1]);
}
