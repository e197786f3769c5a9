/**
 * Where the functions are built from: a private bucket holding the zipped source package (one object
 * per content hash, so a code change gives a new object name and redeploys the functions), and the
 * Artifact Registry repository Cloud Build pushes the images to. The build service account may read
 * this bucket and write this repository, nothing else.
 */
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository/index.js';
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member/index.js';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket/index.js';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member/index.js';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object/index.js';

/** Props of {@link FunctionSourceBucket}. */
export interface FunctionSourceBucketProps {
  readonly projectId: string;
  readonly region: string;
  readonly bucketName: string;
  readonly namePrefix: string;
  /** Folder assembled by `assembleFunctionSource` (dist/, sql/, package.json). */
  readonly sourceDir: string;
  readonly labels: Record<string, string>;
  /** The Cloud Build service account's member string. */
  readonly builder: string;
}

/** Source bucket, source object, image repository and the builder's IAM on them. */
export class FunctionSourceBucket extends Construct {
  readonly bucket: StorageBucket;
  readonly object: StorageBucketObject;
  readonly repository: ArtifactRegistryRepository;
  /** Content hash of the source package (part of the object name). */
  readonly sourceHash: string;

  constructor(scope: Construct, id: string, props: FunctionSourceBucketProps) {
    super(scope, id);
    const asset = new TerraformAsset(this, 'package', { path: props.sourceDir, type: AssetType.ARCHIVE });
    this.sourceHash = asset.assetHash;
    this.bucket = new StorageBucket(this, 'bucket', {
      project: props.projectId,
      name: props.bucketName,
      location: props.region,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: true, // only build inputs live here
      labels: { ...props.labels, component: 'function-source' },
      // Old packages are only needed for a rollback; keep a month of them.
      lifecycleRule: [{ action: { type: 'Delete' }, condition: { age: 30 } }],
    });
    this.object = new StorageBucketObject(this, 'object', {
      bucket: this.bucket.name,
      name: `functions/source-${asset.assetHash}.zip`,
      source: asset.path,
      contentType: 'application/zip',
    });
    this.repository = new ArtifactRegistryRepository(this, 'images', {
      project: props.projectId,
      location: props.region,
      repositoryId: `${props.namePrefix}-functions`,
      format: 'DOCKER',
      description: 'Images of the NYC taxi ELT functions, built by Cloud Build',
      labels: { ...props.labels, component: 'function-images' },
      // Every deploy pushes a new image; keep the last few for rollbacks.
      cleanupPolicies: [{ id: 'keep-recent', action: 'KEEP', mostRecentVersions: { keepCount: 5 } }, { id: 'delete-old', action: 'DELETE', condition: { olderThan: '2592000s' } }],
    });
    new StorageBucketIamMember(this, 'builder-reads-source', {
      bucket: this.bucket.name,
      role: 'roles/storage.objectViewer',
      member: props.builder,
    });
    new ArtifactRegistryRepositoryIamMember(this, 'builder-writes-images', {
      project: props.projectId,
      location: props.region,
      repository: this.repository.name,
      role: 'roles/artifactregistry.writer',
      member: props.builder,
    });
  }
}
