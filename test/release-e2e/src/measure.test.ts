import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from '@cpython-prebuilt/bench';
import { cpythonPrebuilt, debianSourceTarball } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

describe('measure (one run each: the short version of make measure)', () => {
  it('times the pilot built from source and with the feature, and writes the procedure table from the numbers', async () => {
    const work = await mkdtemp(join(tmpdir(), 'measure-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const output = join(work, 'fase-3-resultados.md');
    const result = await cpythonPrebuilt([
      'measure',
      '--artifact',
      inject('artifacts').python313,
      '--source',
      debianSourceTarball('3.13.5'),
      '--runs',
      '1',
      '--output',
      output,
    ]);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    const measurement = JSON.parse(await readFile(output.replace(/\.md$/, '.json'), 'utf8')) as Measurement;
    const [pilot] = measurement.projects;
    if (!pilot) throw new Error('no pilot in the measurement');
    for (const variant of [pilot.before, pilot.after]) {
      expect(variant.runs).toHaveLength(1);
      expect(variant.runs[0]).toMatchObject({ ok: true, checksPassed: 5, checksTotal: 5 });
    }
    // Compiling CPython in the image cannot beat extracting a prebuilt one.
    expect(pilot.before.seconds.median).toBeGreaterThan(pilot.after.seconds.median * 2);
    const document = await readFile(output, 'utf8');
    expect(document).toContain('| Métrica | Antes | Después | Mejora |');
    expect(document).toMatch(/\| Tiempo de build \(median of 1 \/ 1 runs\) \| [\d.]+ (s|min) \| [\d.]+ s \| \d+% \([\d.]+x\) \|/);
    expect(document).toContain('| Pasos fallidos (builds) | 0/1 | 0/1 | |');
    expect(document).toContain('| Tests (procedure step 4.1, per image) | 5/5 | 5/5 | |');
    expect(document).toContain('pnpm exec cpython-prebuilt measure --artifact');
  });
});
