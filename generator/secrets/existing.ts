import type { SecretProvider } from './provider.js';

/** The Secret is created outside Git (Terraform, an operator, `gen-gitops secrets`): nothing to emit. */
export const existingProvider: SecretProvider = {
  name: 'existing',
  emit() {},
};
