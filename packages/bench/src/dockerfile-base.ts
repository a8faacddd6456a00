/** The images a Dockerfile's stages start FROM (not earlier stages), in order, each once. */
export function baseImagesOf(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const match of dockerfile.matchAll(/^[ \t]*FROM[ \t]+((?:--\S+[ \t]+)*)(\S+)(?:[ \t]+AS[ \t]+(\S+))?/gim)) {
    const image = match[2] ?? '';
    if (!stages.has(image.toLowerCase()) && !images.includes(image)) images.push(image);
    if (match[3]) stages.add(match[3].toLowerCase());
  }
  return images;
}

/** The Dockerfile with each FROM of an image in `replacements` starting from its replacement instead. */
export function replaceBaseImages(dockerfile: string, replacements: Record<string, string>): string {
  return dockerfile.replace(/^([ \t]*FROM[ \t]+(?:--\S+[ \t]+)*)(\S+)/gim, (line, start: string, image: string) =>
    replacements[image] ? `${start}${replacements[image]}` : line,
  );
}
