import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PythonOrgRelease, PythonOrgReleaseFile, ReleaseCycle } from './python-releases.ts';

/**
 * A stand-in for python.org's release API and the devguide's release-cycle.json on 127.0.0.1,
 * serving the documented shapes (see python-releases.ts): GET /api/v2/downloads/release/?is_published=true,
 * GET /api/v2/downloads/release_file/?release=<id>, the tarballs under /ftp/python/ and
 * /release-cycle.json. python.org cannot be reached from these machines; the client under test
 * is the production one.
 */
export interface LocalRelease {
  /** "3.14.8", or a pre-release such as "3.15.0b1". */
  version: string;
  releaseDate: string;
  /** The tarball's bytes. */
  tarball: Buffer;
  /** The sha256 the API publishes; the tarball's own by default (set it to publish a wrong one). */
  publishedSha256?: string;
  /** Other major versions (2) and unpublished releases are served too, as python.org does. */
  major?: number;
  isPublished?: boolean;
  /**
   * A Sigstore bundle served beside the tarball and listed in its record (python.org lists one per
   * release file; none here by default); null lists one that is not served (404).
   */
  sigstoreBundle?: string | null;
  /** Where the record points the .tar.xz (python.org's own ftp/python/ address by default): another host, as a tampered feed would. */
  listedUrl?: string;
}

export interface LocalPythonOrg {
  url: string;
  releaseCycleUrl: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalPythonOrg(options: { releases: LocalRelease[]; cycle: ReleaseCycle }): Promise<LocalPythonOrg> {
  const requests: string[] = [];
  let base = '';
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const records = options.releases.map((release, index) => ({ release, id: 1000 + index }));
    const releaseRecord = ({ release, id }: { release: LocalRelease; id: number }): PythonOrgRelease => ({
      name: `Python ${release.version}`,
      slug: `python-${release.version.replaceAll('.', '')}`,
      version: release.major ?? 3,
      is_published: release.isPublished ?? true,
      is_latest: false,
      release_date: `${release.releaseDate}T17:00:00Z`,
      pre_release: /[a-z]/.test(release.version),
      release_page: null,
      release_notes_url: `https://docs.python.org/release/${release.version}/whatsnew/changelog.html`,
      show_on_download_page: true,
      resource_uri: `${base}/api/v2/downloads/release/${id}/`,
    });
    const send = (status: number, body: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    };
    const url = new URL(path, base);
    if (url.pathname === '/release-cycle.json') return send(200, options.cycle);
    if (url.pathname === '/api/v2/downloads/release/') {
      // Like python.org, is_published=true filters; without it anonymous callers still only see published ones.
      return send(200, records.filter(({ release }) => release.isPublished ?? true).map(releaseRecord));
    }
    if (url.pathname === '/api/v2/downloads/release_file/') {
      const record = records.find(({ id }) => String(id) === url.searchParams.get('release'));
      if (!record) return send(200, []);
      const { release, id } = record;
      const folder = release.version.replace(/[a-z].*$/, '');
      const tarballUrl = `${base}/ftp/python/${folder}/Python-${release.version}.tar.xz`;
      const files: PythonOrgReleaseFile[] = [
        {
          name: 'Gzipped source tarball',
          slug: `python-${release.version.replaceAll('.', '')}-gzipped-source-tarball`,
          os: `${base}/api/v2/downloads/os/3/`,
          release: `${base}/api/v2/downloads/release/${id}/`,
          description: '',
          is_source: true,
          url: `${base}/ftp/python/${folder}/Python-${release.version}.tgz`,
          gpg_signature_file: '',
          md5_sum: '0'.repeat(32),
          sha256_sum: '1'.repeat(64),
          filesize: 1,
          download_button: false,
          resource_uri: `${base}/api/v2/downloads/release_file/${id * 10}/`,
          sigstore_signature_file: '',
          sigstore_cert_file: '',
          sigstore_bundle_file: '',
          sbom_spdx2_file: '',
        },
        {
          name: 'XZ compressed source tarball',
          slug: `python-${release.version.replaceAll('.', '')}-xz-compressed-source-tarball`,
          os: `${base}/api/v2/downloads/os/3/`,
          release: `${base}/api/v2/downloads/release/${id}/`,
          description: '',
          is_source: true,
          url: release.listedUrl ?? tarballUrl,
          gpg_signature_file: '',
          md5_sum: createHash('md5').update(release.tarball).digest('hex'),
          sha256_sum: release.publishedSha256 ?? createHash('sha256').update(release.tarball).digest('hex'),
          filesize: release.tarball.length,
          download_button: true,
          resource_uri: `${base}/api/v2/downloads/release_file/${id * 10 + 1}/`,
          sigstore_signature_file: '',
          sigstore_cert_file: '',
          sigstore_bundle_file: release.sigstoreBundle === undefined ? '' : `${tarballUrl}.sigstore`,
          sbom_spdx2_file: `${tarballUrl}.spdx.json`,
        },
      ];
      return send(200, files);
    }
    const bundle = records.find(({ release }) => url.pathname.endsWith(`/Python-${release.version}.tar.xz.sigstore`));
    if (typeof bundle?.release.sigstoreBundle === 'string') return send(200, bundle.release.sigstoreBundle);
    const tarball = records.find(({ release }) => url.pathname.endsWith(`/Python-${release.version}.tar.xz`));
    if (tarball) return send(200, tarball.release.tarball, 'application/x-xz');
    return send(404, { detail: 'Not found.' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = base;
  return {
    url,
    releaseCycleUrl: `${url}/release-cycle.json`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Clients keep connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}
