import { describe, expect, it, onTestFinished } from 'vitest';
import { LocalRegistryError, startRegistry } from './local-registry.ts';

describe('the local registry', () => {
  it('says how to install docker-registry when it is missing, as a typed error', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    onTestFinished(() => {
      process.env.PATH = path;
    });
    const outcome = await startRegistry().catch((caught: unknown) => caught);
    process.env.PATH = path;
    expect(outcome).toBeInstanceOf(LocalRegistryError);
    expect((outcome as LocalRegistryError).code).toBe('COMMAND_FAILED');
    expect((outcome as LocalRegistryError).message).toBe(
      'docker-registry is not installed, so no local OCI registry can be started',
    );
    expect((outcome as LocalRegistryError).fix).toContain('apt-get install docker-registry');
  });
});
