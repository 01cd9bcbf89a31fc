import { type Answer, call, type Owner, type Site, settled, waitFor } from './client';

interface Usage {
  readonly usedBytes: number;
  readonly reservedBytes: number;
}

/**
 * What the suite made on the stack, noted as it is made, so afterAll removes it even when a case
 * failed: uploads (given up if their bytes never arrived, else deleted as files), links
 * (revoked: the API has no other end for a link, and a revoked one only lives to its expiry),
 * and folders. Each owner's usage is read before and must be the same after.
 */
export class Created {
  private readonly uploads: { owner: Owner; uploadId: string; folderId: string }[] = [];
  private readonly links: { owner: Owner; linkId: string }[] = [];
  private readonly folders: { owner: Owner; folderId: string }[] = [];
  private readonly usageBefore = new Map<Owner, Usage>();

  constructor(private readonly site: Site) {}

  async noteUsage(owner: Owner): Promise<void> {
    this.usageBefore.set(owner, await this.usageOf(owner));
  }

  upload(owner: Owner, uploadId: string, folderId = 'root'): string {
    this.uploads.push({ owner, uploadId, folderId });
    return uploadId;
  }

  link(owner: Owner, linkId: string): string {
    this.links.push({ owner, linkId });
    return linkId;
  }

  folder(owner: Owner, folderId: string): string {
    this.folders.push({ owner, folderId });
    return folderId;
  }

  /** Removes everything noted and checks it is gone; returns each leftover in words (none: the stack is as found). */
  async removeAll(): Promise<string[]> {
    const leftovers: string[] = [];
    const attempt = async (what: string, step: () => Promise<void>) => {
      await step().catch((error: Error) => leftovers.push(`${what}: ${error.message}`));
    };
    for (const { owner, uploadId, folderId } of this.uploads) {
      await attempt(`upload ${uploadId}`, () => this.removeUpload(owner, uploadId, folderId));
    }
    // Folders after their files: a folder with something in it is refused.
    for (const { owner, folderId } of this.folders) {
      await attempt(`folder ${folderId}`, async () => {
        expectStatus(await call(this.site, 'DELETE', `/api/folders/${folderId}`, { token: owner.idToken }), [204, 404]);
        const folders = await call(this.site, 'GET', '/api/folders', { token: owner.idToken });
        if (JSON.stringify(folders.body).includes(folderId)) throw new Error('still listed');
      });
    }
    for (const { owner, linkId } of this.links) {
      await attempt(`link ${linkId}`, async () => {
        expectStatus(await call(this.site, 'DELETE', `/api/links/${linkId}`, { token: owner.idToken }), [204]);
        const links = await call(this.site, 'GET', '/api/links?limit=100', { token: owner.idToken });
        const link = links.body.items.find((item: { linkId: string }) => item.linkId === linkId);
        if (link && link.state !== 'revoked') throw new Error(`still ${link.state}`);
      });
    }
    for (const [owner, before] of this.usageBefore) {
      await attempt(`usage of ${owner.email}`, async () => {
        // Given-back reservations and deleted bytes are counted at once; the poll only spans a slow answer.
        await waitFor(
          'usage back to what it was',
          async () => {
            const now = await this.usageOf(owner);
            const same = now.usedBytes === before.usedBytes && now.reservedBytes === before.reservedBytes;
            return {
              done: same ? true : undefined,
              seen: `used ${now.usedBytes} (was ${before.usedBytes}), reserved ${now.reservedBytes} (was ${before.reservedBytes})`,
            };
          },
          10_000,
        );
      });
    }
    return leftovers;
  }

  /** Gives the upload up while its bytes have not arrived; once they have, waits for its verdict and deletes the file. */
  private async removeUpload(owner: Owner, uploadId: string, folderId: string): Promise<void> {
    const abandoned = await call(this.site, 'DELETE', `/api/uploads/${uploadId}`, { token: owner.idToken });
    expectStatus(abandoned, [204, 404, 409]);
    if (abandoned.status === 409) {
      await settled(this.site, owner, uploadId, folderId);
      expectStatus(await call(this.site, 'DELETE', `/api/files/${uploadId}`, { token: owner.idToken }), [204, 404]);
    }
    const list = await call(this.site, 'GET', `/api/files?limit=100&folder=${folderId}`, { token: owner.idToken });
    const file = list.body.items?.find((item: { fileId: string }) => item.fileId === uploadId);
    if (file) throw new Error(`still listed, ${file.status}`);
  }

  private async usageOf(owner: Owner): Promise<Usage> {
    const usage = await call(this.site, 'GET', '/api/usage', { token: owner.idToken });
    expectStatus(usage, [200]);
    return usage.body;
  }
}

function expectStatus(answer: Answer, statuses: number[]): void {
  if (!statuses.includes(answer.status)) {
    throw new Error(`answered ${answer.status} ${answer.body?.error?.code ?? ''}, not ${statuses.join(' or ')}`);
  }
}
