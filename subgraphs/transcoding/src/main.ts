import { runAsProcess } from '@vegshare/kit';
import { loadTranscodingConfig, startTranscodingService } from './service.ts';

await runAsProcess('transcoding', () => startTranscodingService(loadTranscodingConfig()));
