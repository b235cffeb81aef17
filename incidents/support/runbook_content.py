"""The three runbooks the source document names (Documentation → Runbooks), written for this
product. Seeded by migration 0002 and refreshed by nothing: after seeding they are edited in the
admin (history keeps every version)."""

DEPLOYMENT = """\
# Deployment runbook

Applies to every production release of the API Marketplace: the **API Gateway**, **API Portal**,
**API Catalog**, **User Database** (schema changes) and **Analytics**. Releases are tracked in
Marketplace Ops under *Releases*; nothing reaches production without its record there.

## Release types and when they may ship

| Type | Version | Window | Notice to consumers |
|---|---|---|---|
| Major | X.0.0 | scheduled maintenance window | 1 month |
| Minor | 0.X.0 | scheduled maintenance window | 1 week |
| Patch | 0.0.X | scheduled maintenance window | 24 hours |
| Hotfix | 0.0.X-hotfix.Y | immediately (emergency) | as soon as possible |

Maintenance windows: **primary Sunday 01:00–05:00 UTC**, **secondary Wednesday 01:00–03:00 UTC**.
Emergency fixes may ship at any time, with a status-page notice.

## Pre-deployment checklist

1. The release record shows code review, test, staging and UAT passed, and the required approvals
   (product, engineering; security for anything touching authentication, keys or tokens; the
   Change Advisory Board for major releases).
2. The deployment falls inside a window the release's policy allows (the console refuses
   otherwise and names the next window).
3. The consumer notice period is met (check *Releases → notice sent at*).
4. A **backup** of every affected data store finished less than 24 hours ago and its last
   restore test passed (*Backups*). For User Database migrations take a fresh full backup now.
5. No open critical or high incident on an affected component (*Incidents*, filter "open").
6. The rollback artefact (previous image tag, previous configuration version) is known and
   written on the release record.
7. On-call is aware: the deployer posts "deploying <component> <version>" in the incident-response
   channel.

## Deployment steps

1. Move the release to **deploying** in Marketplace Ops. While it deploys, alerts for its
   components are recorded but page nobody.
2. Roll out **staged**: one gateway node / one portal replica first, watch 10 minutes, then the rest.
3. Apply database migrations before the code that needs them; migrations must be
   backwards-compatible with the running version (expand, then contract in a later release).
4. Configuration changes go through *Configuration* (versioned, validated), never by hand on a host.

## Verification

- Gateway: 5xx rate and p95 latency back to their pre-deployment baseline within 10 minutes;
  `GET /healthz` green on every node; a test consumer key can call a catalogued API.
- Portal: sign-in, key creation and the docs pages load; no new errors in the logs.
- Catalog: search returns results; the API count matches the count before the release.
- Analytics: the next ingestion batch completes.
- Mark the release **deployed** and post the release announcement.

## Rollback

Roll back when verification fails, error rates exceed twice the baseline for 5 minutes, or a
critical defect is found. Rolling back never needs an approval.

1. Move the release to **rolled back** in the console and give the reason.
2. Redeploy the previous image / artefact; restore the previous configuration version.
3. If a migration ran and cannot be reversed safely, stop and open a **high** incident; restore
   only with the backup and recovery runbook.
4. Verify as above, then tell consumers what happened if they saw any impact.
"""

