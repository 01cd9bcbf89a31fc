import type { PdfActiveContentPolicy } from '#contracts/api/account';
import type { ActiveContentKind } from '#contracts/api/drive';
import { limits, MiB } from '#contracts/limits';
import { readOwnerSettings } from '#domain/account/owner-settings';
import type { FileRecord, FilesStore } from '#domain/drive/file-records';
import { type LinksStore, linkPdfPolicy } from '#domain/links/upload-links';
import type { Verdict } from '#domain/validation/content-check';
import type { FoundKind, PdfInspection, PdfInspectionBounds } from '#domain/validation/pdf-active-content';

export interface PdfPolicySources {
  readonly files: FilesStore;
  readonly links: LinksStore;
}

export interface PdfJudgement {
  readonly verdict: Verdict;
  /** A PDF released with active content, or released uninspected (`not_inspected`): the record's flag. */
  readonly activeContent?: readonly ActiveContentKind[];
}

/** What each kind is, in the reason a refused upload is given. */
const KIND_WORDS: Record<FoundKind, string> = {
  javascript: 'scripts (JavaScript)',
  launch_action: 'an action that starts a program',
  open_action: 'an action that runs when it is opened',
  embedded_file: 'attached files',
};

const listed = (words: readonly string[]) =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;

/**
 * The upload's link decides, if it chose; otherwise its owner's setting (owner uploads
 * follow the owner's). Read only for a PDF that carries something or could not be checked.
 */
async function policyFor(sources: PdfPolicySources, file: FileRecord) {
  const chosen = file.linkId ? await linkPdfPolicy(sources.links, file.linkId) : undefined;
  if (chosen) return { policy: chosen, refuser: 'its upload link refuses' };
  const settings = await readOwnerSettings(sources.files, file.ownerId);
  return { policy: settings.pdfActiveContent, refuser: "the owner's settings refuse" };
}

const refusal = (inspection: PdfInspection, refuser: string): Verdict =>
  inspection.inspected
    ? {
        ok: false,
        code: 'pdf_active_content',
        reason: `it contains ${listed(inspection.kinds.map((kind) => KIND_WORDS[kind]))}, and ${refuser} PDFs with active content`,
      }
    : {
        ok: false,
        code: 'pdf_not_checked',
        reason: `it could not be checked for active content (${inspection.why}), and ${refuser} PDFs that may carry it`,
      };

/**
 * Parses a PDF that passed its type check for active content and applies the policy: `allow`
 * releases it flagged with what it carries (or `not_inspected`), `refuse` rejects it saying why.
 */
export async function gatePdf(
  sources: PdfPolicySources,
  file: FileRecord,
  size: number,
  /** The whole upload: read only when it is within the inspection bound. */
  readWhole: () => Promise<Uint8Array>,
  bounds: PdfInspectionBounds = limits.pdfInspection,
): Promise<PdfJudgement> {
  const inspection: PdfInspection =
    size > bounds.maxBytes
      ? { inspected: false, why: `it is larger than ${Math.floor(bounds.maxBytes / MiB)} MiB` }
      : // Loaded here, not at the top: only a PDF pays for the parser.
        await (await import('#domain/validation/pdf-active-content')).inspectPdf(await readWhole(), bounds);
  if (inspection.inspected && inspection.kinds.length === 0) return { verdict: { ok: true } };
  const { policy, refuser } = await policyFor(sources, file);
  if (policy === ('refuse' satisfies PdfActiveContentPolicy)) return { verdict: refusal(inspection, refuser) };
  return { verdict: { ok: true }, activeContent: inspection.inspected ? inspection.kinds : ['not_inspected'] };
}
