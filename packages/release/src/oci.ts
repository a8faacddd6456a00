import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CpythonPrebuiltError, type LoadedArtifact, type Logger, sha256File } from '@cpython-prebuilt/core';
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

/** Plain HTTP only to the local machine, as the devcontainers CLI does; TLS everywhere else. */
const baseUrl = (registry: string) =>
  /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(registry) ? `http://${registry}` : `https://${registry}`;

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

/** The OCI distribution API calls an artifact push and pull need, with Bearer token auth. */
export class OciClient {
  private token: string | undefined;
  constructor(private readonly options: OciClientOptions) {}

  private async send(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: Buffer | NodeJS.ReadableStream } = {},
  ) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers = { ...(init.headers ?? {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
      const response = await request(url, { method: method as 'GET', headers, body: init.body as Buffer, dispatcher });
      if (response.statusCode !== 401 || attempt > 0) return response;
      await response.body.dump();
      this.token = await this.fetchToken(String(response.headers['www-authenticate'] ?? ''));
    }
    throw new Error('unreachable');
  }

  /** Docker/OCI token auth: GET <realm>?service=..&scope=.. (anonymous, or with basic credentials). */
  private async fetchToken(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (!params.realm) {
      throw new CpythonPrebuiltError(
        'COMMAND_FAILED',
        `the registry refused access and offered no token service (${challenge || 'no challenge'})`,
        {
          fix: 'set OCI_USERNAME and OCI_PASSWORD (for ghcr.io: your GitHub user and a token with packages:write)',
        },
      );
    }
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const auth = this.options.username
      ? { authorization: `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}` }
      : undefined;
    const response = await request(url, { headers: auth, dispatcher });
    const body = (await response.body.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (response.statusCode !== 200 || !token) {
      throw new CpythonPrebuiltError(
        'COMMAND_FAILED',
        `the registry token service ${url.origin} answered ${response.statusCode}`,
        {
          fix: 'check OCI_USERNAME/OCI_PASSWORD and that they may push to the repository',
        },
      );
    }
    return token;
  }

  private async expect(response: Awaited<ReturnType<typeof request>>, status: number[], what: string): Promise<void> {
    if (status.includes(response.statusCode)) return;
    const text = await response.body.text();
    throw new CpythonPrebuiltError('COMMAND_FAILED', `${what} answered HTTP ${response.statusCode}: ${text.slice(0, 300)}`, {
      fix: 'check the registry address, the repository name and your credentials (OCI_USERNAME/OCI_PASSWORD)',
    });
  }

  private async pushBlob(
    ref: OciReference,
    digest: string,
    size: number,
    body: () => Buffer | NodeJS.ReadableStream,
  ): Promise<void> {
    const base = `${baseUrl(ref.registry)}/v2/${ref.repository}`;
    const head = await this.send('HEAD', `${base}/blobs/${digest}`);
    await head.body.dump();
    if (head.statusCode === 200) return;
    const start = await this.send('POST', `${base}/blobs/uploads/`);
    await this.expect(start, [202], `POST ${base}/blobs/uploads/`);
    await start.body.dump();
    const location = new URL(String(start.headers.location), baseUrl(ref.registry));
    location.searchParams.set('digest', digest);
    const put = await this.send('PUT', location.toString(), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: body(),
    });
    await this.expect(put, [201], `PUT blob ${digest}`);
    await put.body.dump();
  }

  /** Pushes the artifact as one layer; its digest is the artifact's sha256. Returns the manifest digest. */
  async pushArtifact(ref: OciReference, artifact: LoadedArtifact): Promise<string> {
    const { metadata } = artifact;
    const layerDigest = `sha256:${artifact.sha256}`;
    const size = (await stat(artifact.path)).size;
    this.options.logger.info(`pushing ${artifact.name} (${(size / 1024 ** 2).toFixed(1)} MiB) to ${formatOciReference(ref)}`);
    await this.pushBlob(ref, layerDigest, size, () => createReadStream(artifact.path));
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
          annotations: { 'org.opencontainers.image.title': artifact.name },
        },
      ],
      annotations: {
        'org.opencontainers.image.version': metadata.version,
        'org.opencontainers.image.created': new Date(metadata.sourceDateEpoch * 1000).toISOString(),
        'dev.cpython-prebuilt.base': metadata.base,
        'dev.cpython-prebuilt.arch': metadata.arch,
        'dev.cpython-prebuilt.build': String(metadata.build),
        'dev.cpython-prebuilt.glibc-minimum': metadata.glibcMinimum,
      },
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const put = await this.send('PUT', `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`, {
      headers: { 'content-type': MANIFEST_MEDIA_TYPE },
      body: bytes,
    });
    await this.expect(put, [201], `PUT manifest ${ref.reference}`);
    await put.body.dump();
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }

  async getManifest(ref: OciReference): Promise<OciManifest> {
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`;
    const response = await this.send('GET', url, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    await this.expect(response, [200], `GET ${url}`);
    return OciManifest.parse(await response.body.json());
  }

  /** Downloads the artifact layer to `destination`, verified against its digest (and `expectedSha256`). */
  async pullArtifact(ref: OciReference, destination: string, expectedSha256?: string): Promise<string> {
    const manifest = await this.getManifest(ref);
    const layer = manifest.layers.find((candidate) => candidate.mediaType === LAYER_MEDIA_TYPE);
    if (!layer) {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${formatOciReference(ref)} holds no ${LAYER_MEDIA_TYPE} layer`, {
        fix: 'point at an artifact pushed by cpython-prebuilt publish-artifact',
      });
    }
    const url = `${baseUrl(ref.registry)}/v2/${ref.repository}/blobs/${layer.digest}`;
    const response = await this.send('GET', url);
    await this.expect(response, [200], `GET ${url}`);
    const partial = `${destination}.part`;
    try {
      await pipeline(response.body, createWriteStream(partial));
      const actual = await sha256File(partial);
      const wanted = (expectedSha256 ?? layer.digest.replace(/^sha256:/, '')).toLowerCase();
      if (`sha256:${actual}` !== layer.digest || actual !== wanted) {
        throw new CpythonPrebuiltError(
          'CHECKSUM_MISMATCH',
          `pulled ${formatOciReference(ref)}: sha256 ${actual}, expected ${wanted}`,
          {
            fix: 'the registry returned other bytes than the digest names; do not use this registry copy',
          },
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
    const subject = await this.send('GET', url, { headers: { accept: MANIFEST_MEDIA_TYPE } });
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
    const put = await this.send('PUT', `${baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${target.reference}`, {
      headers: { 'content-type': MANIFEST_MEDIA_TYPE },
      body: Buffer.from(JSON.stringify(manifest)),
    });
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
    const response = await this.send('GET', url);
    await this.expect(response, [200], `GET ${url}`);
    return Buffer.from(await response.body.arrayBuffer());
  }
}
