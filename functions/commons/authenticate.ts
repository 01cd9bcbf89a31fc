import type { RouteDefinition } from '#contracts/routes';
import type { UploadLink } from '#domain/links/upload-links';
import type { Authenticate, Caller, HttpEvent } from './http';
import type { VerifyOwner } from './owner-verifier';

/** Finds the link an `X-Upload-Token` belongs to, or throws a typed error. */
export type VerifyLinkToken = (token: string | undefined) => Promise<UploadLink>;

/**
 * The one place that decides who a caller is, from the route table's `caller` for the route.
 * A handler names the means it has (each kept apart so a handler bundles only what it
 * uses); a route that needs another is a wiring error (500).
 */
export function createAuthenticator(means: { owner?: VerifyOwner; link?: VerifyLinkToken }): Authenticate {
  return async (route: RouteDefinition, event: HttpEvent): Promise<Caller> => {
    switch (route.caller) {
      case 'public':
        return { kind: 'public' };
      case 'owner': {
        if (!means.owner) throw new Error(`route ${route.path} needs an owner verifier`);
        const { ownerId } = await means.owner(event.headers.authorization);
        return { kind: 'owner', ownerId };
      }
      case 'link': {
        if (!means.link) throw new Error(`route ${route.path} needs a link-token verifier`);
        const link = await means.link(event.headers['x-upload-token']);
        return { kind: 'link', linkId: link.linkId, ownerId: link.ownerId, link };
      }
    }
  };
}
