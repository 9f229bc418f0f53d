import { baselineAssembly } from './baseline-assembly';
import { parseOptions } from '../../scripts/options';

/** The store's template, as the deploy command synthesizes it. */
function storeTemplate(argv: string[]): any {
  return baselineAssembly(`packages-${argv.length}`, argv).stacks.find((s) => s.kind === 'store')!.template;
}

const ofType = (template: any, type: string) => Object.values<any>(template.Resources).filter((r) => r.Type === type);

test('--packages puts a CodeArtifact domain and repository in the reference app\'s store', () => {
  expect(parseOptions(['--packages']).packages).toBe(true);
  const template = storeTemplate(['--packages']);
  expect(ofType(template, 'AWS::CodeArtifact::Domain').map((r) => r.Properties.DomainName)).toEqual(['cicd']);
  expect(ofType(template, 'AWS::CodeArtifact::Repository').map((r) => r.Properties.RepositoryName)).toEqual(['packages']);
});

test('without it, the store has no CodeArtifact resource', () => {
  expect(parseOptions([]).packages).toBeUndefined();
  expect(ofType(storeTemplate([]), 'AWS::CodeArtifact::Domain')).toEqual([]);
});
