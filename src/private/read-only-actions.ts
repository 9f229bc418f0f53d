/**
 * The actions of the read-only discovery role: what it may do (discover resources) and what
 * it is explicitly denied (reading the data those resources hold).
 *
 * Checked against the AWS Service Authorization Reference (action names and access levels as
 * published in 2026); the README lists every entry with its reason, and a
 * test keeps that list and this one the same.
 */

/** One action (or a pattern whose every match reads data) that the role must never perform. */
export interface DeniedDataRead {
  /** The action, `service:Action`; a `*` is used only where every action it matches reads data. */
  readonly action: string;
  /** What the action would reveal. */
  readonly reason: string;
  /**
   * Deny the action only on these resources (`${Partition}` and `${Account}` stand for the
   * partition and the account), for an action that reads data on some resources and
   * discovers others.
   * @default - every resource
   */
  readonly resources?: string[];
}

/**
 * Actions that read the data held in resources, or credentials that reach it. The role denies
 * them explicitly, so that no managed policy attached to it, now or later, can allow them.
 */
export const DENIED_DATA_READS: DeniedDataRead[] = [
  // Object and block storage
  { action: 's3:GetObject', reason: 'S3 object contents' },
  { action: 's3:GetObjectVersion', reason: 'contents of an earlier version of an S3 object' },
  { action: 's3:GetObjectTorrent', reason: 'S3 object contents, as a torrent' },
  { action: 's3:GetObjectVersionTorrent', reason: 'contents of an S3 object version, as a torrent' },
  { action: 's3:GetObjectVersionForReplication', reason: 'S3 object contents, read as replication does' },
  { action: 's3-object-lambda:GetObject', reason: 'S3 object contents through an Object Lambda access point' },
  { action: 's3-object-lambda:GetObjectVersion', reason: 'S3 object version contents through an Object Lambda access point' },
  { action: 's3express:CreateSession', reason: 'session credentials that read objects in S3 directory buckets' },
  { action: 's3tables:GetTableData', reason: 'rows of S3 tables' },
  { action: 's3vectors:GetVectors', reason: 'vector data and metadata of S3 vector indexes' },
  { action: 's3vectors:QueryVectors', reason: 'vector data returned by similarity queries' },
  { action: 's3vectors:ListVectors', reason: 'vector data and metadata, which the listing can return' },
  { action: 'glacier:GetJobOutput', reason: 'S3 Glacier archive contents' },
  { action: 'ebs:GetSnapshotBlock', reason: 'disk blocks of EBS snapshots' },
  { action: 'mediastore:GetObject', reason: 'AWS Elemental MediaStore object contents' },
  // Secrets and keys
  { action: 'secretsmanager:GetSecretValue', reason: 'secret values' },
  { action: 'secretsmanager:BatchGetSecretValue', reason: 'secret values, several at a time' },
  { action: 'ssm:GetParameter*', reason: 'SSM parameter values, including SecureString and earlier values (GetParameter, GetParameters, GetParametersByPath, GetParameterHistory)' },
  { action: 'kms:Decrypt', reason: 'plaintext of anything encrypted with a KMS key' },
  { action: 'kms:ReEncryptFrom', reason: 'ciphertext moved under a key the caller can decrypt, which amounts to decrypting it' },
  { action: 'ec2:GetPasswordData', reason: 'the administrator password of Windows instances' },
  { action: 'glue:GetConnection', reason: 'AWS Glue connection properties, including passwords' },
  { action: 'glue:GetConnections', reason: 'AWS Glue connection properties, including passwords' },
  { action: 'redshift:GetClusterCredentials', reason: 'database credentials for Amazon Redshift clusters' },
  { action: 'redshift:GetClusterCredentialsWithIAM', reason: 'database credentials for Amazon Redshift clusters' },
  { action: 'redshift-serverless:GetCredentials', reason: 'database credentials for Amazon Redshift Serverless' },
  { action: 'rds-db:connect', reason: 'connecting to RDS databases with IAM authentication' },
  { action: 'lightsail:GetInstanceAccessDetails', reason: 'temporary SSH keys or passwords of Lightsail instances' },
  { action: 'states:RevealSecrets', reason: 'unredacted HTTP task data of Step Functions executions' },
  // Databases and search
  { action: 'dynamodb:GetItem', reason: 'DynamoDB items' },
  { action: 'dynamodb:BatchGetItem', reason: 'DynamoDB items' },
  { action: 'dynamodb:Query', reason: 'DynamoDB items' },
  { action: 'dynamodb:Scan', reason: 'DynamoDB items' },
  { action: 'dynamodb:PartiQLSelect', reason: 'DynamoDB items, through PartiQL (ExecuteStatement, ExecuteTransaction)' },
  { action: 'dynamodb:ConditionCheckItem', reason: 'facts about DynamoDB item attributes' },
  { action: 'dynamodb:GetRecords', reason: 'DynamoDB stream records (item images)' },
  { action: 'dynamodb:ReadDataForReplication', reason: 'DynamoDB items, read as global table replication does' },
  { action: 'dax:GetItem', reason: 'DynamoDB items through DAX' },
  { action: 'dax:BatchGetItem', reason: 'DynamoDB items through DAX' },
  { action: 'dax:Query', reason: 'DynamoDB items through DAX' },
  { action: 'dax:Scan', reason: 'DynamoDB items through DAX' },
  { action: 'dax:ConditionCheckItem', reason: 'facts about DynamoDB item attributes through DAX' },
  { action: 'cassandra:Select', reason: 'Amazon Keyspaces rows' },
  { action: 'cassandra:SelectMultiRegionResource', reason: 'Amazon Keyspaces rows of multi-Region tables' },
  { action: 'timestream:Select', reason: 'Amazon Timestream data' },
  { action: 'timestream:SelectValues', reason: 'Amazon Timestream data' },
  { action: 'qldb:PartiQLSelect', reason: 'Amazon QLDB documents' },
  { action: 'qldb:PartiQLHistoryFunction', reason: 'revision history of Amazon QLDB documents' },
  { action: 'qldb:SendCommand', reason: 'statements run in Amazon QLDB sessions' },
  { action: 'neptune-db:ReadDataViaQuery', reason: 'Amazon Neptune graph data' },
  { action: 'neptune-graph:ReadDataViaQuery', reason: 'Neptune Analytics graph data' },
  { action: 'rds-data:ExecuteStatement', reason: 'SQL against Aurora through the Data API' },
  { action: 'rds-data:BatchExecuteStatement', reason: 'SQL against Aurora through the Data API' },
  { action: 'rds-data:ExecuteSql', reason: 'SQL against Aurora through the Data API' },
  { action: 'redshift-data:GetStatementResult', reason: 'rows returned by Amazon Redshift Data API statements' },
  { action: 'redshift:FetchResults', reason: 'Amazon Redshift query results in the console' },
  { action: 'redshift:ViewQueriesFromConsole', reason: 'Amazon Redshift query results in the console' },
  { action: 'sdb:GetAttributes', reason: 'Amazon SimpleDB items' },
  { action: 'sdb:Select', reason: 'Amazon SimpleDB items' },
  { action: 'es:ESHttpGet', reason: 'OpenSearch documents and search results' },
  { action: 'es:ESHttpHead', reason: 'existence of OpenSearch documents' },
  { action: 'es:ESHttpPost', reason: 'OpenSearch search results (searches are POST requests)' },
  { action: 'aoss:APIAccessAll', reason: 'OpenSearch Serverless collections (data plane)' },
  { action: 'athena:GetQueryResults*', reason: 'Amazon Athena query results (GetQueryResults, GetQueryResultsStream)' },
  { action: 'cloudtrail:GetQueryResults', reason: 'CloudTrail Lake query results, which can hold events from any source' },
  { action: 'cloudtrail:GetEventDataStoreData', reason: 'CloudTrail Lake event data through the Glue Data Catalog' },
  { action: 'macie2:GetSensitiveDataOccurrences', reason: 'samples of the sensitive data Amazon Macie found' },
  { action: 'cognito-idp:ListUsers', reason: 'attributes of Cognito users (personal data)' },
  { action: 'cognito-idp:ListUsersInGroup', reason: 'attributes of Cognito users (personal data)' },
  { action: 'cognito-idp:AdminGetUser', reason: 'attributes of a Cognito user (personal data)' },
  { action: 'cognito-sync:ListRecords', reason: 'records synchronised by Cognito Sync' },
  // Messages and streams
  { action: 'sqs:ReceiveMessage', reason: 'SQS message bodies' },
  { action: 'kinesis:GetRecords', reason: 'Kinesis stream records' },
  { action: 'kinesis:SubscribeToShard', reason: 'Kinesis stream records, through enhanced fan-out' },
  { action: 'kafka-cluster:ReadData', reason: 'records of Amazon MSK topics' },
  { action: 'kinesisvideo:GetMedia', reason: 'Kinesis video stream media' },
  { action: 'kinesisvideo:GetMediaForFragmentList', reason: 'Kinesis video stream media' },
  { action: 'kinesisvideo:GetClip', reason: 'Kinesis video stream media' },
  { action: 'kinesisvideo:GetImages', reason: 'images from Kinesis video streams' },
  { action: 'kinesisvideo:GetHLSStreamingSessionURL', reason: 'a URL that plays Kinesis video stream media' },
  { action: 'kinesisvideo:GetDASHStreamingSessionURL', reason: 'a URL that plays Kinesis video stream media' },
  { action: 'iot:GetThingShadow', reason: 'AWS IoT device shadow documents' },
  { action: 'iot:GetRetainedMessage', reason: 'AWS IoT retained MQTT messages' },
  { action: 'iot:Receive', reason: 'AWS IoT MQTT messages' },
  // Logs, traces and execution data
  { action: 'logs:GetLogEvents', reason: 'CloudWatch Logs events' },
  { action: 'logs:FilterLogEvents', reason: 'CloudWatch Logs events' },
  { action: 'logs:GetLogRecord', reason: 'a CloudWatch Logs event, all fields' },
  { action: 'logs:StartQuery', reason: 'CloudWatch Logs Insights queries over log events' },
  { action: 'logs:GetQueryResults', reason: 'CloudWatch Logs Insights query results' },
  { action: 'logs:StartLiveTail', reason: 'CloudWatch Logs events, streamed live' },
  { action: 'logs:Unmask', reason: 'log data masked by a data protection policy' },
  { action: 'xray:BatchGetTraces', reason: 'X-Ray trace segment documents (request data, annotations, metadata)' },
  { action: 'states:DescribeExecution', reason: 'input and output of Step Functions executions' },
  { action: 'states:GetExecutionHistory', reason: 'input and output of every step of Step Functions executions' },
  { action: 'ssm:GetCommandInvocation', reason: 'output of commands run on instances by Run Command' },
  { action: 'ssm:ListCommandInvocations', reason: 'output of commands run on instances by Run Command' },
  { action: 'rds:DownloadDBLogFilePortion', reason: 'database log files, which can hold queries and data' },
  { action: 'rds:DownloadCompleteDBLogFile', reason: 'database log files, which can hold queries and data' },
  { action: 'lightsail:GetContainerLog', reason: 'log events of Lightsail containers' },
  { action: 'lightsail:GetRelationalDatabaseLogEvents', reason: 'log events of Lightsail databases' },
  // Code, images and configuration data
  { action: 'lambda:GetFunction', reason: 'a download URL for Lambda function code (use ListFunctions or GetFunctionConfiguration to discover functions)' },
  { action: 'lambda:GetLayerVersion', reason: 'a download URL for Lambda layer contents' },
  { action: 'codecommit:GetFile', reason: 'CodeCommit file contents' },
  { action: 'codecommit:GetBlob', reason: 'CodeCommit file contents' },
  { action: 'codecommit:GetFolder', reason: 'CodeCommit repository contents (the file tree of a folder)' },
  { action: 'codecommit:GetTree', reason: 'CodeCommit repository contents (the file tree)' },
  { action: 'codecommit:GitPull', reason: 'CodeCommit repository contents, through git' },
  { action: 'ecr:GetDownloadUrlForLayer', reason: 'container image layers' },
  { action: 'ecr:BatchGetImage', reason: 'container image manifests, the way to pull an image' },
  { action: 'codeartifact:ReadFromRepository', reason: 'CodeArtifact package contents' },
  { action: 'codeartifact:GetPackageVersionAsset', reason: 'CodeArtifact package contents' },
  { action: 'cloudformation:GetTemplate', reason: 'CloudFormation template bodies, which can embed secrets' },
  { action: 'cloudformation:GetGeneratedTemplate', reason: 'templates generated from existing resources, with their properties' },
  { action: 'appconfig:GetConfiguration', reason: 'AWS AppConfig configuration data' },
  { action: 'appconfig:GetLatestConfiguration', reason: 'AWS AppConfig configuration data' },
  { action: 'appconfig:GetHostedConfigurationVersion', reason: 'AWS AppConfig configuration data' },
  { action: 'ec2:GetConsoleOutput', reason: 'console output of EC2 instances' },
  { action: 'ec2:GetConsoleScreenshot', reason: 'screenshots of EC2 instances' },
  { action: 'ec2:GetLaunchTemplateData', reason: 'the launch data of an EC2 instance, including its user data' },
  { action: 'ec2:DescribeInstanceAttribute', reason: 'EC2 instance user data (DescribeInstances still describes instances)' },
  { action: 'ec2:DescribeLaunchTemplateVersions', reason: 'EC2 launch template versions, including their user data' },
  { action: 'ec2:GetInstanceUefiData', reason: 'the UEFI variable store of EC2 instances' },
  { action: 'autoscaling:DescribeLaunchConfigurations', reason: 'Auto Scaling launch configurations, including their user data' },
  // Responses of calls that ViewOnlyAccess allows, or discovery used to, that hold the data
  { action: 'ec2:DescribeSpotInstanceRequests', reason: 'Spot Instance requests, including the user data of their launch specification' },
  { action: 'ec2:DescribeSpotFleetRequests', reason: 'Spot Fleet requests, including the user data of their launch specifications' },
  { action: 'cloudformation:DescribeStackEvents', reason: 'the properties of each resource as deployed, the same content as the template (GetTemplate)' },
  { action: 'cloudformation:DescribeStackResource', reason: 'the Metadata of a resource from the template (cfn-init files and commands), the same content as GetTemplate' },
  { action: 'codedeploy:BatchGetDeploymentTargets', reason: 'the log tails of deployment lifecycle events' },
  { action: 'codedeploy:GetDeploymentTarget', reason: 'the log tails of deployment lifecycle events' },
  { action: 'codedeploy:BatchGetDeploymentInstances', reason: 'the log tails of deployment lifecycle events on instances' },
  { action: 'codedeploy:GetDeploymentInstance', reason: 'the log tails of deployment lifecycle events on an instance' },
  { action: 'devicefarm:ListArtifacts', reason: 'presigned URLs that download the files, logs and screenshots of Device Farm test runs' },
  { action: 'devicefarm:ListUploads', reason: 'presigned URLs of the apps and test packages uploaded to Device Farm' },
  { action: 'devicefarm:ListSamples', reason: 'presigned URLs of the performance samples of Device Farm test runs' },
  { action: 'devicefarm:ListTestGridSessionArtifacts', reason: 'presigned URLs of the videos and logs of Device Farm browser test sessions' },
  { action: 'connect:ListRealtimeContactAnalysisSegments', reason: 'transcripts of Amazon Connect contacts, as they happen' },
  { action: 'connect:ListContactReferences', reason: 'the references recorded on Amazon Connect contacts (attachments, links, values)' },
  { action: 'lex:GetUtterancesView', reason: 'what users said to Amazon Lex bots (utterances)' },
  {
    action: 'apigateway:GET',
    reason: 'API key values, on the API keys and usage-plan keys only (GET on other API Gateway paths still discovers APIs)',
    resources: [
      'arn:${Partition}:apigateway:*::/apikeys',
      'arn:${Partition}:apigateway:*::/apikeys/*',
      'arn:${Partition}:apigateway:*::/usageplans/*/keys',
      'arn:${Partition}:apigateway:*::/usageplans/*/keys/*',
    ],
  },
];

/**
 * Discovery that the AWS managed policy `job-function/ViewOnlyAccess` does not give: the
 * Resource Groups Tagging API, resource groups, and the describe calls that CI/CD lookups use.
 * None of them returns the data a resource holds.
 */
export const DISCOVERY_ACTIONS: string[] = [
  'tag:GetResources',
  'tag:GetTagKeys',
  'tag:GetTagValues',
  'resource-groups:GetGroup',
  'resource-groups:GetGroupConfiguration',
  'resource-groups:GetGroupQuery',
  'resource-groups:GetTags',
  'resource-groups:ListGroupResources',
  'resource-groups:ListGroups',
  'resource-groups:SearchResources',
  'resource-explorer-2:Search',
  'cloudformation:DescribeStackResources',
  'cloudformation:GetTemplateSummary',
  'ssm:DescribeParameters',
  'secretsmanager:ListSecrets',
  'secretsmanager:DescribeSecret',
  'kms:DescribeKey',
  'kms:ListAliases',
  's3:GetBucketLocation',
  's3:GetBucketTagging',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeRules',
  'iam:GetRole',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:GetRolePolicy',
  'iam:GetInstanceProfile',
];
