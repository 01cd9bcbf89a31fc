import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SNSClient } from '@aws-sdk/client-sns';
import { logger } from '#commons/logger';
import type { FilesStore } from '#domain/drive/file-records';
import type { LinksStore } from '#domain/links/upload-links';
import { describeUser } from '#domain/sharing/user-directory';
import type { NoticesStore } from './notice-claims';
import type { MailTransport } from './notice-mail';

export interface NoticeSenderDeps {
  readonly notices: NoticesStore;
  readonly files: FilesStore;
  readonly links: LinksStore;
  readonly directory: { readonly client: CognitoIdentityProviderClient; readonly userPoolId: string };
  /** Absent when the stack has no sender address: no e-mail, the trail and the topic still have the notice. */
  readonly mail?: MailTransport;
  /** The operators' topic; absent locally, where the notice is logged instead. */
  readonly topic?: { readonly client: SNSClient; readonly topicArn: string };
  /** The web app, linked from every e-mail. */
  readonly portalUrl: string;
}

/** What the daily digest needs: the sender's deps without the link labels (kept with each notice) and the topic. */
export type DigestDeps = Omit<NoticeSenderDeps, 'links' | 'topic'>;

/** The owner's verified address now, or undefined (then no e-mail: an unverified address proves nothing). */
export async function verifiedAddressOf(deps: Pick<NoticeSenderDeps, 'directory'>, ownerId: string) {
  const user = await describeUser(deps.directory.client, deps.directory.userPoolId, ownerId);
  if (user?.emailVerified && user.email) return user.email;
  // Without the address: whatever it is, it is not proven to be theirs.
  logger.warn('owner has no verified e-mail address: notice not e-mailed', { ownerId, found: Boolean(user) });
  return undefined;
}
