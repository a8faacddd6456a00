import { CpythonPrebuiltError, type WheelhouseWheel } from '@cpython-prebuilt/core';

/** PEP 503 name normalization: MarkupSafe, markup_safe and Markup.Safe are all markupsafe. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Name and version from a wheel file name (PEP 427: {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl). */
export function parseWheelFileName(file: string): { name: string; version: string } {
  const parts = file.replace(/\.whl$/, '').split('-');
  const [name, version] = parts;
  if (!file.endsWith('.whl') || (parts.length !== 5 && parts.length !== 6) || !name || !version) {
    throw new CpythonPrebuiltError('BUILD_FAILED', `"${file}" is not a wheel file name`, {
      fix: 'pip wheel wrote a file that is not a wheel: check the requirements file',
    });
  }
  return { name: normalizeProjectName(name), version };
}

/**
 * requirements.lock for pip's hash-checking mode: one `name==version --hash=sha256:...` line per
 * wheel, sorted by name, so `pip install --no-index --require-hashes -r requirements.lock`
 * installs exactly these files and nothing else.
 */
export function renderLock(wheels: readonly WheelhouseWheel[], header: readonly string[]): string {
  const lines = header.map((line) => `# ${line}`);
  for (const wheel of [...wheels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    lines.push(`${wheel.name}==${wheel.version} \\`, `    --hash=sha256:${wheel.sha256}`);
  }
  return `${lines.join('\n')}\n`;
}
