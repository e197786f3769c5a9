/**
 * The lake: a private bucket holding the raw release files (`raw/...`, kept for good: they are the
 * replayable source of every load) and transient objects (`leases/...` month locks, `tmp/...`
 * uploads in progress) that a lifecycle rule removes when abandoned.
 */
import { Construct } from 'constructs';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket/index.js';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member/index.js';

/** Prefixes of transient objects, deleted by lifecycle after {@link TRANSIENT_AGE_DAYS} days. */
export const TRANSIENT_PREFIXES = ['leases/', 'tmp/', '_incoming/'] as const;
/** Age after which a transient object is certainly abandoned (leases last hours, uploads minutes). */
export const TRANSIENT_AGE_DAYS = 7;

/** Props of {@link LakeBucket}. */
export interface LakeBucketProps {
  readonly projectId: string;
  readonly name: string;
  /** Same value as the dataset's location. */
  readonly location: string;
  readonly labels: Record<string, string>;
  /** Members given roles/storage.objectAdmin on this bucket only (the functions account). */
  readonly objectAdmins: readonly string[];
  readonly forceDestroy: boolean;
}

/** The lake bucket and its IAM. */
export class LakeBucket extends Construct {
  readonly bucket: StorageBucket;

  constructor(scope: Construct, id: string, props: LakeBucketProps) {
    super(scope, id);
    this.bucket = new StorageBucket(this, 'bucket', {
      project: props.projectId,
      name: props.name,
      location: props.location,
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      labels: { ...props.labels, component: 'lake' },
      forceDestroy: props.forceDestroy,
      // Raw files are never rewritten in place (a re-extract writes the same key); versioning would
      // only double the storage of replaced months.
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
      lifecycleRule: TRANSIENT_PREFIXES.map((prefix) => ({
        action: { type: 'Delete' },
        condition: { age: TRANSIENT_AGE_DAYS, matchesPrefix: [prefix] },
      })),
    });
    props.objectAdmins.forEach((member, i) => {
      new StorageBucketIamMember(this, `object-admin-${i}`, {
        bucket: this.bucket.name,
        role: 'roles/storage.objectAdmin',
        member,
      });
    });
  }

  /** The bucket's name. */
  get name(): string {
    return this.bucket.name;
  }
}
