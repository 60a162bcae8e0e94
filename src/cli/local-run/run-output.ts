import * as path from 'path';
import { RunEvent, StepRecord } from './interpreter';
import { LocalRunReport } from './local-run';

/** The header lines of a text run: what runs, with which values, how. */
export function renderHeader(report: LocalRunReport): string {
  const parameters = Object.entries(report.parameters).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
  const paths = report.containerPaths.mode === 'namespace'
    ? 'private mount namespace (unshare): jobs see /opt/ml and /tmp of their own; the host\'s are untouched'
    : `path rewriting (${report.containerPaths.reason}): /opt/ml and /tmp in entrypoints, arguments and environment point at the job's folders`;
  return [
    `Local run of ${report.pipeline}, execution ${report.executionId}`,
    `  parameters: ${parameters}`,
    `  container paths: ${paths}`,
    `  not applied locally: ${report.notApplied.join('; ')}`,
    '',
  ].join('\n');
}

/** One line per step event: running, done with seconds, a condition with its values, recorded, skipped, failed. */
export function renderEvent(event: RunEvent): string {
  const s = event.step;
  if (event.kind === 'start') {
    return `  ... ${s.name} (${s.type}) running\n`;
  }
  switch (s.status) {
    case 'Succeeded':
      if (s.condition) {
        return `  ◆ ${s.name}: ${s.condition.text} → ${s.condition.branch.join(', ') || '(no steps)'}\n`;
      }
      return `  ✓ ${s.name} done in ${seconds(s)}${s.detail ? `: ${s.detail}` : ''}\n`;
    case 'Recorded':
      return `  ○ ${s.name} (${s.type}) recorded, not executed: ${s.detail}\n`;
    case 'Skipped':
      return `  - ${s.name} skipped: ${s.message}\n`;
    case 'Failed':
      return s.type === 'Fail' ? `  ✗ ${s.name} (Fail step): ${s.message}\n` : `  ✗ ${s.name} failed after ${seconds(s)}: ${s.message}\n`;
    default:
      return '';
  }
}

/** The closing lines: the verdict, and where the outputs are. */
export function renderSummary(report: LocalRunReport): string {
  const verdict = report.status === 'Succeeded'
    ? `Succeeded in ${report.seconds} s: the pipeline would succeed.`
    : `Failed at step ${report.failedStep} after ${report.seconds} s: ${report.message}`;
  const where = report.kept
    ? `Outputs: ${path.join(report.workRoot, 's3')} (S3 as folders), jobs and logs: ${path.join(report.workRoot, 'jobs')}`
    : 'Outputs were in a temporary folder, now removed; pass --keep DIR to keep them.';
  return `\n${verdict}\n${where}\n`;
}

function seconds(s: StepRecord): string {
  return `${(s.seconds ?? 0).toFixed(2)} s`;
}
