import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listAuditTrail as operation } from '#contracts/api/account';
import { listAuditTrail } from '#domain/audit/audit-trail';

const config = readConfig('AUDIT_TABLE');
const trail = { db: createDocumentClient(), tableName: config.AUDIT_TABLE };

/** The owner's own audit trail, newest first, a page at a time. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listAuditTrail(trail, ownerIdOf(caller), query);
    return { status: 200, body: { items: page.entries, ...(page.cursor ? { cursor: page.cursor } : {}) } };
  },
);
