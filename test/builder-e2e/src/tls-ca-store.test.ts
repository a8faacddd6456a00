import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { dockerEnv } from '@cpython-prebuilt/builder';
import { defaultPrefix, pinnedLibraries, run } from '@cpython-prebuilt/core';
import { BASE_IMAGES } from '@cpython-prebuilt/test-fixtures';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The artifact's OpenSSL is built from the pinned source, not taken from the image; it must still
// trust what the image trusts. A loopback HTTPS server whose certificate comes from a test CA is
// reached by the artifact's urllib: refused before the CA is installed, accepted with SSL_CERT_FILE
// or SSL_CERT_DIR, and accepted once the CA is installed the distribution's way
// (/usr/local/share/ca-certificates + update-ca-certificates), on every Debian release here.
const version = '3.13.5';
const openssl = pinnedLibraries.find((library) => library.name === 'openssl');

const inContainer = `set -eu
tar -xzf "/artifact/$ARTIFACT" -C /opt
py="$PREFIX/bin/python3"
cat >/tmp/server.py <<'EOF'
import http.server, ssl
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("/certs/server.crt", "/certs/server.key")
class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over TLS"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open("/tmp/port.part", "w") as handle:
    handle.write(str(server.server_address[1]))
import os; os.rename("/tmp/port.part", "/tmp/port")
server.serve_forever()
EOF
"$py" -I /tmp/server.py &
for _ in $(seq 1 100); do [ -f /tmp/port ] && break; sleep 0.1; done
port="$(cat /tmp/port)"
fetch() {
  "$py" -I -c 'import sys, urllib.request; print(urllib.request.urlopen("https://localhost:%s/" % sys.argv[1], timeout=10).read().decode())' "$port" 2>&1
}
"$py" -I -c 'import ssl; print("version:", ssl.OPENSSL_VERSION); print("paths:", ssl.get_default_verify_paths().openssl_capath)'
if out="$(fetch)"; then echo "untrusted: accepted $out"; else echo "untrusted: $(printf '%s' "$out" | grep -o CERTIFICATE_VERIFY_FAILED | head -n 1)"; fi
echo "SSL_CERT_FILE: $(SSL_CERT_FILE=/certs/ca.crt fetch)"
echo "SSL_CERT_DIR: $(SSL_CERT_DIR=/certs/hashed fetch)"
cp /certs/ca.crt /usr/local/share/ca-certificates/cpython-prebuilt-test.crt
update-ca-certificates >/dev/null 2>&1
echo "system store: $(fetch)"
`;

describe("the artifact's OpenSSL and the image's CA store", () => {
  let certs: string;

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'tls-ca-'));
    const openssl = (args: string[]) => run('openssl', args, { cwd: certs });
    await openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2'].concat([
        '-subj',
        '/CN=cpython-prebuilt test CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
      ]),
    );
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=localhost',
    ]);
    await writeFile(join(certs, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    await openssl(
      ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2'].concat([
        '-extfile',
        'server.ext',
        '-out',
        'server.crt',
      ]),
    );
    // A c_rehash-style folder (<subject hash>.0), what SSL_CERT_DIR points at.
    const hash = (await openssl(['x509', '-noout', '-subject_hash', '-in', 'ca.crt'])).stdout.trim();
    await run('mkdir', ['-p', join(certs, 'hashed')]);
    await run('cp', [join(certs, 'ca.crt'), join(certs, 'hashed', `${hash}.0`)]);
    await run('chmod', ['-R', 'a+rX', certs]);
  }, 60_000);

  afterAll(async () => {
    if (certs) await rm(certs, { recursive: true, force: true });
  });

  it.each(BASE_IMAGES)(
    'verifies a loopback TLS server through the system CA store on %s',
    async (baseImage) => {
      // The image with its distribution's CA tooling (ca-certificates), as a user's image has it.
      const image = `cpython-prebuilt-test/ca-certificates:${baseImage.split(':')[1]}`;
      const present = await run('docker', ['image', 'inspect', image], { env: dockerEnv, allowExitCodes: [1] });
      if (present.exitCode !== 0) {
        await run('docker', ['build', '--network', 'host', '--tag', image, '-'], {
          env: dockerEnv,
          input: `FROM ${baseImage}\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*\n`,
        });
      }
      const artifact = inject('artifacts').python313;
      const result = await run(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          '--volume',
          `${dirname(artifact)}:/artifact:ro`,
          '--volume',
          `${certs}:/certs:ro`,
        ].concat([
          '--env',
          `ARTIFACT=${basename(artifact)}`,
          '--env',
          `PREFIX=${defaultPrefix(version)}`,
          image,
          'sh',
          '-c',
          inContainer,
        ]),
        { env: dockerEnv, allowExitCodes: [0, 1, 2] },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^version: OpenSSL ${openssl?.version.replaceAll('.', '\\.')} `)),
        'paths: /etc/ssl/certs',
        'untrusted: CERTIFICATE_VERIFY_FAILED',
        'SSL_CERT_FILE: hello over TLS',
        'SSL_CERT_DIR: hello over TLS',
        'system store: hello over TLS',
      ]);
    },
    600_000,
  );
});
