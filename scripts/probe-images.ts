/**
 * What MiniStack does with the store's ECR repository and the sample container-image function,
 * asked directly (the read-back has no ECR or Lambda client): run after
 * `npx projen deploy --image-repositories sample-app --sample-app [--state-dir DIR]`, with the same
 * state directory. Starts the emulator from that state, asks it with botocore (from the
 * emulator's own virtual environment), prints one line per question, and stops it.
 *
 *   npx ts-node --transpile-only scripts/probe-images.ts [--state-dir DIR]
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { startEmulator } from './emulator';
import { EMULATOR_DIR, parseOptions, runMain } from './options';

const PROBE = `
import json, sys, botocore.session
endpoint, repo, fn = sys.argv[1:4]
def client(service, account):
    return botocore.session.get_session().create_client(service, region_name='eu-west-1', endpoint_url=endpoint,
                                                        aws_access_key_id=account, aws_secret_access_key='x')
def ask(label, call):
    try:
        print(label + ': ' + json.dumps(call(), default=str))
    except Exception as e:
        print(label + ': error ' + str(e).splitlines()[0])
cicd = client('ecr', '111111111111')
def repository():
    r = [x for x in cicd.describe_repositories()['repositories'] if x['repositoryName'] == repo][0]
    return {k: r[k] for k in ('imageTagMutability', 'imageScanningConfiguration', 'encryptionConfiguration')}
ask('ECR repository (CICD)', repository)
ask('ECR repository policy Sids (CICD)', lambda: [s['Sid'] for s in json.loads(cicd.get_repository_policy(repositoryName=repo)['policyText'])['Statement']])
ask('ECR lifecycle rules (CICD)', lambda: json.loads(cicd.get_lifecycle_policy(repositoryName=repo)['lifecyclePolicyText'])['rules'])
ask('ECR images in the repository (CICD)', lambda: cicd.list_images(repositoryName=repo)['imageIds'])
for account in ('222222222222', '777777777777'):
    lam = client('lambda', account)
    ask('Lambda function in ' + account, lambda: {**{k: lam.get_function(FunctionName=fn)['Configuration'].get(k) for k in ('PackageType', 'State')},
                                               'ImageUri': lam.get_function(FunctionName=fn)['Code'].get('ImageUri')})
ask('ECR pull by 333333333333 from the CICD registry', lambda: client('ecr', '333333333333').batch_get_image(
    registryId='111111111111', repositoryName=repo, imageIds=[{'imageTag': 'v1'}])['images'])
ask('ECR push by 222222222222 to the CICD registry', lambda: client('ecr', '222222222222').put_image(
    registryId='111111111111', repositoryName=repo, imageManifest='{}', imageTag='probe')['image']['imageId'])
`;

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const emulator = await startEmulator({ stateDir: options.stateDir });
  try {
    const res = spawnSync(path.join(EMULATOR_DIR, 'venv', 'bin', 'python'), ['-c', PROBE, emulator.endpoint, 'sample-app', 'cicd-sample-app-image'], { encoding: 'utf8' });
    process.stdout.write(res.stdout);
    if (res.status !== 0) {
      console.error(res.stderr);
      return 1;
    }
    return 0;
  } finally {
    await emulator.stop();
  }
}

runMain(module, main);
