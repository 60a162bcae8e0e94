/**
 * Which experiment tracking (managed MLflow) a `TrainingEnvironment` logs to.
 *
 * A serverless MLflow App authorizes its whole REST API with one IAM action
 * (`sagemaker:CallMlflowAppApi`), so IAM cannot separate teams inside one App: whoever may call a
 * shared App may read, change and delete every team's experiments, runs and registered MLflow
 * models. Isolation between teams therefore means one App per team.
 */
export enum ExperimentTrackingMode {
  /**
   * The team gets its own serverless MLflow App (`<team>-mlflow`, in the team's stack), with its
   * artifact store under `<team>/mlflow/` in the platform's artifacts bucket, encrypted with the
   * platform key. The team's roles may use that App and that prefix only. Needs the platform's
   * MLflow endpoint (`MlPlatform` `experimentTrackingMode` other than `NONE`; on by default).
   */
  TEAM = 'TEAM',

  /**
   * The team logs to a shared App: `TrainingEnvironment` `experimentTracking` if given, otherwise
   * the platform's organisation-wide App (`PlatformExperimentTrackingMode.TEAM_AND_SHARED`). Every team
   * on that App can read, change and delete every other team's experiments, runs, registered MLflow
   * models and run artifacts: choose it for cross-team visibility, knowing that trade-off.
   */
  SHARED = 'SHARED',

  /** No experiment tracking: the team's roles get no MLflow permission and jobs no tracking URI. */
  NONE = 'NONE',
}
