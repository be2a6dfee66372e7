/** Moved to the MLflow component; this path stays for the tests that read the launcher. */
export { LAUNCHER, LAUNCHER_FILE } from '../components/mlflow/launcher.js';
