import type { AuditAction } from '#contracts/api/account';

/** The trail's actions (contracts/api/account.ts) in words, each one; an unknown one is shown as it is. */
const ACTION_WORDS: Record<AuditAction, string> = {
  'link.create': 'Upload link created',
  'link.revoke': 'Upload link revoked',
  'upload.presign': 'Upload started',
  'upload.confirm': 'Upload confirmed',
  'upload.complete': 'All parts received',
  'upload.validate': 'Checked',
  'upload.abandon': 'Upload given up',
  'upload.expire': 'Not sent before its upload URL expired',
  'link.arrival': 'Arrived through a link',
  'file.download': 'Downloaded',
  'file.thumbnail': 'Preview shown',
  'file.delete': 'Deleted',
  'file.rename': 'Renamed',
  'file.move': 'Moved',
  'file.replace': 'Replaced by a new version',
  'folder.create': 'Folder created',
  'folder.rename': 'Folder renamed',
  'folder.move': 'Folder moved',
  'folder.delete': 'Folder deleted',
  'share.create': 'Shared',
  'share.revoke': 'Share revoked',
  'settings.update': 'Settings changed',
  'upload.scan': 'Scanned for malware',
  'file.release': 'Released by you after a scan could not decide',
  'file.discard': 'Discarded',
};

const OUTCOME_WORDS: Record<string, string> = {
  clean: 'Passed the checks',
  rejected: 'Rejected',
  pending: 'Being checked',
  signed: 'Allowed',
  'signed:again': 'Allowed again (same file)',
  'given-back': 'Its bytes and link use were given back',
  'signed:profile-photo': 'Allowed (profile photo)',
  created: 'Created',
  revoked: 'Revoked',
  deleted: 'Deleted',
};

export function actionWords(action: string): string {
  return ACTION_WORDS[action as AuditAction] ?? action;
}

export function outcomeWords(outcome: string): string {
  const rejected = /^rejected:(.+)$/.exec(outcome)?.[1];
  if (rejected) return `Rejected (${rejected.replace(/_/g, ' ')})`;
  return OUTCOME_WORDS[outcome] ?? outcome;
}

/** `user:<sub>` is "You" for the owner's own sub; a link by its label when this tab knows it. */
export function actorWords(actor: string, ownUserId: string | undefined, nameOf: (id: string) => string | undefined) {
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user') return id === ownUserId ? 'You' : `User ${id}`;
  if (kind === 'link') return `Link: ${nameOf(id) ?? id}`;
  if (actor === 'system:validator') return 'The validator';
  if (actor === 'system:sweep') return 'The upload sweep';
  return actor;
}
