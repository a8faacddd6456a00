import { describe, expect, it } from 'vitest';
import { baseImagesOf, replaceBaseImages } from './dockerfile-base.ts';

const dockerfile = [
  '# FROM commented:out',
  'FROM --platform=linux/amd64 local/debian:bookworm AS build',
  'RUN make',
  'from build as test',
  'FROM local/debian:trixie',
  'COPY --from=build /out /out',
  '',
].join('\n');

describe('base images of a Dockerfile', () => {
  it('lists the images stages start from, not earlier stages nor comments', () => {
    expect(baseImagesOf(dockerfile)).toEqual(['local/debian:bookworm', 'local/debian:trixie']);
  });

  it('replaces only the images named, keeping flags, stage names and every other line', () => {
    expect(replaceBaseImages(dockerfile, { 'local/debian:bookworm': 'builder:1' })).toBe(
      dockerfile.replace('linux/amd64 local/debian:bookworm AS', 'linux/amd64 builder:1 AS'),
    );
  });
});
