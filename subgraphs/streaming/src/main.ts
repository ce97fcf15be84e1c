import { runAsProcess } from '@vegshare/kit';
import { loadStreamingConfig, startStreamingService } from './service.ts';

await runAsProcess('streaming', () => startStreamingService(loadStreamingConfig()));
