import type { Config } from "../config";
import { awsJson } from "./aws-json";
import { isUpstreamError, UpstreamError } from "./upstream";

// Amazon ECR (JSON 1.1): the per-app image repositories and the registry login Koyeb pulls with.

const TIMEOUT_MS = 15_000;

export interface EcrRepository {
  repositoryArn: string;
  registryId: string;
  repositoryName: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: what `docker push` and Koyeb use. */
  repositoryUri: string;
  createdAt: number;
}

export interface EcrImageId {
  imageDigest?: string;
  imageTag?: string;
}

export interface EcrImage {
  registryId: string;
  repositoryName: string;
  imageDigest: string;
  imageTags?: string[];
  imagePushedAt?: number;
  imageSizeInBytes?: number;
}

export interface EcrLogin {
  /** Always `AWS`. */
  username: string;
  password: string;
  /** The registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), without a scheme. */
  registry: string;
  expiresAt: Date;
}

function ecr<T>(config: Config, operation: string, input: object): Promise<T> {
  return awsJson<T>(config, {
    service: "ecr",
    endpoint: config.ECR_ENDPOINT,
    targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
    operation,
    input,
    timeoutMs: TIMEOUT_MS,
  });
}

/** Creates a repository; throws `RepositoryAlreadyExistsException` when the name is taken. */
export async function createRepository(config: Config, repositoryName: string): Promise<EcrRepository> {
  const out = await ecr<{ repository: EcrRepository }>(config, "CreateRepository", {
    repositoryName,
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: false },
  });
  return out.repository;
}

/** The repository, or null when it does not exist. */
export async function describeRepository(
  config: Config,
  repositoryName: string,
): Promise<EcrRepository | null> {
  try {
    const out = await ecr<{ repositories: EcrRepository[] }>(config, "DescribeRepositories", {
      repositoryNames: [repositoryName],
    });
    return out.repositories[0] ?? null;
  } catch (err) {
    if (isUpstreamError(err, "RepositoryNotFoundException")) return null;
    throw err;
  }
}

/** The image with that tag, or null when the repository or the tag does not exist. */
export async function describeImage(
  config: Config,
  repositoryName: string,
  imageTag: string,
): Promise<EcrImage | null> {
  try {
    const out = await ecr<{ imageDetails: EcrImage[] }>(config, "DescribeImages", {
      repositoryName,
      imageIds: [{ imageTag }],
    });
    return out.imageDetails[0] ?? null;
  } catch (err) {
    if (
      isUpstreamError(err, "ImageNotFoundException") ||
      isUpstreamError(err, "RepositoryNotFoundException")
    ) {
      return null;
    }
    throw err;
  }
}

/** Every image of a repository (one page of up to 1000, more than an app ever has). */
export async function listImages(config: Config, repositoryName: string): Promise<EcrImage[]> {
  const out = await ecr<{ imageDetails: EcrImage[] }>(config, "DescribeImages", {
    repositoryName,
    maxResults: 1000,
  });
  return out.imageDetails;
}

export interface BatchDeleteResult {
  imageIds: EcrImageId[];
  failures: { imageId: EcrImageId; failureCode: string; failureReason: string }[];
}

export function batchDeleteImages(
  config: Config,
  repositoryName: string,
  imageIds: EcrImageId[],
): Promise<BatchDeleteResult> {
  return ecr<BatchDeleteResult>(config, "BatchDeleteImage", { repositoryName, imageIds });
}

/** Deletes a repository (with its images when `force`); false when it did not exist. */
export async function deleteRepository(
  config: Config,
  repositoryName: string,
  { force = false }: { force?: boolean } = {},
): Promise<boolean> {
  try {
    await ecr(config, "DeleteRepository", { repositoryName, force });
    return true;
  } catch (err) {
    if (isUpstreamError(err, "RepositoryNotFoundException")) return false;
    throw err;
  }
}

interface AuthorizationData {
  authorizationToken: string;
  expiresAt: number;
  proxyEndpoint: string;
}

/** A registry login valid for 12 hours, from the base64 `AWS:<password>` token. */
export async function getAuthorizationToken(config: Config): Promise<EcrLogin> {
  const out = await ecr<{ authorizationData: AuthorizationData[] }>(config, "GetAuthorizationToken", {});
  const data = out.authorizationData[0];
  if (!data) {
    throw new UpstreamError("ecr", "GetAuthorizationToken", {
      status: 200,
      code: "",
      message: "the answer holds no authorization data",
      retryable: false,
    });
  }
  const decoded = atob(data.authorizationToken);
  const colon = decoded.indexOf(":");
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    registry: data.proxyEndpoint.replace(/^https?:\/\//, "").replace(/\/+$/, ""),
    expiresAt: new Date(data.expiresAt * 1000),
  };
}
