import { appendFile, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { layout, repoRoot, run, sha256FileName } from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { startRegistry } from '@cpython-prebuilt/harness';
import { devcontainerBin, publishFeatures } from '@cpython-prebuilt/release';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

/** The documented example artifact the by-hand commands name. */
const EXAMPLE_ARTIFACT = 'cpython-3.13.5-ubuntu20.04-x86_64-build1.tgz';
/** The README's placeholder for the published feature. */
const FEATURE_PLACEHOLDER = '<registry>/<owner>/<repo>/cpython/installer:1';
/** First use, as the README promises it: five minutes from an existing project to Python. */
const FIVE_MINUTES_MS = 5 * 60_000;

/** The lines of the nth (from 0) ```sh block after `heading` in a document, comments kept. */
async function shellBlockAfter(file: string, heading: string, nth = 0): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`${file} has no "${heading}"`);
  const block = [...text.slice(at).matchAll(/```sh\n([\s\S]*?)```/g)][nth];
  if (!block?.[1]) throw new Error(`${file} has no sh block ${nth} after "${heading}"`);
  return block[1].split('\n').filter((line) => line.trim() !== '');
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What `devcontainer up` left for `project`: its container and the image made for it. */
async function removeDevcontainer(project: string): Promise<void> {
  if (process.env.CPYTHON_PREBUILT_KEEP_CONTAINERS === '1') return;
  const label = `devcontainer.local_folder=${project}`;
  const listed = await run('docker', ['ps', '--all', '--quiet', '--filter', `label=${label}`]);
  const ids = listed.stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return;
  const images = await run('docker', ['inspect', '--format', '{{.Config.Image}}', ...ids]);
  await run('docker', ['rm', '--force', ...ids], { allowExitCodes: [1] });
  for (const image of new Set(images.stdout.split('\n').filter(Boolean))) {
    await run('docker', ['rmi', '--force', image], { allowExitCodes: [1] });
  }
}

describe("the README's first use, run as written", () => {
  it('adds the published feature to a project, brings it up with Python inside, and the artifact checks by hand, in five minutes', async () => {
    const { python313 } = inject('artifacts');
    const work = await tempDir('walkthrough-');

    // Published as `make publish` does: the feature (here with the artifact inside, since the
    // image build has no network on these machines) in a real registry the CLI reaches over HTTP.
    const registry = await startRegistry();
    onTestFinished(() => registry.stop());
    const registryHost = `localhost:${registry.host.split(':')[1]}`;
    const featureDir = join(work, 'collection', 'src', FEATURE_ID);
    await vendorFeature({ artifactPaths: [python313], outputDir: featureDir, force: false });
    const [published] = await publishFeatures({
      srcDir: dirname(featureDir),
      registry: registryHost,
      namespace: 'octo/app/cpython',
    });
    expect(published?.tags).toContain('1');
    const reference = `${registryHost}/octo/app/cpython/${FEATURE_ID}:1`;

    // A project as a team has it: a configuration of its own and the Python line it asks for.
    const project = join(work, 'my-project');
    await mkdir(join(project, '.devcontainer'), { recursive: true });
    const config = join(project, '.devcontainer', 'devcontainer.json');
    await writeFile(config, '{\n  // our dev container\n  "image": "local/debian:bookworm"\n}\n');
    await writeFile(join(project, '.python-version'), '3.13\n');
    onTestFinished(() => removeDevcontainer(project));

    // The README's steps, each line as written but for the placeholders, with the devcontainers CLI
    // on PATH as `npm install -g @devcontainers/cli` puts it.
    const steps = await shellBlockAfter(join(repoRoot, 'README.md'), '## Using it');
    expect(steps).toHaveLength(3);
    const bin = join(work, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'devcontainer'), `#!/bin/sh\nexec node ${devcontainerBin} "$@"\n`);
    await chmod(join(bin, 'devcontainer'), 0o755);
    const started = Date.now();
    const outputs: string[] = [];
    for (const step of steps) {
      const line = step.replaceAll('<project>', project).replaceAll(FEATURE_PLACEHOLDER, reference);
      expect(line, 'a placeholder the walkthrough does not know').not.toMatch(/<[a-z]+>/);
      const result = await run('sh', ['-c', line], {
        cwd: repoRoot,
        env: { PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' },
        allowExitCodes: [1, 2, 3, 4, 127],
      });
      expect(result.exitCode, `${line}\n${result.stdout}\n${result.stderr}`).toBe(0);
      outputs.push(result.stdout);
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(FIVE_MINUTES_MS);

    // integrate added the published feature with the line the project asks for, comment kept;
    // the container has it, as the version the project's .python-version asked for.
    const written = await readFile(config, 'utf8');
    expect(written).toContain('// our dev container');
    expect(written).toContain(`"${reference}": {`);
    expect(written).toContain('"version": "3.13"');
    expect(outputs.at(-1)?.trim()).toBe('Python 3.13.5');

    // By hand, in a folder holding what a release publishes and the keyring the feature ships.
    // The section's first block is make verify-artifact (this repository); the second, these lines.
    const byHand = await shellBlockAfter(join(layout.docsDir, 'security.md'), '## Verifying an artifact by hand', 1);
    const handDir = join(work, 'by-hand');
    await mkdir(handDir);
    const name = basename(python313);
    for (const file of [name, `${name}.asc`, sha256FileName(name)]) {
      await copyFile(join(dirname(python313), file), join(handDir, file));
    }
    await copyFile(join(featureDir, 'trusted-keys.gpg'), join(handDir, 'trusted-keys.gpg'));
    const handSteps = byHand.map((line) => line.replaceAll(EXAMPLE_ARTIFACT, name));
    const checkIn = async (image: string, tool: 'gpgv' | 'sqv') => {
      const script = handSteps
        .filter((line) => line.startsWith('sha256sum ') || line.startsWith(`${tool} `))
        .map((line) => line.replace(/\s+#.*$/, ''));
      expect(script).toHaveLength(2);
      return run(
        'docker',
        ['run', '--rm', '--network', 'none', '-v', `${handDir}:/w:ro`, '-w', '/w', image, 'sh', '-ec', script.join('\n')],
        { allowExitCodes: [1, 2] },
      );
    };
    const gpgv = await checkIn('local/debian:bookworm', 'gpgv');
    expect(gpgv.exitCode, gpgv.stderr).toBe(0);
    expect(gpgv.stdout).toContain(`${name}: OK`);
    expect(gpgv.stderr).toContain('Good signature');
    const sqv = await checkIn('local/debian:trixie', 'sqv');
    expect(sqv.exitCode, sqv.stderr).toBe(0);
    expect(sqv.stdout).toContain(`${name}: OK`);
    expect(sqv.stdout.toUpperCase()).toContain(inject('artifacts').testKey.fingerprint.toUpperCase());

    // The same lines refuse an artifact that is not what was signed.
    await rm(join(handDir, name));
    await copyFile(python313, join(handDir, name));
    await appendFile(join(handDir, name), 'x');
    expect((await checkIn('local/debian:bookworm', 'gpgv')).exitCode).not.toBe(0);
    expect((await checkIn('local/debian:trixie', 'sqv')).exitCode).not.toBe(0);
  });
});
