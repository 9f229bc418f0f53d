/**
 * Where a command runs: the local emulator (started here, always stopped) unless profiles are
 * given, in which case real AWS.
 */
import { Assembly, deployedRoleIds, synthesize } from './assembly';
import { Connection } from './aws';
import { Emulator, startEmulator } from './emulator';
import { isAws, Options } from './options';

/** Starts the emulator unless profiles are given, runs `fn`, and always stops it. */
export async function withTarget<T>(options: Options, fn: (emulator?: Emulator) => Promise<T>): Promise<T> {
  if (isAws(options)) return fn(undefined);
  const emulator = await startEmulator({ stateDir: options.stateDir, fresh: options.fresh, port: options.port });
  try {
    return await fn(emulator);
  } finally {
    await emulator.stop();
    console.log('Emulator stopped.');
  }
}

/** Reads the role IDs of a role-ids deploy back from the target stacks, then resynthesizes. */
export async function deployedAssembly(
  options: Options, conns: Map<string, Connection>, accounts: Parameters<typeof synthesize>[1],
): Promise<Assembly> {
  const asm = synthesize(options, accounts);
  if (options.narrowing !== 'role-ids') return asm;
  return synthesize(options, accounts, await deployedRoleIds(asm, conns));
}

