import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { Conflict, NotFound } from '#commons/errors';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { releaseHeldFile as operation } from '#contracts/api/drive';
import { getFile } from '#domain/drive/file-records';

const files = { db: createDocumentClient(), tableName: readConfig('FILES_TABLE').FILES_TABLE };

// INTERIM (issue 14 contract): the malware gate replaces this with the real release.
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller }) => {
    const file = await getFile(files, ownerIdOf(caller), params.fileId);
    if (!file || file.purpose) throw new NotFound('file_not_found', 'There is no such file.');
    if (file.status !== 'held') throw new Conflict('not_held', `This file is ${file.status}, not held.`);
    throw new Error('releasing a held file is not built yet');
  },
);
