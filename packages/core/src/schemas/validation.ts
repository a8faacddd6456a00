import { z } from 'zod';

export const CheckResult = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** The checks of one artifact in one image (host-side checks carry image "host"). */
export const ValidationRun = z.object({
  image: z.string(),
  ok: z.boolean(),
  checks: z.array(CheckResult).min(1),
  seconds: z.number().nonnegative(),
});
export type ValidationRun = z.infer<typeof ValidationRun>;

export const ValidationReport = z.object({
  $schema: z.string().optional(),
  artifact: z.string(),
  sha256: z.string(),
  ok: z.boolean(),
  startedAt: z.string(),
  runs: z.array(ValidationRun).min(1),
});
export type ValidationReport = z.infer<typeof ValidationReport>;
