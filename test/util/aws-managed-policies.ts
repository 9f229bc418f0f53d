import * as fs from 'fs';
import * as path from 'path';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'aws-managed-policies');

/**
 * The policy document of an AWS managed policy, from the snapshots in
 * test/fixtures/aws-managed-policies, given its ARN or its name (`ReadOnlyAccess`,
 * `job-function/ViewOnlyAccess`). Throws when no snapshot is stored.
 */
export function awsManagedPolicyDocument(arnOrName: string): unknown {
  const name = arnOrName.split('/').pop()!;
  const file = path.join(FIXTURES, `${name}.json`);
  if (!/^[A-Za-z0-9-]+$/.test(name) || !fs.existsSync(file)) {
    throw new Error(`No snapshot of the AWS managed policy ${arnOrName} in ${FIXTURES}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
