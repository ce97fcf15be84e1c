import { forbidden, requireRole, type Role } from '@vegshare/kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { inputs, parseInput } from '../domain/validation.ts';
import { activeViewer, sessionViewer } from '../domain/viewer.ts';

export const Mutation: MutationResolvers = {
  register: (_, { input }, ctx) => {
    if (!ctx.auth.registerMutation)
      throw forbidden('register is turned off here: it reveals whether an email is registered; use signUp');
    return ctx.auth.accounts.register(parseInput(inputs.register, input, 'input'), ctx.request);
  },
  signUp: (_, { input }, ctx) => ctx.auth.accounts.signUp(parseInput(inputs.register, input, 'input'), ctx.request),
  completeSignUp: (_, { input }, ctx) =>
    ctx.auth.accounts.completeSignUp(parseInput(inputs.completeSignUp, input, 'input'), ctx.request),
  login: (_, { input }, ctx) => ctx.auth.accounts.login(parseInput(inputs.login, input, 'input'), ctx.request),
  refreshSession: (_, { refreshToken }, ctx) =>
    ctx.auth.sessions.refresh(parseInput(inputs.refreshToken, refreshToken, 'refreshToken'), ctx.request),
  logout: async (_, __, ctx) => ctx.auth.sessions.revoke((await sessionViewer(ctx)).sessionId, 'logout'),
  logoutEverywhere: async (_, __, ctx) =>
    ctx.auth.sessions.revokeAll((await sessionViewer(ctx)).userId, 'logout_everywhere'),
  revokeSession: async (_, { id }, ctx) => {
    const viewer = await sessionViewer(ctx);
    const sessionId = parseInput(inputs.id, id, 'id');
    const owned = await ctx.db.session.findFirst({
      where: { id: sessionId, userId: viewer.userId },
      select: { id: true },
    });
    return owned ? ctx.auth.sessions.revoke(sessionId, 'revoked_by_user') : false;
  },
  changePassword: async (_, { input }, ctx) => {
    const viewer = await sessionViewer(ctx);
    return ctx.auth.accounts.changePassword(
      viewer.userId,
      viewer.sessionId,
      parseInput(inputs.changePassword, input, 'input'),
      ctx.request,
    );
  },
  requestEmailVerification: async (_, __, ctx) =>
    ctx.auth.accounts.requestEmailVerification((await sessionViewer(ctx)).userId, ctx.request),
  verifyEmail: (_, { token }, ctx) => ctx.auth.accounts.verifyEmail(parseInput(inputs.oneTimeToken, token, 'token')),
  requestPasswordReset: (_, { email }, ctx) =>
    ctx.auth.accounts.requestPasswordReset(parseInput(inputs.email, email, 'email'), ctx.request),
  resetPassword: (_, { input }, ctx) =>
    ctx.auth.accounts.resetPassword(parseInput(inputs.resetPassword, input, 'input')),
  deleteAccount: async (_, { password }, ctx) =>
    ctx.auth.deletions.deleteAccount(
      (await sessionViewer(ctx)).userId,
      parseInput(inputs.currentPassword, password, 'password'),
      ctx.request,
    ),
  setRoles: async (_, args, ctx) => {
    const admin = await activeViewer(ctx, 'ADMIN');
    const { userId, roles } = parseInput(inputs.setRoles, args);
    return ctx.auth.accounts.setRoles(admin.userId, userId, roles as Role[]);
  },
  createApiKey: async (_, { input }, ctx) => {
    requireRole(ctx.viewer, 'PARTNER');
    const viewer = await sessionViewer(ctx);
    return ctx.auth.apiKeys.create(viewer.userId, parseInput(inputs.createApiKey, input, 'input'));
  },
  revokeApiKey: async (_, { id }, ctx) => {
    requireRole(ctx.viewer, 'PARTNER');
    const viewer = await sessionViewer(ctx);
    return ctx.auth.apiKeys.revoke(viewer.userId, parseInput(inputs.id, id, 'id'));
  },
};
