import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  CpythonPrebuiltError,
  type LoadedArtifact,
  type LoadedWheelhouse,
  type Logger,
  sha256File,
} from '@cpython-prebuilt/core';
import { Agent, interceptors, request } from 'undici';
import { z } from 'zod';

/** Media types of an artifact stored in an OCI registry (an OCI 1.1 artifact manifest). */
export const ARTIFACT_TYPE = 'application/vnd.cpython-prebuilt.artifact.v1';
export const LAYER_MEDIA_TYPE = 'application/vnd.cpython-prebuilt.artifact.v1.tar+gzip';
const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** A detached OpenPGP signature of an artifact, pushed as its own manifest whose subject is the artifact's. */
export const SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cpython-prebuilt.signature.v1';
const SIGNATURE_MEDIA_TYPE = 'application/pgp-signature';
const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') };

const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
/** For requests that carry credentials: no redirects, so a password cannot be led to another host. */
const plainDispatcher = new Agent();

export interface OciReference {
  registry: string;
  repository: string;
  /** A tag or a sha256:... digest. */
  reference: string;
}

/** `oci://host[:port]/path/name:tag` or `...@sha256:...` (the oci:// prefix is optional). */
export function parseOciReference(text: string): OciReference {
  const bare = text.replace(/^oci:\/\//, '');
  const match = /^([^/]+)\/([a-z0-9._/-]+?)(?::([\w][\w.-]{0,127})|@(sha256:[0-9a-f]{64}))?$/.exec(bare);
  if (!match?.[1] || !match[2]) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"${text}" is not an OCI reference`, {
      fix: 'use oci://<registry>/<repository>:<tag>, e.g. oci://localhost:5055/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1',
    });
  }
  return { registry: match[1], repository: match[2], reference: match[3] ?? match[4] ?? 'latest' };
}

export const formatOciReference = (ref: OciReference) =>
  `oci://${ref.registry}/${ref.repository}${ref.reference.startsWith('sha256:') ? '@' : ':'}${ref.reference}`;

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])$/;
const hostOf = (registry: string) => registry.replace(/:\d+$/, '');

/** Plain HTTP only to the local machine, as the devcontainers CLI does; TLS everywhere else. */
const baseUrl = (registry: string) => (LOOPBACK_HOST.test(hostOf(registry)) ? `http://${registry}` : `https://${registry}`);

/** A registry or token service refused or failed a request. */
export class OciError extends CpythonPrebuiltError {
  constructor(code: 'COMMAND_FAILED' | 'CHECKSUM_MISMATCH' | 'ARTIFACT_INVALID' | 'INVALID_INPUT', message: string, fix: string) {
    super(code, message, { fix });
    this.name = 'OciError';
  }
}

/**
 * Whether Basic credentials for `registry` may be sent to the token service at `realm`: only on
 * the registry's own host name (any port), over https, or over plain http when both are this
 * machine (the tests). A registry cannot send our password to a host it names, or over plain http.
 */
export function mayReceiveCredentials(registry: string, realm: string): boolean {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return false;
  }
  if (url.hostname !== hostOf(registry)) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname);
}

/** Whether `url` is on the registry itself (same scheme, host and port): only there goes the bearer token. */
const onRegistry = (registry: string, url: string) => new URL(url).origin === new URL(baseUrl(registry)).origin;

type Body = Buffer | NodeJS.ReadableStream;

