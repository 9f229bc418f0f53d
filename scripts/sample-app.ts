/**
 * The sample application as the sample pipeline deploys it: into which accounts, with which
 * parameter overrides. Read from the synthesized pipeline, so that a deploy without CodePipeline
 * (the emulator has none) deploys the sample application exactly as the pipeline would.
 */

/** One deploy action of the sample pipeline. */
export interface SampleAppDeploy {
  /** The pipeline's stage. */
  readonly stage: string;
  /** The target account, from the action's role (the target's cross-account role). */
  readonly account: string;
  /** The action's CloudFormation parameter overrides. */
  readonly parameters: Record<string, string>;
}

/** The CloudFormation deploy actions of the sample pipeline's template, in stage order. */
export function sampleAppDeploys(pipelineTemplate: any): SampleAppDeploy[] {
  const pipelines = Object.values<any>(pipelineTemplate.Resources ?? {}).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) throw new Error(`the sample pipeline's template has ${pipelines.length} pipelines, not one`);
  const out: SampleAppDeploy[] = [];
  for (const stage of pipelines[0].Properties.Stages as any[]) {
    for (const action of stage.Actions as any[]) {
      if (action.ActionTypeId.Category !== 'Deploy' || action.ActionTypeId.Provider !== 'CloudFormation') continue;
      const role = action.RoleArn;
      const m = typeof role === 'string' ? /^arn:[^:]+:iam::(\d{12}):role\//.exec(role) : null;
      if (!m) throw new Error(`the sample pipeline's action ${stage.Name}/${action.Name} names its role by ${JSON.stringify(role)}, not by a literal ARN`);
      const overrides = action.Configuration.ParameterOverrides;
      out.push({ stage: stage.Name, account: m[1], parameters: overrides === undefined ? {} : JSON.parse(overrides) });
    }
  }
  return out;
}

/** The CDK CLI's `--parameters` arguments for one deploy of `stackName`. */
export function parameterArgs(stackName: string, parameters: Record<string, string>): string[] {
  return Object.entries(parameters).flatMap(([k, v]) => ['--parameters', `${stackName}:${k}=${v}`]);
}
