import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { CURRENT_LINK, MARKER_FILE, UNINSTALLER, vendorFeature } from '@cpython-prebuilt/feature';
import { type InstallRunInput, runInstallScript } from '@cpython-prebuilt/harness';
import { afterAll, beforeAll, describe, type ExpectStatic, expect, inject, it } from 'vitest';

// Faults a shared machine throws at install.sh, each in a real container: CPython 3.11.2 of ours is
// installed and the default, then an install of 3.13.5 meets the fault. Afterwards the previous
// state must be intact or the new install complete (never half), and the next run, with the fault
// gone, must finish the job. Every row is written to a table (docs/reliability.md keeps a copy).

const IMAGE = 'local/debian:bookworm';
const PRIOR = '3.11.2';
const NEW = '3.13.5';

/** One row of the table. */
interface FaultRow {
  fault: string;
  step: string;
  /** What the user saw from the failed run (its last error line). */
  message: string;
  /** The default python3 (and the current link) right after the fault. */
  after: string;
  /** The previous install and default are as they were, or the new install is complete. */
  neverHalf: boolean;
  /** The next run (fault removed) installs 3.13.5 as the default and leaves no work folder. */
  recovered: boolean;
  /** Files of the previous install changed or lost. */
  lost: string;
}

/** The rows, each with the place its test has in this file (the kill -9 tests run concurrently). */
const rows: (FaultRow & { order: number })[] = [];
let declared = 0;

/** Shell that prints a digest of every file and link of a tree: the same digest, nothing lost. */
const digestOf = (tree: string) =>
  `{ find ${tree} -type f -exec sha256sum {} + ; find ${tree} -type l -exec sh -c 'for l; do echo "$l -> $(readlink "$l")"; done' sh {} + ; } 2>/dev/null | sort | sha256sum | cut -c 1-16`;

/** What a user has after a run: the previous tree, the default python3, the new prefix, the current link. */
const stateScript = [
  'state() {',
  `  if [ "$(${digestOf(`/opt/python-${PRIOR}`)})" = "$(cat /tmp/prior.digest)" ]; then echo "prior intact"; else echo "prior changed"; fi`,
  `  echo "default $(python3 -c 'import ssl, sqlite3, sys; print(sys.version.split()[0])' 2>/dev/null || echo broken)"`,
  `  if [ -e /opt/python-${NEW} ] || [ -L /opt/python-${NEW} ]; then`,
  `    if [ -f /opt/python-${NEW}/${MARKER_FILE} ] && /opt/python-${NEW}/bin/python3 -c 'import ssl, sqlite3' 2>/dev/null; then echo "new complete"; else echo "new half"; fi`,
  `  else echo "new absent"; fi`,
  `  echo "current $(${CURRENT_LINK}/bin/python3 -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo broken)"`,
  `  echo "work folders $(ls -d /opt/.cpython-installer.* 2>/dev/null | wc -l)"`,
  `  if cmp -s ${UNINSTALLER} /tmp/feature/install.sh && [ -x ${UNINSTALLER} ]; then echo "uninstaller current"; else echo "uninstaller missing"; fi`,
  '}',
].join('\n');

