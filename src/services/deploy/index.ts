// Idempotent building blocks of the publish and delete workflows: each is safe to call again
// after a failure, and finds what an earlier call made instead of making it twice.
export { getImageBuild, type ImageBuildInput, type ImageBuildState, startImageBuild } from "./build";
export {
  deleteEcrRepository,
  type EcrRepositoryRef,
  ensureEcrRepository,
  imageExists,
  imageUriFor,
} from "./ecr";
export { deleteKoyebApp, ensureKoyebApp, type KoyebAppRef } from "./koyeb-app";
export {
  type DeployServiceInput,
  deployKoyebService,
  getKoyebDeployment,
  type KoyebDeploymentState,
} from "./koyeb-service";
export { deleteNeonDatabase, deleteNeonProject, ensureNeonDatabase, type NeonDatabase } from "./neon";
export { ensureRegistrySecret, refreshRegistrySecrets } from "./registry-secret";
