import type { Tone } from '../ui/components';

/** The colour tone of a rental status pill. */
export const rentalTone = (status: string): Tone =>
  status === 'ACTIVE' ? 'primary' : status === 'REQUESTED' ? 'accent' : 'muted';
export const taskTone = (status: string): Tone =>
  status === 'DONE' ? 'primary' : status === 'SKIPPED' ? 'muted' : 'accent';
