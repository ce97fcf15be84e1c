import type { AuthPayloadResolvers } from '../__generated__/resolvers-types.ts';
import { markOwnView } from '../domain/own-view.ts';

export const AuthPayload: AuthPayloadResolvers = {
  // The request that signs in has no access token yet; the payload is still the user's own view of their account.
  user: (payload) => markOwnView(payload.user),
};
