import { runAsProcess } from '@vegshare/kit';
import { loadPaymentConfig, startPaymentService } from './service.ts';

await runAsProcess('payment', () => startPaymentService(loadPaymentConfig()));
