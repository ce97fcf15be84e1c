import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { User } from './User.ts';
import { Session } from './Session.ts';
import { ApiKey } from './ApiKey.ts';
import { AuthPayload } from './AuthPayload.ts';
import {
  socialMutation,
  socialQuery,
  SocialAuthorization,
  SocialIdentity,
  SocialProviderInfo,
  SocialSignInResult,
} from './social.ts';
import { OAuthClient, oauthClientMutation, oauthClientQuery } from './oauth-clients.ts';

export const resolvers: Resolvers = {
  Query: { ...Query, ...socialQuery, ...oauthClientQuery },
  Mutation: { ...Mutation, ...socialMutation, ...oauthClientMutation },
  User,
  Session,
  ApiKey,
  AuthPayload,
  SocialSignInResult,
  SocialAuthorization,
  SocialProviderInfo,
  SocialIdentity,
  OAuthClient,
};
