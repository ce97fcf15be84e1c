import { runAsProcess } from '@vegshare/kit';
import { loadFarmConfig, startFarmService } from './service.ts';

await runAsProcess('farm', () => startFarmService(loadFarmConfig()));
