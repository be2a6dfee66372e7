import type { SecretProviderName } from '../environment/types.js';
import { existingProvider } from './existing.js';
import { externalSecretsProvider } from './external.js';
import { plainProvider } from './plain.js';
import type { SecretProvider } from './provider.js';
import { sealedSecretsProvider } from './sealed.js';

const providers = new Map<SecretProviderName, SecretProvider>([
  ['existing', existingProvider],
  ['plain', plainProvider],
  ['sealed-secrets', sealedSecretsProvider],
  ['external-secrets', externalSecretsProvider],
]);

export function registerSecretProvider(p: SecretProvider): void {
  providers.set(p.name, p);
}

export function secretProvider(name: SecretProviderName): SecretProvider {
  const p = providers.get(name);
  if (!p) throw new Error(`secret provider '${name}' is not available in this build`);
  return p;
}
