import { addMetric, countBrokenDown } from '#commons/metrics';

const REJECTED = 'rejected:';

/**
 * The operator's counts, read off the facts the audit trail records: every signed upload,
 * every link use (a presign by a `link:` actor) and every validation outcome is audited, so
 * counting here needs no use case to remember a metric.
 */
export function countAuditedFact(
  origin: { readonly actor: string },
  fact: { readonly action: string; readonly outcome: string },
): void {
  // A retry re-signed for the upload it already holds is no new upload and no new link use.
  if (fact.action === 'upload.presign' && fact.outcome !== 'signed:again') {
    addMetric('uploadsSigned');
    if (origin.actor.startsWith('link:')) addMetric('linkUses');
  } else if (fact.action === 'upload.presign') {
    return;
  } else if (fact.action === 'upload.validate') {
    if (fact.outcome === 'clean') addMetric('uploadsReleased');
    else if (fact.outcome.startsWith(REJECTED)) countBrokenDown('uploadsRejected', fact.outcome.slice(REJECTED.length));
  }
}
