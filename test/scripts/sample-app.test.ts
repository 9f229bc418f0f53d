import { baselineAssembly } from './baseline-assembly';
import { parseOptions } from '../../scripts/options';
import { parameterArgs, sampleAppDeploys } from '../../scripts/sample-app';

describe('the sample application as the sample pipeline deploys it (scripts/sample-app.ts)', () => {
  const pipelineOf = (argv: string[]) => baselineAssembly(`sample-app-${argv.length}`, argv).stacks.find((s) => s.kind === 'pipeline')!.template;

  test('with an image repository: non-prod, then prod, each with the image tag', () => {
    expect(sampleAppDeploys(pipelineOf(['--image-repositories', 'sample-app']))).toEqual([
      { stage: 'Deploy-nonprod', account: '222222222222', parameters: { ImageTag: 'v1' } },
      { stage: 'Deploy-prod', account: '777777777777', parameters: { ImageTag: 'v1' } },
    ]);
  });

  test('without: the same accounts, no parameter', () => {
    expect(sampleAppDeploys(pipelineOf([])).map((d) => [d.account, d.parameters])).toEqual([['222222222222', {}], ['777777777777', {}]]);
  });

  test('the CLI arguments name the stack', () => {
    expect(parameterArgs('cicd-sample-app', { ImageTag: 'v1' })).toEqual(['--parameters', 'cicd-sample-app:ImageTag=v1']);
  });

  test('a role named by a token is refused, not guessed', () => {
    const template = { Resources: { P: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [{ Name: 'Deploy', Actions: [{ Name: 'D', ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' }, RoleArn: { 'Fn::GetAtt': ['R', 'Arn'] }, Configuration: {} }] }] } } } };
    expect(() => sampleAppDeploys(template)).toThrow(/Deploy\/D names its role by .*not by a literal ARN/);
  });

  test('--sample-app is off unless given', () => {
    expect(parseOptions(['--sample-app']).sampleApp).toBe(true);
    expect(parseOptions([]).sampleApp).toBe(false);
  });
});