export const OciManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  layers: z.array(
    z.object({
      mediaType: z.string(),
      digest: z.string(),
      size: z.number(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
  ),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciManifest = z.infer<typeof OciManifest>;

export interface OciClientOptions {
  logger: Logger;
  /** Basic credentials for the registry's token service (e.g. a GitHub user and token for ghcr.io). */
  username?: string;
  password?: string;
}

export interface PushOptions {
  /** Replace a tag that names another manifest (by default pushing there is refused). */
  force?: boolean;
}

/** The OCI distribution API calls an artifact push and pull need, with Bearer token auth. */
export class OciClient {
  private token: string | undefined;
  constructor(private readonly options: OciClientOptions) {}

  /**
   * One request to the registry; on 401 it gets a token for the challenge and sends once more.
   * `body` is a factory, so the retry sends a fresh stream (a stream is used up by the first send).
   * The bearer token goes only to the registry's own origin: an upload Location on another host
   * (blob storage) gets no Authorization header.
   */
  private async send(
    registry: string,
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: () => Body } = {},
  ) {
    const sameOrigin = onRegistry(registry, url);
    for (let attempt = 0; ; attempt++) {
      const auth: Record<string, string> = this.token && sameOrigin ? { authorization: `Bearer ${this.token}` } : {};
      const response = await request(url, {
        method: method as 'GET',
        headers: { ...(init.headers ?? {}), ...auth },
        body: init.body?.() as Buffer | undefined,
        dispatcher,
      });
      if (response.statusCode !== 401 || attempt > 0 || !sameOrigin) return response;
      await response.body.dump();
      this.token = await this.fetchToken(registry, String(response.headers['www-authenticate'] ?? ''));
    }
  }

  /** Docker/OCI token auth: GET <realm>?service=..&scope=.. (anonymous, or with basic credentials). */
  private async fetchToken(registry: string, challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (!params.realm) {
      throw new OciError(
        'COMMAND_FAILED',
        `the registry ${registry} refused access and offered no token service (${challenge || 'no challenge'})`,
        'set OCI_USERNAME and OCI_PASSWORD (for ghcr.io: your GitHub user and a token with packages:write)',
      );
    }
    let url: URL;
    try {
      url = new URL(params.realm);
    } catch {
      throw new OciError(
        'COMMAND_FAILED',
        `the registry ${registry} named a token service that is not a URL: ${params.realm}`,
        'check the registry address',
      );
    }
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const trusted = mayReceiveCredentials(registry, url.href);
    if (this.options.username && !trusted) {
      this.options.logger.warn(
        `the registry ${registry} sends clients to the token service ${url.origin}: not sending OCI_USERNAME/OCI_PASSWORD there (another host, or plain http); asking anonymously`,
      );
    }
    const auth =
      this.options.username && trusted
        ? { authorization: `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}` }
        : undefined;
    const response = await request(url, { headers: auth, dispatcher: auth ? plainDispatcher : dispatcher });
    const text = await response.body.text();
    let token: string | undefined;
    try {
      const body = JSON.parse(text) as { token?: string; access_token?: string };
      token = body.token ?? body.access_token;
    } catch {
      token = undefined;
    }
    if (response.statusCode !== 200 || !token) {
      throw new OciError(
        'COMMAND_FAILED',
        `the registry token service ${url.origin} answered ${response.statusCode}`,
        'check OCI_USERNAME/OCI_PASSWORD and that they may push to the repository',
      );
    }
    return token;
  }

  private async expect(response: Awaited<ReturnType<typeof request>>, status: number[], what: string): Promise<void> {
    if (status.includes(response.statusCode)) return;
    const text = await response.body.text();
    throw new OciError(
      'COMMAND_FAILED',
      `${what} answered HTTP ${response.statusCode}: ${text.slice(0, 300)}`,
      'check the registry address, the repository name and your credentials (OCI_USERNAME/OCI_PASSWORD)',
    );
  }

  private async pushBlob(ref: OciReference, digest: string, size: number, body: () => Body): Promise<void> {
    const base = `${baseUrl(ref.registry)}/v2/${ref.repository}`;
    const head = await this.send(ref.registry, 'HEAD', `${base}/blobs/${digest}`);
    await head.body.dump();
    if (head.statusCode === 200) return;
    const start = await this.send(ref.registry, 'POST', `${base}/blobs/uploads/`);
    await this.expect(start, [202], `POST ${base}/blobs/uploads/`);
    await start.body.dump();
    const location = new URL(String(start.headers.location), baseUrl(ref.registry));
    location.searchParams.set('digest', digest);
    const put = await this.send(ref.registry, 'PUT', location.toString(), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
    });
    await this.expect(put, [201], `PUT blob ${digest}`);
    await put.body.dump();
  }

  /** Pushes the artifact as one layer; its digest is the artifact's sha256. Returns the manifest digest. */
  async pushArtifact(ref: OciReference, artifact: LoadedArtifact, options: PushOptions = {}): Promise<string> {
    const { metadata } = artifact;
    return this.pushLayer(ref, artifact, options, {
      'org.opencontainers.image.version': metadata.version,
      'org.opencontainers.image.created': new Date(metadata.sourceDateEpoch * 1000).toISOString(),
      'dev.cpython-prebuilt.base': metadata.base,
      'dev.cpython-prebuilt.arch': metadata.arch,
      'dev.cpython-prebuilt.build': String(metadata.build),
      'dev.cpython-prebuilt.glibc-minimum': metadata.glibcMinimum,
    });
  }

  /** Pushes a wheelhouse as one layer, as an artifact: the feature's fetch_oci pulls it by its sha256. */
  async pushWheelhouse(ref: OciReference, wheelhouse: LoadedWheelhouse, options: PushOptions = {}): Promise<string> {
    const { metadata } = wheelhouse;
    return this.pushLayer(ref, wheelhouse, options, {
      'org.opencontainers.image.created': new Date(metadata.sourceDateEpoch * 1000).toISOString(),
      'dev.cpython-prebuilt.wheelhouse': metadata.name,
      'dev.cpython-prebuilt.python-tag': metadata.pythonTag,
      'dev.cpython-prebuilt.base': metadata.base,
      'dev.cpython-prebuilt.arch': metadata.arch,
      'dev.cpython-prebuilt.build': String(metadata.build),
    });
  }

  private async pushLayer(
    ref: OciReference,
    file: { name: string; path: string; sha256: string },
    options: PushOptions,
    annotations: Record<string, string>,
  ): Promise<string> {
    const layerDigest = `sha256:${file.sha256}`;
    const size = (await stat(file.path)).size;
    this.options.logger.info(`pushing ${file.name} (${(size / 1024 ** 2).toFixed(1)} MiB) to ${formatOciReference(ref)}`);
    await this.pushBlob(ref, layerDigest, size, () => createReadStream(file.path));
    const configDigest = `sha256:${createHash('sha256').update(EMPTY_CONFIG.bytes).digest('hex')}`;
    await this.pushBlob(ref, configDigest, EMPTY_CONFIG.bytes.length, () => EMPTY_CONFIG.bytes);
    const manifest = {
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      artifactType: ARTIFACT_TYPE,
      config: { mediaType: EMPTY_CONFIG.mediaType, digest: configDigest, size: EMPTY_CONFIG.bytes.length },
      layers: [
        {
          mediaType: LAYER_MEDIA_TYPE,
          digest: layerDigest,
          size,
          annotations: { 'org.opencontainers.image.title': file.name },
        },
      ],
      annotations,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    // A tag is a promise to its users: it moves only to the same manifest, or when asked to.
    const existing = await this.manifestDigest(ref);
    if (existing === digest) {
      this.options.logger.info(`${formatOciReference(ref)} already names this manifest (${digest})`);
      return digest;
    }
    if (existing && !options.force) {
      throw new OciError(
        'ARTIFACT_INVALID',
        `${formatOciReference(ref)} already names another manifest (${existing}); refusing to overwrite it`,
        'published tags never move: rebuild with the next BUILD number (a new tag), or pass --force to replace the tag on purpose',
      );
    }
    const put = await this.send(ref.registry, 'PUT', `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`, {
      headers: { 'content-type': MANIFEST_MEDIA_TYPE },
      body: () => bytes,
    });
    await this.expect(put, [201], `PUT manifest ${ref.reference}`);
    await put.body.dump();
    return digest;
  }

  /** The digest of the manifest a reference names now, or undefined when there is none. */
  private async manifestDigest(ref: OciReference): Promise<string | undefined> {
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`;
    // Whatever the tag names now (an image, an index...), as stored: its bytes give its digest.
    const accept = [
      MANIFEST_MEDIA_TYPE,
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ].join(', ');
    const response = await this.send(ref.registry, 'GET', url, { headers: { accept } });
    if (response.statusCode === 404) {
      await response.body.dump();
      return undefined;
    }
    await this.expect(response, [200], `GET ${url}`);
    return `sha256:${createHash('sha256')
      .update(Buffer.from(await response.body.arrayBuffer()))
      .digest('hex')}`;
  }

  async getManifest(ref: OciReference): Promise<OciManifest> {
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`;
    const response = await this.send(ref.registry, 'GET', url, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    await this.expect(response, [200], `GET ${url}`);
    const bytes = Buffer.from(await response.body.arrayBuffer());
    // A digest-pinned reference is only as good as this check: the registry must return those bytes.
    if (ref.reference.startsWith('sha256:')) {
      const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (actual !== ref.reference) {
        throw new OciError(
          'CHECKSUM_MISMATCH',
          `the manifest of ${formatOciReference(ref)} has digest ${actual}`,
          'the registry returned another manifest than the pinned digest names; do not use this registry copy',
        );
      }
    }
    return OciManifest.parse(JSON.parse(bytes.toString('utf8')));
  }

  /** Downloads the artifact layer to `destination`, verified against its digest (and `expectedSha256`). */
  async pullArtifact(ref: OciReference, destination: string, expectedSha256?: string): Promise<string> {
    const manifest = await this.getManifest(ref);
    const layer = manifest.layers.find((candidate) => candidate.mediaType === LAYER_MEDIA_TYPE);
    if (!layer) {
      throw new OciError(
        'ARTIFACT_INVALID',
        `${formatOciReference(ref)} holds no ${LAYER_MEDIA_TYPE} layer`,
        'point at an artifact pushed by cpython-prebuilt publish-artifact',
      );
    }
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/blobs/${layer.digest}`;
    const response = await this.send(ref.registry, 'GET', url);
    await this.expect(response, [200], `GET ${url}`);
    const partial = `${destination}.part`;
    try {
      await pipeline(response.body, createWriteStream(partial));
      const actual = await sha256File(partial);
      const wanted = (expectedSha256 ?? layer.digest.replace(/^sha256:/, '')).toLowerCase();
      if (`sha256:${actual}` !== layer.digest || actual !== wanted) {
        throw new OciError(
          'CHECKSUM_MISMATCH',
          `pulled ${formatOciReference(ref)}: sha256 ${actual}, expected ${wanted}`,
          'the registry returned other bytes than the digest names; do not use this registry copy',
        );
      }
      await rename(partial, destination);
      return actual;
    } finally {
      await rm(partial, { force: true });
    }
  }

  /** The tag a signature of `ref` is pushed under: `<tag>.asc` (`sha256-<hex>.asc` for a digest reference). */
  static signatureReference(ref: OciReference): OciReference {
    return { ...ref, reference: `${ref.reference.replace(':', '-')}.asc` };
  }

  /**
   * Pushes a detached signature of the artifact at `ref` as a one-layer manifest whose `subject` is
   * the artifact's manifest (an OCI 1.1 referrer), tagged `<tag>.asc` for registries without the
   * referrers API. Returns that reference.
   */
  async pushSignature(ref: OciReference, signature: Buffer, fileName: string): Promise<OciReference> {
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`;
    const subject = await this.send(ref.registry, 'GET', url, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    await this.expect(subject, [200], `GET ${url}`);
    const subjectBytes = Buffer.from(await subject.body.arrayBuffer());
    const digest = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await this.pushBlob(ref, digest(signature), signature.length, () => signature);
    await this.pushBlob(ref, digest(EMPTY_CONFIG.bytes), EMPTY_CONFIG.bytes.length, () => EMPTY_CONFIG.bytes);
    const manifest = {
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      artifactType: SIGNATURE_ARTIFACT_TYPE,
      config: { mediaType: EMPTY_CONFIG.mediaType, digest: digest(EMPTY_CONFIG.bytes), size: EMPTY_CONFIG.bytes.length },
      layers: [
        {
          mediaType: SIGNATURE_MEDIA_TYPE,
          digest: digest(signature),
          size: signature.length,
          annotations: { 'org.opencontainers.image.title': fileName },
        },
      ],
      subject: { mediaType: MANIFEST_MEDIA_TYPE, digest: digest(subjectBytes), size: subjectBytes.length },
    };
    const target = OciClient.signatureReference(ref);
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const put = await this.send(
      ref.registry,
      'PUT',
      `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${target.reference}`,
      {
        headers: { 'content-type': MANIFEST_MEDIA_TYPE },
        body: () => manifestBytes,
      },
    );
    await this.expect(put, [201], `PUT manifest ${target.reference}`);
    await put.body.dump();
    return target;
  }

  /** The signature pushed by pushSignature for the artifact at `ref`. */
  async pullSignature(ref: OciReference): Promise<Buffer> {
    const target = OciClient.signatureReference(ref);
    const manifest = await this.getManifest(target);
    const layer = manifest.layers.find((candidate) => candidate.mediaType === SIGNATURE_MEDIA_TYPE);
    if (!layer) {
      throw new CpythonPrebuiltError(
        'SIGNATURE_MISSING',
        `${formatOciReference(target)} holds no ${SIGNATURE_MEDIA_TYPE} layer`,
        {
          fix: 'publish the artifact again with publish-artifact and a signing key',
        },
      );
    }
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/blobs/${layer.digest}`;
    const response = await this.send(ref.registry, 'GET', url);
    await this.expect(response, [200], `GET ${url}`);
    return Buffer.from(await response.body.arrayBuffer());
  }
}
