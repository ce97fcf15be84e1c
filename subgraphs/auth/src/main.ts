import { runAsProcess } from '@vegshare/kit';
import { loadAuthConfig, startAuthService } from './service.ts';

await runAsProcess('auth', () => startAuthService(loadAuthConfig()));
