/**
 * One service account per role, and the only project-level roles of the system (those that have no
 * narrower resource to bind to). Resource-level grants live with the resource they are on: the lake
 * bucket grants the functions account, the dataset grants it too, each function grants its invokers,
 * the secret grants the notify account.
 */
import { Construct } from 'constructs';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';

/** The roles the system runs as. */
export type Role = 'functions' | 'notify' | 'workflows' | 'scheduler' | 'builder' | 'landing';

/** Project-level roles per account: only roles that cannot be granted on a narrower resource. */
export const PROJECT_ROLES: Readonly<Record<Role, readonly string[]>> = {
  // BigQuery jobs are project resources: running a query needs jobUser on the project.
  functions: ['roles/bigquery.jobUser'],
  notify: [],
  // Child executions of ingest_month (backfill); workflows has no per-workflow IAM resource.
  workflows: ['roles/workflows.invoker', 'roles/logging.logWriter'],
  // The scheduler only starts executions.
  scheduler: ['roles/workflows.invoker'],
  // Cloud Build writes its build logs.
  builder: ['roles/logging.logWriter'],
  // The Eventarc trigger of landing/: receives the events and starts land_file executions, nothing else.
  landing: ['roles/eventarc.eventReceiver', 'roles/workflows.invoker'],
};

const DESCRIPTIONS: Readonly<Record<Role, string>> = {
  functions: 'Runs the extract, stage and merge functions: lake objects, warehouse tables, BigQuery jobs',
  notify: 'Runs the notify function: reads the alert webhook secret',
  workflows: 'Runs the ingest_month and backfill workflows: invokes the functions and child executions',
  scheduler: 'Cloud Scheduler: starts ingest_month executions',
  builder: 'Cloud Build: builds the function images',
  landing: 'Eventarc trigger of the lake\'s landing/ prefix: starts land_file executions',
};

/** Props of {@link ServiceAccounts}. */
export interface ServiceAccountsProps {
  readonly projectId: string;
  readonly namePrefix: string;
}

/** The five service accounts and their project-level roles. */
export class ServiceAccounts extends Construct {
  /** Accounts by role. */
  readonly accounts: Readonly<Record<Role, ServiceAccount>>;

  constructor(scope: Construct, id: string, props: ServiceAccountsProps) {
    super(scope, id);
    const roles = Object.keys(PROJECT_ROLES) as Role[];
    this.accounts = Object.fromEntries(
      roles.map((role) => [
        role,
        new ServiceAccount(this, role, {
          project: props.projectId,
          accountId: `${props.namePrefix}-${role}`,
          displayName: `NYC taxi ELT ${role}`,
          description: DESCRIPTIONS[role],
        }),
      ]),
    ) as Record<Role, ServiceAccount>;
    for (const role of roles) {
      for (const granted of PROJECT_ROLES[role]) {
        new ProjectIamMember(this, `${role}-${granted.replace(/^roles\//, '').replace(/\./g, '-')}`, {
          project: props.projectId,
          role: granted,
          member: this.member(role),
        });
      }
    }
  }

  /** IAM member string of a role's account: `serviceAccount:<email>`. */
  member(role: Role): string {
    return this.accounts[role].member;
  }

  /** Email of a role's account. */
  email(role: Role): string {
    return this.accounts[role].email;
  }
}
