import { Assembly, synthesize } from '../../scripts/assembly';
import { parseOptions } from '../../scripts/options';

export const ACCOUNTS = { cicd: '111111111111', nonprod: '222222222222', prod: '777777777777' };

/** The reference app's three-account assembly, as the deploy command synthesizes it. */
export function baselineAssembly(label: string, argv: string[] = []): Assembly {
  return synthesize(parseOptions(argv), ACCOUNTS, undefined, `test-${label}`);
}
