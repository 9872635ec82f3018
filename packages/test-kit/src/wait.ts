/** Resolves after `ms`. Tests wait for conditions (`waitFor` in each suite), not for time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
