import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Acknowledgements } from '../../core/acknowledgements';
import { TrainyardValidationError } from '../../core/errors';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { IMlPlatform, MlPlatform } from '../../platform/ml-platform';
import { ExperimentTracking, IExperimentTracking } from '../../registry/experiment-tracking';
import { ExperimentTrackingMode } from '../experiment-tracking-mode';

/** The choice of `TrainingEnvironment` about experiment tracking. @internal */
export interface TeamTrackingChoice {
  readonly platform: IMlPlatform;
  readonly teamName: string;
  readonly mode?: ExperimentTrackingMode;
  readonly given?: IExperimentTracking;
  readonly removalPolicy: RemovalPolicy;
}

/** The construct id of a team's own MLflow App: its logical id is in the stateful manifest. @internal */
export const TEAM_TRACKING_ID = 'ExperimentTracking';

/** The key prefix of a team's MLflow artifact store in the platform's artifacts bucket. @internal */
export function teamTrackingPrefix(teamName: string): string {
  return `${teamName}/mlflow/`;
}

/**
 * The experiment tracking a team's environment uses, creating the team's own serverless MLflow App
 * (under `scope`, id `ExperimentTracking`) when that is the choice. Undefined for no tracking.
 *
 * - `experimentTracking` given: that one (a shared App, or one the team built itself); mode must be
 *   unset or SHARED.
 * - mode TEAM, or no mode on a platform with the MLflow endpoint: the team's own App.
 * - mode SHARED: the platform's shared App, which must exist.
 * - mode NONE, or no mode on a platform without the MLflow endpoint: none.
 *
 * @internal
 */
export function teamExperimentTracking(scope: Construct, choice: TeamTrackingChoice): IExperimentTracking | undefined {
  const { platform, teamName, mode, given } = choice;
  const modes = Object.values(ExperimentTrackingMode) as string[];
  if (mode !== undefined && !modes.includes(mode)) {
    throw new TrainyardValidationError('TrainingEnvironment.experimentTrackingMode', `must be one of ${modes.join(', ')}, got '${String(mode)}'.`);
  }
  if (given !== undefined) {
    if (typeof given.grantAccess !== 'function' || typeof given.trackingUri !== 'string') {
      throw new TrainyardValidationError('TrainingEnvironment.experimentTracking', 'must be an ExperimentTracking, or one imported with ExperimentTracking.fromTrackingArn.');
    }
    if (mode !== undefined && mode !== ExperimentTrackingMode.SHARED) {
      throw new TrainyardValidationError(
        'TrainingEnvironment.experimentTrackingMode',
        `is ${mode}, which cannot be combined with TrainingEnvironment.experimentTracking (the team would log to the one given). ` +
          'Drop experimentTrackingMode, or set it to ExperimentTrackingMode.SHARED.',
      );
    }
    return given;
  }
  const hasEndpoint = platform.hasExperimentTrackingEndpoint;
  switch (mode ?? (hasEndpoint ? ExperimentTrackingMode.TEAM : ExperimentTrackingMode.NONE)) {
    case ExperimentTrackingMode.NONE:
      return undefined;
    case ExperimentTrackingMode.SHARED:
      if (!platform.experimentTracking) {
        throw new TrainyardValidationError(
          'TrainingEnvironment.experimentTrackingMode',
          'is SHARED, but the platform has no shared MLflow App. Create it with MlPlatform experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED ' +
            '(for a platform imported by name, also pass that experimentTrackingMode to MlPlatform.fromPlatformName), ' +
            'or give the shared App as TrainingEnvironment.experimentTracking.',
        );
      }
      return platform.experimentTracking;
    default:
      if (!hasEndpoint) {
        throw new TrainyardValidationError(
          'TrainingEnvironment.experimentTrackingMode',
          'is TEAM, but the platform has no MLflow endpoint (MlPlatform experimentTrackingMode: PlatformExperimentTrackingMode.NONE): jobs and Studio in the isolated VPC could not reach the App. ' +
            'Create the platform with PlatformExperimentTrackingMode.TEAM, or use ExperimentTrackingMode.NONE.',
        );
      }
      const tracking = new ExperimentTracking(scope, TEAM_TRACKING_ID, {
        trackingName: `${teamName}-mlflow`,
        artifactsBucket: platform.artifactsBucket,
        artifactsPrefix: teamTrackingPrefix(teamName),
        encryptionKey: platform.encryptionKey,
        removalPolicy: choice.removalPolicy,
      });
      if (!MlPlatform.isMlPlatform(platform)) {
        // The artifacts bucket of an imported platform may be in another app: its encryption is checked there.
        Acknowledgements.acknowledge(tracking, AcknowledgementCatalogue.importedPlatformArtifactStore());
      }
      return tracking;
  }
}
