/**
 * One Cloud Scheduler job from the shared schedule definition (`functions/src/domain/schedules.ts`):
 * at the schedule's cron, in its time zone, it POSTs to the Workflow Executions API to start the
 * ingest workflow with the schedule's argument, authenticated with an OAuth token of the scheduler
 * service account (whose only role is roles/workflows.invoker).
 */
import { Construct } from 'constructs';
import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job/index.js';
import type { Schedule } from '../../functions/src/domain/schedules.js';

/** Retry settings: the call only creates an execution, so a few spaced retries cover API blips. */
export const SCHEDULER_RETRY = {
  retryCount: 3,
  minBackoffDuration: '60s',
  maxBackoffDuration: '600s',
  maxDoublings: 3,
  maxRetryDuration: '3600s',
} as const;

/** `https://workflowexecutions.googleapis.com/v1/projects/P/locations/L/workflows/W/executions` */
export function executionsUrl(projectId: string, region: string, workflow: string): string {
  return `https://workflowexecutions.googleapis.com/v1/projects/${projectId}/locations/${region}/workflows/${workflow}/executions`;
}

/**
 * Body of the create-execution call: the workflow argument is a JSON string inside JSON,
 * `{"argument":"{\"taxi\":\"green\"}"}`.
 */
export function executionBody(argument: unknown): string {
  return JSON.stringify({ argument: JSON.stringify(argument) });
}

/** Props of {@link SchedulerJob}. */
export interface SchedulerJobProps {
  readonly projectId: string;
  readonly region: string;
  readonly name: string;
  readonly schedule: Schedule;
  /** Workflow name (a Terraform reference, so the job waits for the workflow). */
  readonly workflow: string;
  readonly serviceAccountEmail: string;
}

/** The job. */
export class SchedulerJob extends Construct {
  readonly job: CloudSchedulerJob;

  constructor(scope: Construct, id: string, props: SchedulerJobProps) {
    super(scope, id);
    this.job = new CloudSchedulerJob(this, 'job', {
      project: props.projectId,
      region: props.region,
      name: props.name,
      description: props.schedule.description,
      schedule: props.schedule.cron,
      timeZone: props.schedule.timeZone,
      attemptDeadline: '60s',
      retryConfig: { ...SCHEDULER_RETRY },
      httpTarget: {
        httpMethod: 'POST',
        uri: executionsUrl(props.projectId, props.region, props.workflow),
        body: Buffer.from(executionBody(props.schedule.argument), 'utf8').toString('base64'),
        headers: { 'Content-Type': 'application/json' },
        oauthToken: {
          serviceAccountEmail: props.serviceAccountEmail,
          scope: 'https://www.googleapis.com/auth/cloud-platform',
        },
      },
    });
  }
}
