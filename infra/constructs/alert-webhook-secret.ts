/**
 * The Secret Manager secret holding the alert webhook URL. Terraform creates the secret, never a
 * value: add one with `gcloud secrets versions add` and pass its number as
 * `alert_webhook_secret_version` (the notify function pins that version).
 */
import { Construct } from 'constructs';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret/index.js';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member/index.js';

/** Props of {@link AlertWebhookSecret}. */
export interface AlertWebhookSecretProps {
  readonly projectId: string;
  readonly secretId: string;
  readonly labels: Record<string, string>;
  /** Members given roles/secretmanager.secretAccessor on this secret only (the notify account). */
  readonly accessors: readonly string[];
}

/** The secret and its IAM. */
export class AlertWebhookSecret extends Construct {
  readonly secret: SecretManagerSecret;

  constructor(scope: Construct, id: string, props: AlertWebhookSecretProps) {
    super(scope, id);
    this.secret = new SecretManagerSecret(this, 'secret', {
      project: props.projectId,
      secretId: props.secretId,
      replication: { auto: {} },
      labels: { ...props.labels, component: 'alerting' },
    });
    props.accessors.forEach((member, i) => {
      new SecretManagerSecretIamMember(this, `accessor-${i}`, {
        project: props.projectId,
        secretId: this.secret.secretId,
        role: 'roles/secretmanager.secretAccessor',
        member,
      });
    });
  }

  /** The secret's short ID. */
  get secretId(): string {
    return this.secret.secretId;
  }
}