BACKUP_RECOVERY = """\
# Backup and recovery runbook

Backups are planned, verified and restored in Marketplace Ops under *Backups*. Recovery targets:

| Component | RTO | RPO |
|---|---|---|
| API Gateway | 15 minutes | 5 minutes |
| API Portal | 30 minutes | 1 hour |
| API Catalog | 1 hour | 1 hour |
| User Database | 30 minutes | 5 minutes |
| Analytics | 2 hours | 1 hour |

## Backup procedures

- **Databases** (User Database, Catalog, Analytics): daily full backup, hourly incremental; the
  User Database also ships its write-ahead log continuously to meet its 5-minute RPO.
- **Configuration** (gateway routes, rate limits, portal settings): a backup after every change
  (the configuration app versions every change).
- **File storage** (portal assets, API specifications): daily full, hourly incremental.
- **Retention**: daily backups 30 days, weekly 3 months, monthly 1 year, yearly 7 years.
- Offsite copies go to the second region; backup encryption keys are kept apart from the backups.

## Verification procedures

1. Every backup records size, checksum and duration; a failed or missing backup raises an alert,
   and a missed RPO opens an incident automatically.
2. Weekly: restore the latest User Database backup into a scratch instance, run the integrity
   checks (row counts per table against the source, foreign keys, a sample of API keys validating)
   and record the result on the backup.
3. Monthly: the same for Catalog and Analytics; quarterly: a full disaster-recovery rehearsal.

## Recovery procedures

### Data corruption
1. Open an incident (high or critical) and stop writes to the affected data (put the portal in
   read-only mode, or pause the job that corrupts).
2. Find the last valid point in time (before the bad deploy, job or query).
3. Restore that backup (plus WAL to the exact time for the User Database) into a **new** instance;
   never restore over the only copy.
4. Validate: integrity checks, spot checks with the reporter, application smoke tests.
5. Switch the application to the restored instance; resume writes; record the data-loss window.

### System failure
1. Fail over to the standby (gateway nodes behind the load balancer; database replica promotion).
2. Restore configuration from the latest configuration version.
3. Restore data if the standby is behind its RPO.
4. Validate system functionality with the deployment runbook's verification list.

### Disaster recovery
1. Declare a critical incident; the incident commander decides on failover to the DR region.
2. Restore from the offsite backups in the DR region, in RTO order: User Database and Gateway
   first, then Portal, Catalog, Analytics.
3. Redirect traffic (DNS / global load balancer) and watch error rates.
4. Validate functionality; communicate on the status page every hour until resolved.

## Testing procedures

- Every restore test is recorded with who, when, what, how long (compare with the RTO) and the
  result. A failed test is a high incident until a passing test follows.
- After any real recovery, the post-incident review checks whether RTO and RPO were met.
"""

INCIDENT_RESPONSE = """\
# Incident response runbook

Incidents live in Marketplace Ops under *Incidents*. Support tickets that describe an outage are
linked to the incident (open or join it from the ticket).

## Incident classification

| Severity | Meaning | Response | Resolution | Updates |
|---|---|---|---|---|
| Critical | Service unavailable or severe impact (gateway down, logins failing for all) | 30 minutes | 4 hours | hourly |
| High | Significant impact, no workaround (one region down, key creation failing) | 2 hours | 8 hours | every 4 hours |
| Medium | Limited impact, a workaround exists (slow catalog search) | 4 hours | 24 hours | daily |
| Low | Minimal impact or cosmetic | 8 hours | 5 business days | as needed |

When unsure between two severities, choose the higher one and lower it later; a severity change
recomputes the clocks from detection.

## Response procedures

1. **Acknowledge** (move to *investigating*): the response clock stops. Critical and high
   incidents page the on-call engineer at once and notify the incident-response group.
2. **Assign an incident commander** (required for critical and high before leaving
   investigating). The commander coordinates; others fix.
3. **Diagnose**: check recent releases (a *deploying* or just-deployed release is the first
   suspect), configuration changes, maintenance windows, and the alerts grouped on the incident.
4. **Contain**: roll back the release, fail over, rate-limit the abusive consumer, or disable the
   broken feature — restore service first, find the root cause later.
5. **Resolve** when service is back and stable for 15 minutes; **close** after the post-incident
   review (required for critical and high).

## Communication templates

- **Investigating**: "We are investigating reports of {impact} affecting {components}. Next
  update within {update interval}."
- **Identified**: "We have identified the cause of {impact}: {cause}. We are working on a fix.
  Next update within {update interval}."
- **Monitoring**: "A fix has been applied and we are monitoring the results."
- **Resolved**: "The issue affecting {components} has been resolved. Between {start} and {end}
  {impact}. We apologise for the disruption."

Public updates go to the status page; email to affected consumers goes to the subscribers of the
affected components; internal updates go to staff groups. A public update resets the update clock.

## Escalation procedures

- No acknowledgement within the policy's first step: the on-call engineer is paged again.
- Next step: the incident-response group; after that the duty manager.
- SLA breach: the assignee and the manager are notified; overdue update: the commander is reminded.
- Support tickets escalate L1 → L2 (advanced troubleshooting, configuration, performance,
  integrations) → L3 (code-level debugging, architecture, third-party integrations), always with
  a reason; premium customers' dedicated engineers are told of every step.
"""

RUNBOOKS = [
    ("deployment-runbook", "Deployment runbook",
     "Pre-deployment checklist, staged deployment, verification and rollback for every component.", DEPLOYMENT),
    ("backup-and-recovery-runbook", "Backup and recovery runbook",
     "Backup, verification, recovery (corruption, failure, disaster) and restore-testing procedures.",
     BACKUP_RECOVERY),
    ("incident-response-runbook", "Incident response runbook",
     "Classification, response, communication templates and escalation.", INCIDENT_RESPONSE),
]
