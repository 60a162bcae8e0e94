import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, resolveResource, tagsOf } from './private/cfn';
import { MlOpsRule } from './private/rule';
import { DATA_CLASSES_REQUIRING_VERSIONING, TAG_KEYS } from '../../core/tag-keys';

/** Dataset and artifact buckets are versioned. */
export const DataBucketVersioned: MlOpsRule = {
  name: 'DataBucketVersioned',
  level: NagMessageLevel.ERROR,
  info: `An S3 bucket tagged ${TAG_KEYS.dataClass}=${DATA_CLASSES_REQUIRING_VERSIONING.join('|')} does not have versioning enabled.`,
  explanation:
    'A model is only reproducible if the exact dataset version and artifacts it came from still exist. Versioning keeps every overwritten ' +
    `or deleted object, so a run can record the version it read. Buckets are identified by the ${TAG_KEYS.dataClass} tag (MlPlatform sets it).`,
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
    const dataClass = tagsOf(resource.properties)[TAG_KEYS.dataClass];
    if (typeof dataClass !== 'string' || !DATA_CLASSES_REQUIRING_VERSIONING.includes(dataClass)) return NagRuleCompliance.NOT_APPLICABLE;
    return at(resource.properties, 'VersioningConfiguration.Status') === 'Enabled' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
