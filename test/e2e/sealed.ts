/**
 * The harness as the Sealed Secrets controller: each SealedSecret becomes the
 * Secret its template describes, decrypted with the controller's private key
 * (the test key whose certificate the environment sealed for). The decryption
 * is the test suite's re-implementation of the controller's
 * (test/fixtures/secrets/env.ts), independent of the generator's sealing code.
 */
import { unsealObject } from '../fixtures/secrets/env.js';
import type { KObject } from './harness/objects.js';

interface SealedSpec {
  template?: {
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    type?: string;
    data?: Record<string, string>;
  };
}

export function sealedSecretsController(keyPem: string): (o: KObject) => KObject[] {
  return (o) => {
    const values = unsealObject(keyPem, o as never);
    const template = (o.spec as SealedSpec).template ?? {};
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    return [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { ...template.metadata, name: o.metadata.name, namespace: o.metadata.namespace },
        type: template.type ?? 'Opaque',
        data,
      },
    ];
  };
}
