/** How users reference the published feature, in the README's usage snippet and `integrate`'s default. */
export const DEFAULT_FEATURE_REFERENCE = 'ghcr.io/<owner>/<repo>/cpython/installer:1';
