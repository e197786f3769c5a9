/**
 * Event-driven loads: an object finalized under the lake's `landing/` prefix starts the `land_file`
 * workflow.
 *
 * Eventarc's direct Cloud Storage events can be filtered on the bucket only (path patterns apply to
 * audit-log events, which need data-access logging), so the prefix filter is the bucket's own Pub/Sub
 * notification (`object_name_prefix`), and the Eventarc trigger routes that topic's messages to the
 * workflow. An upload to `raw/`, `loads/` or `leases/` publishes nothing and starts nothing.
 * (`landing/rejected/` is under the prefix: the workflow itself ignores it, so moving a rejected file
 * there does not start another execution.)
 */
import { Construct } from 'constructs';
import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account/index.js';
import { EventarcTrigger } from '@cdktf/provider-google/lib/eventarc-trigger/index.js';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic/index.js';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member/index.js';
import { StorageNotification } from '@cdktf/provider-google/lib/storage-notification/index.js';

/** The CloudEvent type Eventarc delivers for a message published to a topic. */
export const PUBSUB_MESSAGE_EVENT = 'google.cloud.pubsub.topic.v1.messagePublished';

/** Props of {@link LandingTrigger}. */
export interface LandingTriggerProps {
  readonly projectId: string;
  readonly region: string;
  readonly namePrefix: string;
  /** The lake bucket's name. */
  readonly bucket: string;
  /** The object name prefix that loads: `landing/`. */
  readonly prefix: string;
  /** The `land_file` workflow's id (`projects/.../workflows/...`). */
  readonly workflowId: string;
  /** The trigger's own account (workflows.invoker and eventarc.eventReceiver only). */
  readonly serviceAccountEmail: string;
  readonly labels: Record<string, string>;
}

/** Topic, bucket notification filtered to the prefix, and the Eventarc trigger to the workflow. */
export class LandingTrigger extends Construct {
  readonly topic: PubsubTopic;
  readonly notification: StorageNotification;
  readonly trigger: EventarcTrigger;

  constructor(scope: Construct, id: string, props: LandingTriggerProps) {
    super(scope, id);
    this.topic = new PubsubTopic(this, 'topic', {
      project: props.projectId,
      name: `${props.namePrefix}-landing`,
      labels: { ...props.labels, component: 'landing' },
      // An event nobody consumed within a day is stale: the file is still in landing/ to copy again.
      messageRetentionDuration: '86400s',
    });
    // The bucket's service agent publishes the notifications: on this topic only.
    const agent = new DataGoogleStorageProjectServiceAccount(this, 'storage-agent', { project: props.projectId });
    const publisher = new PubsubTopicIamMember(this, 'storage-agent-publisher', {
      project: props.projectId,
      topic: this.topic.name,
      role: 'roles/pubsub.publisher',
      member: `serviceAccount:${agent.emailAddress}`,
    });
    this.notification = new StorageNotification(this, 'notification', {
      bucket: props.bucket,
      topic: this.topic.id,
      payloadFormat: 'JSON_API_V1',
      eventTypes: ['OBJECT_FINALIZE'],
      objectNamePrefix: props.prefix,
      dependsOn: [publisher],
    });
    this.trigger = new EventarcTrigger(this, 'trigger', {
      project: props.projectId,
      location: props.region,
      name: `${props.namePrefix}-land-file`,
      labels: { ...props.labels, component: 'landing' },
      matchingCriteria: [{ attribute: 'type', value: PUBSUB_MESSAGE_EVENT }],
      transport: { pubsub: { topic: this.topic.id } },
      destination: { workflow: props.workflowId },
      serviceAccount: props.serviceAccountEmail,
    });
  }
}
