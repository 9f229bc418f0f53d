import { baselineAssembly } from './baseline-assembly';
import { parseOptions } from '../../scripts/options';

/** The store's template, as the deploy command synthesizes it. */
function storeTemplate(argv: string[]): any {
  return baselineAssembly(`images-${argv.length}`, argv).stacks.find((s) => s.kind === 'store')!.template;
}

const repositories = (template: any) => Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ECR::Repository');

test('--image-repositories puts the named repositories in the reference app\'s store', () => {
  expect(parseOptions(['--image-repositories', 'sample-app,team/worker']).imageRepositories).toBe('sample-app,team/worker');
  const names = repositories(storeTemplate(['--image-repositories', 'sample-app,team/worker'])).map((r) => r.Properties.RepositoryName);
  expect(names.sort()).toEqual(['sample-app', 'team/worker']);
});

test('without it, the store has no repository', () => {
  expect(parseOptions([]).imageRepositories).toBeUndefined();
  expect(repositories(storeTemplate([]))).toEqual([]);
});
