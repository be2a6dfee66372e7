import * as kplus from 'cdk8s-plus-28';
import { InputError } from '../errors.js';
import type { SecretProvider } from './provider.js';

/**
 * A plain Secret, committed to Git. Only where the environment file says
 * allowPlaintextSecrets: true, never for production (validation refuses it
 * earlier; this is the last line of defence).
 */
export const plainProvider: SecretProvider = {
  name: 'plain',
  emit(scope, secret, ctx) {
    if (!ctx.spec.allowPlaintextSecrets || ctx.spec.production) {
      throw new InputError([
        {
          field: 'secrets.provider',
          message: `plain secrets are not allowed for environment '${ctx.spec.name}'`,
          hint: 'set allowPlaintextSecrets: true (never for production) or use another provider',
        },
      ]);
    }
    const s = new kplus.Secret(scope, `${secret.namespace}-${secret.name}`, {
      metadata: { name: secret.name, namespace: secret.namespace, labels: ctx.labels(secret), annotations: ctx.annotations },
      type: 'Opaque',
    });
    for (const e of secret.entries) s.addStringData(e.key, ctx.credentials.value(ctx.spec.name, e.credential));
  },
};