describe('install.sh under faults: never half, and the next run recovers', () => {
  let work: string;
  let feature: string;
  let fakebin: string;
  /** What the artifact server does to the next download of the artifact. */
  let serving: 'drop mid-body' | 'short length' | 'stall' | 'whole' = 'whole';
  let server: Server;
  let serverUrl: string;

  beforeAll(async () => {
    const artifact = await readFile(inject('artifacts').python313);
    server = createServer((request, response) => {
      if (request.url === '/fixed') {
        serving = 'whole';
        response.end('fixed\n');
        return;
      }
      if (request.url !== `/${basename(inject('artifacts').python313)}`) {
        response.writeHead(404).end();
        return;
      }
      const half = artifact.subarray(0, artifact.length >> 1);
      if (serving === 'whole') response.writeHead(200, { 'content-length': artifact.length }).end(artifact);
      // The connection closes after half the bytes the length announced.
      else if (serving === 'drop mid-body')
        response.writeHead(200, { 'content-length': artifact.length }).write(half, () => response.socket?.destroy());
      // The length announced is less than the file: the client gets a truncated file and thinks it whole.
      else if (serving === 'short length') response.writeHead(200, { 'content-length': half.length }).end(half);
      // Some bytes, then nothing.
      else response.writeHead(200, { 'content-length': artifact.length }).write(half);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = await mkdtemp(join(tmpdir(), 'faults-'));
    const artifacts = inject('artifacts');
    feature = await vendorFeature({
      artifactPaths: [artifacts.python313, artifacts.python311],
      outputDir: join(work, 'installer'),
      force: false,
    });
    fakebin = join(work, 'fakebin');
    await mkdir(fakebin);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const table = [
      '| Fault | Step | Message | Default after the fault | Never half | Recovered | Lost |',
      '|---|---|---|---|---|---|---|',
      ...rows
        .sort((a, b) => a.order - b.order)
        .map(
          (row) =>
            `| ${row.fault} | ${row.step} | ${row.message.replaceAll('|', '\\|')} | ${row.after} | ${row.neverHalf ? 'yes' : '**no**'} | ${row.recovered ? 'yes' : '**no**'} | ${row.lost} |`,
        ),
    ].join('\n');
    await mkdir(join(layout.cacheDir, 'results'), { recursive: true });
    await writeFile(join(layout.cacheDir, 'results', 'reliability.md'), `${table}\n`);
    process.stdout.write(`\n${table}\n`);
    await rm(work, { recursive: true, force: true });
  });

  /**
   * A `tool` that, at its `call`-th use by install.sh, kills install.sh with SIGKILL (as an OOM kill
   * or a cancelled CI job does) before doing anything; every other use runs the real tool.
   */
  async function killingTool(tool: string, call: number): Promise<string> {
    const dir = join(fakebin, `${tool}-${call}`);
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, tool),
      [
        '#!/bin/sh',
        'n=$(( $(cat /tmp/fault.count 2>/dev/null || echo 0) + 1 ))',
        'echo "$n" >/tmp/fault.count',
        `if [ ! -e /tmp/fault.off ] && [ "$n" = ${call} ]; then`,
        `  echo "killed at ${tool} call $n: $*" >>/tmp/fault.log`,
        '  p=$PPID',
        '  while [ "$p" -gt 1 ]; do',
        '    [ "$(tr "\\0" " " </proc/$p/cmdline)" != "sh /tmp/feature/install.sh " ] || kill -9 "$p"',
        "    p=$(awk '/^PPid:/ { print $2 }' /proc/$p/status)",
        '  done',
        '  kill -9 $$',
        'fi',
        `exec /usr/bin/${tool} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return dir;
  }

  /** Runs the scenario: the prior install, `setup`, the faulty install, the state, the recovery run, the state. */
  async function scenario(
    order: number,
    fault: string,
    step: string,
    extra: Partial<InstallRunInput> & { beforeFault?: string; fixFault?: string },
  ): Promise<{ row: FaultRow; output: string }> {
    const result = await runInstallScript({
      featureDir: feature,
      image: IMAGE,
      ...extra,
      options: { version: NEW, ...extra.options },
      beforeInstall: [
        stateScript,
        `VERSION=${PRIOR} ARTIFACTURL= SHA256= sh /tmp/feature/install.sh >/tmp/prior.log 2>&1 || { echo "prior install failed"; cat /tmp/prior.log; }`,
        `${digestOf(`/opt/python-${PRIOR}`)} >/tmp/prior.digest`,
        extra.beforeFault ?? ':',
      ].join('\n'),
      afterRun: [
        'echo "@@fault exit $status"',
        'cat /tmp/fault.log 2>/dev/null',
        'echo "@@after fault"',
        'state',
        'touch /tmp/fault.off',
        extra.fixFault ?? ':',
        'sh /tmp/feature/install.sh >/tmp/recovery.log 2>&1; recovery=$?; echo "@@recovery exit $recovery"',
        'cat /tmp/recovery.log',
        'echo "@@after recovery"',
        'state',
        'echo "@@end"',
        // The container's exit status is the recovery's (the faulty run's was 137 when killed).
        'status=$recovery',
      ].join('\n'),
    });
    const output = result.output;
    const section = (name: string) => output.split(`@@${name}`)[1]?.split('@@')[0] ?? '';
    const afterFault = section('after fault');
    const afterRecovery = section('after recovery');
    const faultOutput = output.split('@@fault exit')[0] ?? '';
    const message =
      faultOutput
        .split('\n')
        .reverse()
        .find((line) => line.startsWith('cpython-installer: error:'))
        ?.replace('cpython-installer: error: ', '') ?? '(killed: no message)';
    const version = (name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(afterFault)?.[1] ?? 'broken';
    const [defaultAfter, currentAfter] = [version('default'), version('current')];
    const works = (found: string) => found === PRIOR || found === NEW;
    const row: FaultRow = {
      fault,
      step,
      message,
      after: defaultAfter === currentAfter ? defaultAfter : `python3 ${defaultAfter}, ${CURRENT_LINK} ${currentAfter}`,
      // No half tree at the new prefix, the previous tree as it was, and every default name runs a complete CPython.
      neverHalf:
        !afterFault.includes('new half') && afterFault.includes('prior intact') && works(defaultAfter) && works(currentAfter),
      recovered:
        /@@recovery exit 0/.test(output) &&
        afterRecovery.includes('new complete') &&
        afterRecovery.includes(`default ${NEW}`) &&
        afterRecovery.includes(`current ${NEW}`) &&
        afterRecovery.includes('work folders 0') &&
        afterRecovery.includes('uninstaller current'),
      lost:
        afterRecovery.includes('prior intact') && afterFault.includes('prior intact')
          ? 'nothing'
          : `**the ${PRIOR} tree changed**`,
    };
    rows.push({ ...row, order });
    return { row, output };
  }

  const expectGood = ({ row, output }: { row: FaultRow; output: string }, expect: ExpectStatic) => {
    expect(output, output).not.toContain('prior install failed');
    expect(output, output).toMatch(/@@fault exit [1-9]/);
    expect(row, output).toMatchObject({ neverHalf: true, recovered: true, lost: 'nothing' });
  };

  // Each step, by the use of a tool install.sh makes there (counted on a clean install of 3.13.5
  // over 3.11.2: cp 3, sha256sum 1, tar 2, mv 14, ln 20).
  // Each in a container of its own, several at a time (vitest's maxConcurrency).
  describe.concurrent('kill -9', () => {
    for (const [tool, call, step] of [
      ['cp', 1, 'fetch: the artifact copied into the work folder'],
      ['sha256sum', 1, 'verify: the sha256 of the artifact'],
      ['tar', 1, 'extract: before it starts'],
      ['tar', 2, 'extract: before unpacking'],
      ['mv', 1, 'place: the tree moved to its prefix'],
      ['mv', 2, 'place: the first name of the current link repointed'],
      ['mv', 7, 'place: half the names of the current link repointed'],
      ['mv', 12, "place: the current link's marker"],
      ['mv', 13, 'place: the receipt'],
      ['ln', 1, 'link: the first name in /usr/local/bin'],
      ['ln', 5, 'link: half the names in /usr/local/bin'],
      ['ln', 11, 'link: the first name of the current link'],
      ['ln', 20, 'link: the last name of the current link'],
      ['cp', 2, "verify: the artifact's signature copied beside it"],
      ['cp', 3, 'uninstaller: install.sh copied beside the links'],
      ['mv', 14, 'uninstaller: the copy renamed into place'],
    ] as const) {
      const order = declared++;
      it(`at ${tool} call ${call} (${step})`, async ({ expect }) => {
        const fault = await killingTool(tool, call);
        expectGood(
          await scenario(order, 'kill -9', `${step} (${tool} call ${call})`, {
            pathPrefix: '/fault',
            mounts: { [fault]: '/fault' },
          }),
          expect,
        );
      });
    }
  });

  for (const [fault, expected] of [
    ['drop mid-body', /^downloading http:\/\/127\.0\.0\.1:\d+\/\S+ failed \(curl: \(18\) .+\)$/],
    [
      'short length',
      /^sha256 mismatch for http:\/\/127\.0\.0\.1:\d+\/\S+: expected [0-9a-f]{64} \(from the sha256 option\), actual [0-9a-f]{64}$/,
    ],
    ['stall', /^downloading http:\/\/127\.0\.0\.1:\d+\/\S+ failed \(no complete answer within downloadTimeout \(15 s\)\)$/],
  ] as const) {
    it(`an artifact server that answers with a ${fault}: names it, changes nothing, and the next run succeeds`, async () => {
      serving = fault;
      const digest = (await readFile(`${inject('artifacts').python313}.sha256`, 'utf8')).split(' ')[0] ?? '';
      const result = await scenario(declared++, `artifact server: ${fault}`, 'fetch', {
        image: 'local/debian:bookworm-curl',
        network: 'host',
        options: {
          artifactUrl: `${serverUrl}/${basename(inject('artifacts').python313)}`,
          sha256: digest,
          downloadTimeout: '15',
        },
        fixFault: `curl -s ${serverUrl}/fixed`,
      });
      expectGood(result, expect);
      expect(result.row.message).toMatch(expected);
    });
  }

  it('a full disk: says so, with the space free and needed, and the next run succeeds once space is freed', async () => {
    const result = await scenario(declared++, 'full disk (tmpfs /opt)', 'extract', {
      // 3.11.2 takes about 97 MB there; the filler leaves room for the 3.13.5 artifact (28 MB), not
      // for its unpacked tree (79 MB). Without the filler the install fits.
      tmpfs: { '/opt': 'size=260m,mode=755,exec' },
      beforeFault: 'dd if=/dev/zero of=/opt/filler bs=1M count=120 2>/dev/null',
      fixFault: 'rm -f /opt/filler',
    });
    expectGood(result, expect);
    expect(result.row.message).toMatch(
      /^no space left on the disk of \/opt\/\.cpython-installer\.\w+ for the unpacked artifact \(\d+ KiB free, \d+ KiB needed\)$/,
    );
  });

  it('a read-only /opt: names it before writing anything, and nothing changes', async () => {
    const result = await runInstallScript({
      featureDir: feature,
      image: IMAGE,
      options: { version: NEW },
      tmpfs: { '/opt': 'ro,mode=755' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'cpython-installer: error: cannot write in /opt: Read-only file system\ncpython-installer: fix: make /opt writable in the image build',
    );
    expect(result.leftovers).toEqual([]);
    rows.push({
      order: declared++,
      fault: 'read-only /opt',
      step: 'before anything',
      message: 'cannot write in /opt: Read-only file system',
      after: 'as before (nothing written)',
      neverHalf: true,
      recovered: true,
      lost: 'nothing (nothing was there to lose; a writable /opt installs, as every other row shows)',
    });
  });
});
