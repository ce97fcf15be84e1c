import { forbidden, hasRole, requireRole } from '@vegshare/kit';
import type {
  MutationResolvers,
  OAuthClientAuthMethod,
  OAuthClientResolvers,
  QueryResolvers,
} from '../__generated__/resolvers-types.ts';
import { parseClientJwks } from '../domain/oauth-clients.ts';
import { socialInputs } from '../domain/social/validation.ts';
import { parseInput } from '../domain/validation.ts';
import { activeViewer, sessionViewer } from '../domain/viewer.ts';

export const oauthClientQuery: QueryResolvers = {
  myOAuthClients: async (_, __, ctx) => ctx.auth.oauthClients.list((await activeViewer(ctx, 'PARTNER')).userId),
};

export const oauthClientMutation: MutationResolvers = {
  createOAuthClient: async (_, { input }, ctx) => {
    requireRole(ctx.viewer, 'PARTNER', 'ADMIN');
    const viewer = await sessionViewer(ctx);
    const parsed = parseInput(socialInputs.createOAuthClient, input, 'input');
    let partnerId = viewer.userId;
    if (parsed.partnerId !== null && parsed.partnerId !== viewer.userId) {
      if (!hasRole(viewer, 'ADMIN')) throw forbidden('Only admins register clients for other partners');
      const partner = await ctx.loaders.user.load(parsed.partnerId);
      if (!partner?.roles.includes('PARTNER')) throw forbidden('OAuth clients belong to PARTNER accounts');
      partnerId = parsed.partnerId;
    } else if (!hasRole(viewer, 'PARTNER')) {
      throw forbidden('Requires role PARTNER (admins pass partnerId)');
    }
    const jwks = parsed.jwks === null ? null : await parseClientJwks(parsed.jwks, 'input.jwks');
    return ctx.auth.oauthClients.create(partnerId, {
      name: parsed.name,
      scopes: parsed.scopes,
      authMethod: parsed.authMethod,
      jwks,
    });
  },
  revokeOAuthClient: async (_, { id }, ctx) => {
    requireRole(ctx.viewer, 'PARTNER', 'ADMIN');
    const viewer = await sessionViewer(ctx);
    return ctx.auth.oauthClients.revoke(viewer.userId, parseInput(socialInputs.id, id, 'id'), hasRole(viewer, 'ADMIN'));
  },
};

export const OAuthClient: OAuthClientResolvers = {
  authMethod: (c) => c.authMethod.toUpperCase() as OAuthClientAuthMethod,
  createdAt: (c) => c.createdAt.toISOString(),
  lastUsedAt: (c) => c.lastUsedAt?.toISOString() ?? null,
  revokedAt: (c) => c.revokedAt?.toISOString() ?? null,
};
