import { describeLinkForOwner, type LinksStore, listUploadLinks } from '#domain/links/upload-links';

/** A page of the owner's links, newest first, each with its state as of the read. */
export async function listLinks(links: LinksStore, ownerId: string, page: { limit: number; cursor?: string }) {
  const { links: found, cursor } = await listUploadLinks(links, ownerId, page);
  const now = new Date();
  return { items: found.map((link) => describeLinkForOwner(link, now)), ...(cursor ? { cursor } : {}) };
}
