import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, isPresent, resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** Studio domains are VpcOnly and shut idle apps down. */
export const SageMakerStudioVpcOnlyIdleShutdown: MlOpsRule = {
  name: 'SageMakerStudioVpcOnlyIdleShutdown',
  level: NagMessageLevel.ERROR,
  info:
    'A SageMaker Studio domain is not AppNetworkAccessType VpcOnly, or its default JupyterLab (and, if configured, Code Editor) settings do not ' +
    'enable idle shutdown (AppLifecycleManagement.IdleSettings.LifecycleManagement ENABLED with IdleTimeoutInMinutes).',
  explanation:
    'PublicInternetOnly gives every notebook a direct route to the internet around the VPC controls. A GPU-backed JupyterLab space left ' +
    'running overnight bills for every idle hour; idle shutdown stops it after the timeout.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::SageMaker::Domain') return NagRuleCompliance.NOT_APPLICABLE;
    const p = resource.properties;
    const idleShutdown = (settings: unknown) =>
      at(settings, 'AppLifecycleManagement.IdleSettings.LifecycleManagement') === 'ENABLED' &&
      isPresent(at(settings, 'AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes'));
    const codeEditor = at(p, 'DefaultUserSettings.CodeEditorAppSettings');
    const ok =
      p.AppNetworkAccessType === 'VpcOnly' &&
      idleShutdown(at(p, 'DefaultUserSettings.JupyterLabAppSettings')) &&
      (codeEditor === undefined || idleShutdown(codeEditor));
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
