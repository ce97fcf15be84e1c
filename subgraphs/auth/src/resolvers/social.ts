import { parseInput } from '../domain/validation.ts';
import { socialInputs } from '../domain/social/validation.ts';
import type {
  MutationResolvers,
  QueryResolvers,
  SocialAuthorizationResolvers,
  SocialIdentityResolvers,
  SocialProviderInfoResolvers,
  SocialSignInResultResolvers,
  SocialProvider,
} from '../__generated__/resolvers-types.ts';
import { activeViewer, sessionViewer } from '../domain/viewer.ts';

const asEnum = (provider: string): SocialProvider => provider.toUpperCase() as SocialProvider;

export const socialQuery: QueryResolvers = {
  socialProviders: (_, __, ctx) => ctx.auth.social.providers(),
  mySocialIdentities: async (_, __, ctx) => ctx.auth.social.identitiesOf((await activeViewer(ctx)).userId),
};

export const socialMutation: MutationResolvers = {
  startSocialSignIn: async (_, args, ctx) => {
    const provider = parseInput(socialInputs.provider, args.provider, 'provider');
    const redirectUri = parseInput(socialInputs.redirectUri, args.redirectUri, 'redirectUri');
    // Linking needs the signed-in user's session; signing in needs nobody.
    const linkUserId = args.link ? (await sessionViewer(ctx)).userId : null;
    return ctx.auth.social.start(provider, redirectUri, linkUserId, ctx.request);
  },
  completeSocialSignIn: async (_, { input }, ctx) => {
    const parsed = parseInput(socialInputs.complete, input, 'input');
    // A stale token does not stand in the way of signing in; only finishing a link needs the signed-in user.
    const linkingUser = async () => (ctx.viewer ? (await sessionViewer(ctx)).userId : null);
    return ctx.auth.social.complete(parsed, linkingUser, ctx.request);
  },
  proveSocialLinkWithPassword: (_, args, ctx) =>
    ctx.auth.social.proveWithPassword(
      parseInput(socialInputs.ticket, args.ticket, 'ticket'),
      parseInput(socialInputs.password, args.password, 'password'),
      ctx.request,
    ),
  sendSocialLinkCode: (_, args, ctx) =>
    ctx.auth.social.sendCode(
      parseInput(socialInputs.ticket, args.ticket, 'ticket'),
      parseInput(socialInputs.optionalEmail, args.email, 'email'),
      ctx.request,
    ),
  confirmSocialLink: (_, { code }, ctx) =>
    ctx.auth.social.confirmCode(parseInput(socialInputs.code, code, 'code'), ctx.request),
  unlinkSocialIdentity: async (_, { id }, ctx) =>
    ctx.auth.social.unlink((await sessionViewer(ctx)).userId, parseInput(socialInputs.id, id, 'id')),
};

export const SocialSignInResult: SocialSignInResultResolvers = {
  provider: (r) => asEnum(r.provider),
  auth: (r) => (r.status === 'SIGNED_IN' ? r.auth : null),
  identity: (r) => (r.status === 'SIGNED_IN' || r.status === 'LINKED' ? r.identity : null),
  ticket: (r) => (r.status === 'PROOF_REQUIRED' || r.status === 'EMAIL_CONFIRMATION_REQUIRED' ? r.ticket : null),
  email: (r) => (r.status === 'PROOF_REQUIRED' || r.status === 'EMAIL_CONFIRMATION_REQUIRED' ? r.email : null),
};

export const SocialAuthorization: SocialAuthorizationResolvers = {
  expiresAt: (a) => a.expiresAt.toISOString(),
};

export const SocialProviderInfo: SocialProviderInfoResolvers = {
  provider: (p) => asEnum(p.id),
  displayName: (p) => p.displayName,
};

export const SocialIdentity: SocialIdentityResolvers = {
  provider: (i) => asEnum(i.provider),
  createdAt: (i) => i.createdAt.toISOString(),
  lastUsedAt: (i) => i.lastUsedAt.toISOString(),
};
