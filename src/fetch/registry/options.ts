import type { RetryPolicy } from '../retry.js';
import type { RegistryClientOptions } from './client.js';
import { chainCredentials, defaultDockerConfigPath, loadDockerConfig } from './credentials.js';
import type { EcrTokenProvider } from './ecr.js';

/** What the command line says about registries. */
export interface RegistryFlags {
  /** `--registry-auth FILE`: credentials in Docker `config.json` format; wins over everything else. */
  registryAuth?: string;
  /** `--insecure-registry HOST[:PORT]` (repeatable): plain http allowed to these hosts. */
  insecureRegistries?: readonly string[];
  /** ECR tokens, wired to the command's AWS client factory. */
  ecrToken?: EcrTokenProvider;
  /** Read Docker's own config.json (`$DOCKER_CONFIG` or `~/.docker`); default true. */
  dockerConfig?: boolean;
  retry?: RetryPolicy;
}

/**
 * Registry client options from flags: credentials from `--registry-auth`
 * first, then Docker's config.json (a missing default file is fine, a missing
 * explicit one is `BAD_CREDENTIALS`).
 */
export async function registryOptions(
  flags: RegistryFlags,
  env: NodeJS.ProcessEnv = process.env
): Promise<RegistryClientOptions> {
  const stores = [];
  if (flags.registryAuth) stores.push(await loadDockerConfig(flags.registryAuth, true));
  if (flags.dockerConfig !== false)
    stores.push(await loadDockerConfig(defaultDockerConfigPath(env), false));
  return {
    credentials: chainCredentials(...stores),
    ...(flags.insecureRegistries ? { insecureHosts: flags.insecureRegistries } : {}),
    ...(flags.ecrToken ? { ecrToken: flags.ecrToken } : {}),
    ...(flags.retry ? { retry: flags.retry } : {}),
  };
}
