import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Query } from './Query.ts';
import { Farm } from './Farm.ts';
import { Plot } from './Plot.ts';
import { Crop } from './Crop.ts';

export const resolvers: Resolvers = { Query, Farm, Plot, Crop };
