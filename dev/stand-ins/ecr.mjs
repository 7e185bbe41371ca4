// Amazon ECR stand-in (JSON 1.1, SigV4 scoped to `ecr`): repositories, images pushed by the
// CodeBuild stand-in, and registry logins from GetAuthorizationToken that the Koyeb stand-in checks
// before it "pulls" an image.
import { createHash, randomBytes } from "node:crypto";
import { AwsError, createAwsJsonServer, epochSeconds, requireString } from "./aws-json.mjs";
import { json, listen, send } from "./http.mjs";

const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
const NAME_RX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

export async function startEcr({
  port = 0,
  accessKeyId = "AKIADEVKEY",
  secretAccessKey = "dev-aws-secret",
  region = "us-east-1",
  accountId = "123456789012",
} = {}) {
  const registryHost = `${accountId}.dkr.ecr.${region}.amazonaws.com`;
  /** name → { repository, images: Map<digest, image> } */
  const repos = new Map();
  /** password → expiresAt (ms) */
  const logins = new Map();

  const repoNotFound = (name) =>
    new AwsError(
      400,
      "RepositoryNotFoundException",
      `The repository with name '${name}' does not exist in the registry with id '${accountId}'`,
    );
  const getRepo = (name) => {
    const r = repos.get(name);
    if (!r) throw repoNotFound(name);
    return r;
  };
  const findImage = (repo, id) =>
    [...repo.images.values()].find((img) =>
      id.imageDigest ? img.imageDigest === id.imageDigest : img.imageTags.includes(id.imageTag),
    );
  const detail = (name, img) => ({
    registryId: accountId,
    repositoryName: name,
    imageDigest: img.imageDigest,
    imageTags: [...img.imageTags],
    imageSizeInBytes: img.imageSizeInBytes,
    imagePushedAt: img.imagePushedAt,
    imageManifestMediaType: MANIFEST_TYPE,
    artifactMediaType: "application/vnd.docker.container.image.v1+json",
  });

  const operations = {
    CreateRepository(input) {
      const name = requireString(input, "repositoryName");
      if (name.length < 2 || name.length > 256 || !NAME_RX.test(name)) {
        throw new AwsError(
          400,
          "InvalidParameterException",
          `Invalid parameter at 'repositoryName' failed to satisfy constraint`,
        );
      }
      if (repos.has(name)) {
        throw new AwsError(
          400,
          "RepositoryAlreadyExistsException",
          `The repository with name '${name}' already exists in the registry with id '${accountId}'`,
        );
      }
      const repository = {
        repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
        registryId: accountId,
        repositoryName: name,
        repositoryUri: `${registryHost}/${name}`,
        createdAt: epochSeconds(),
        imageTagMutability: input.imageTagMutability ?? "MUTABLE",
        imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false },
        encryptionConfiguration: { encryptionType: "AES256" },
      };
      repos.set(name, { repository, images: new Map() });
      return { repository };
    },
    DescribeRepositories(input) {
      const names = input.repositoryNames;
      if (names === undefined) return { repositories: [...repos.values()].map((r) => r.repository) };
      if (!Array.isArray(names))
        throw new AwsError(400, "InvalidParameterException", "repositoryNames must be a list");
      return { repositories: names.map((n) => getRepo(n).repository) };
    },
    DeleteRepository(input) {
      const name = requireString(input, "repositoryName");
      const repo = getRepo(name);
      if (repo.images.size > 0 && input.force !== true) {
        throw new AwsError(
          400,
          "RepositoryNotEmptyException",
          `The repository with name '${name}' in registry with id '${accountId}' cannot be deleted because it still contains images`,
        );
      }
      repos.delete(name);
      return { repository: repo.repository };
    },
    DescribeImages(input) {
      const name = requireString(input, "repositoryName");
      const repo = getRepo(name);
      if (input.imageIds === undefined) {
        return { imageDetails: [...repo.images.values()].map((img) => detail(name, img)) };
      }
      const imageDetails = input.imageIds.map((id) => {
        const img = findImage(repo, id);
        if (!img) {
          throw new AwsError(
            400,
            "ImageNotFoundException",
            `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${name}' in the registry with id '${accountId}'`,
          );
        }
        return detail(name, img);
      });
      return { imageDetails };
    },
    BatchDeleteImage(input) {
      const name = requireString(input, "repositoryName");
      const repo = getRepo(name);
      if (!Array.isArray(input.imageIds) || input.imageIds.length === 0) {
        throw new AwsError(400, "InvalidParameterException", "imageIds must be a non-empty list");
      }
      const imageIds = [];
      const failures = [];
      for (const id of input.imageIds) {
        const img = findImage(repo, id);
        if (!img) {
          failures.push({
            imageId: id,
            failureCode: "ImageNotFound",
            failureReason: "Requested image not found",
          });
          continue;
        }
        // Deleting by tag removes the tag; the image goes with its last tag (or when named by digest).
        if (id.imageTag) img.imageTags = img.imageTags.filter((t) => t !== id.imageTag);
        if (id.imageDigest || img.imageTags.length === 0) repo.images.delete(img.imageDigest);
        imageIds.push({ imageDigest: img.imageDigest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) });
      }
      return { imageIds, failures };
    },
    GetAuthorizationToken() {
      const password = randomBytes(24).toString("base64url");
      const expiresAt = Date.now() + TOKEN_TTL_MS;
      logins.set(password, expiresAt);
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
            expiresAt: epochSeconds(expiresAt),
            proxyEndpoint: `https://${registryHost}`,
          },
        ],
      };
    },
  };

  /** Splits `<host>/<repository>:<tag>`; null when the URI is not of this registry. */
  const parseImageUri = (uri) => {
    const m = /^([^/]+)\/(.+):([\w][\w.-]{0,127})$/.exec(uri);
    return m && m[1] === registryHost ? { repositoryName: m[2], tag: m[3] } : null;
  };

  /** What a `docker push` of `<repo uri>:<tag>` leaves behind; markers are test-only metadata. */
  const pushImage = (imageUri, { markers = {} } = {}) => {
    const ref = parseImageUri(imageUri);
    if (!ref) throw new Error(`not an image of ${registryHost}: ${imageUri}`);
    const repo = repos.get(ref.repositoryName);
    if (!repo) throw new Error(`name unknown: repository ${ref.repositoryName} does not exist`);
    for (const img of repo.images.values()) img.imageTags = img.imageTags.filter((t) => t !== ref.tag);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      repo: ref.repositoryName,
      tag: ref.tag,
      at: Date.now(),
    });
    const imageDigest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
    repo.images.set(imageDigest, {
      imageDigest,
      imageTags: [ref.tag],
      imageSizeInBytes: 25_000_000 + manifest.length,
      imagePushedAt: epochSeconds(),
      markers,
    });
    return { imageDigest };
  };

  const lookupImage = (imageUri) => {
    const ref = parseImageUri(imageUri);
    const repo = ref && repos.get(ref.repositoryName);
    const img = repo && findImage(repo, { imageTag: ref.tag });
    return img ? { imageDigest: img.imageDigest, markers: img.markers } : null;
  };

  /** A `docker login` with what GetAuthorizationToken handed out, within its 12 hours. */
  const checkLogin = (username, password) => {
    const expiresAt = logins.get(password);
    return username === "AWS" && expiresAt !== undefined && expiresAt > Date.now();
  };

  const devRoutes = [
    [
      "GET",
      "/__dev/state",
      ({ res }) =>
        send(res, 200, {
          registryHost,
          repositories: [...repos.values()].map((r) => ({
            repositoryName: r.repository.repositoryName,
            repositoryUri: r.repository.repositoryUri,
            images: [...r.images.values()].map((i) => ({
              imageDigest: i.imageDigest,
              imageTags: i.imageTags,
            })),
          })),
        }),
    ],
    [
      // Seeds an image as if a build had pushed it: { imageUri, markers? }.
      "POST",
      "/__dev/push",
      ({ res, body }) => {
        const b = json(body);
        try {
          send(res, 200, pushImage(String(b?.imageUri ?? ""), { markers: b?.markers ?? {} }));
        } catch (err) {
          send(res, 400, { message: err.message });
        }
      },
    ],
  ];

  const server = createAwsJsonServer({
    name: "ecr",
    service: "ecr",
    region,
    credentials: { [accessKeyId]: secretAccessKey },
    targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
    operations,
    devRoutes,
  });
  const started = await listen(server, port);
  return { ...started, registryHost, accountId, pushImage, lookupImage, checkLogin };
}
