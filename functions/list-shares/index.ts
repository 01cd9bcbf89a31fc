import { createAuthenticator } from '#commons/authenticate';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listShares as operation } from '#contracts/api/sharing';
import { listMyShares } from '#domain/sharing/list-my-shares';
import { describeShare } from '#domain/sharing/shares';

const drive = driveFromEnvironment();

/** GET /api/shares: what the caller shared, newest first, with each thing's name; shares of deleted things are left out. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listMyShares(drive, ownerIdOf(caller), query);
    const items = page.shares.map(({ share, name }) => ({ ...describeShare(share), name }));
    return { status: 200, body: { items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
  },
);
