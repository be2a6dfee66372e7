import type { EnvironmentSpec } from '../../environment/types.js';
import type { ValidEnvironment } from '../../environment/validate.js';
import { resolveImage, resolveResources } from '../settings.js';

/** The port MLflow listens on inside the pod; only the NodePort varies. */
export const MLFLOW_PORT = 5000;

/** The `mlflow` settings, resolved: fully defaulted, with the host and origin lists MLflow checks. */
export function resolveMlflowSettings(env: ValidEnvironment): EnvironmentSpec['mlflow'] {
  const v = env.value;
  const mlflowName = 'mlflow';
  const serviceHost = `${mlflowName}.${v.namespace}.svc.cluster.local`;
  // MLflow ≥ 3.5 rejects unknown Host headers, and MLFLOW_SERVER_ALLOWED_HOSTS
  // replaces its defaults (mlflow/server/security_utils.py): list every name
  // clients use, exactly. No wildcard: `*:<nodePort>` would accept any Host on
  // the NodePort and switch DNS-rebinding protection off there (issue 13.3).
  const hostNames = [mlflowName, `${mlflowName}.${v.namespace}`, `${mlflowName}.${v.namespace}.svc`, serviceHost];
  const userHosts = v.mlflow.allowedHosts ?? [];
  const allowedHosts = [
    ...hostNames.flatMap((h) => [h, `${h}:${MLFLOW_PORT}`]),
    // NodePort on a node's loopback, and `kubectl port-forward svc/mlflow 5000`.
    ...['localhost', '127.0.0.1'].flatMap((h) => [h, `${h}:${v.mlflow.nodePort}`, `${h}:${MLFLOW_PORT}`]),
    ...userHosts,
  ];
  // The same origins for the UI's state-changing /ajax-api/ calls (checked by
  // releases that set MLFLOW_SERVER_CORS_ALLOWED_ORIGINS; localhost origins are
  // always accepted); extra hosts are usually ingress names, reached over https too.
  const corsOrigins = [...allowedHosts.filter((h) => !userHosts.includes(h)).map((h) => `http://${h}`), ...userHosts.flatMap((h) => [`http://${h}`, `https://${h}`])];
  return {
    name: mlflowName,
    image: resolveImage(v.mlflow.image),
    replicas: v.mlflow.replicas,
    nodePort: v.mlflow.nodePort,
    port: MLFLOW_PORT,
    workers: v.mlflow.workers ?? 2,
    runAsUser: v.mlflow.runAsUser ?? 1000,
    resources: resolveResources(v.mlflow.resources),
    allowedHosts: [...new Set(allowedHosts)],
    corsAllowedOrigins: [...new Set(corsOrigins)],
    auth: { adminUser: v.mlflow.auth?.adminUser ?? 'admin', defaultPermission: v.mlflow.auth?.defaultPermission ?? 'READ' },
  };
}
