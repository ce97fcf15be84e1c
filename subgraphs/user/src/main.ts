import { runAsProcess } from '@vegshare/kit';
import { loadUserConfig, startUserService } from './service.ts';

await runAsProcess('user', () => startUserService(loadUserConfig()));
