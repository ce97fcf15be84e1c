import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { User } from './User.ts';
import { Session } from './Session.ts';
import { ApiKey } from './ApiKey.ts';
import { AuthPayload } from './AuthPayload.ts';

export const resolvers: Resolvers = { Query, Mutation, User, Session, ApiKey, AuthPayload };
