import { isServiceModule, type ServiceModule } from '@vegshare/kit';

/** Loads a subgraph workspace package (`@vegshare/<name>`) and returns its `service` module. */
export async function loadService(name: string): Promise<ServiceModule> {
  const mod: unknown = await import(`@vegshare/${name}`);
  const service = (mod as { service?: unknown }).service;
  if (!isServiceModule(service)) throw new Error(`@vegshare/${name} does not export a service module`);
  return service;
}
