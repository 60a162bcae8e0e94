import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** A borrow limit is set only on a share that borrows. */
export const BatchQuotaShareBorrowLimitLendAndBorrow: MlOpsRule = {
  name: 'BatchQuotaShareBorrowLimitLendAndBorrow',
  level: NagMessageLevel.ERROR,
  info: 'An AWS Batch quota share sets ResourceSharingConfiguration.BorrowLimit with a strategy other than LEND_AND_BORROW.',
  explanation:
    'Only a LEND_AND_BORROW share borrows; AWS Batch accepts a borrow limit on no other strategy, so the deployment fails, and a reader ' +
    'of the template is misled into thinking a RESERVE or LEND share may borrow. Drop the limit or change the strategy.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::Batch::QuotaShare') return NagRuleCompliance.NOT_APPLICABLE;
    const limit = at(resource.properties, 'ResourceSharingConfiguration.BorrowLimit');
    if (limit === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    return at(resource.properties, 'ResourceSharingConfiguration.Strategy') === 'LEND_AND_BORROW'
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
