"""A seeded generator of realistic postmortem repositories, for benchmarks.

    python bench/corpus.py DEST --count 10000 --seed 1

writes DEST/mortem.toml and DEST/postmortems/<id>.md (3-6 KB each, about five years of
incidents of a fictional company), then commits them as one git commit. The same seed
gives the same bytes and the same commit id, so benchmark numbers can be compared
across machines and runs.

The text is assembled from incident scenarios written for this file: each scenario is
one kind of failure (a bad deploy, a slow dependency, a full disk...) with a coherent
chain of whys, factors and action items, and placeholders that numbers, services and
people fill in. About one file in ten blames a person, and a few have vague action
items, so that the linter has something to find at scale.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from random import Random

__all__ = ["generate", "main"]

# A fixed "today", not the clock: the corpus must not change from one day to the next.
END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = END.date()
YEARS = 5
MIN_BYTES = 3_100
MAX_BYTES = 5_950

DISCLAIMER = (
    "> This postmortem is blameless: it looks at how the system and our processes "
    "allowed the incident, not at who did what."
)
# Fixed author and dates make the commit id reproducible, not only the files.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "mortem corpus",
    "GIT_AUTHOR_EMAIL": "corpus@example.com",
    "GIT_AUTHOR_DATE": "2026-11-26T12:00:00+00:00",
    "GIT_COMMITTER_NAME": "mortem corpus",
    "GIT_COMMITTER_EMAIL": "corpus@example.com",
    "GIT_COMMITTER_DATE": "2026-11-26T12:00:00+00:00",
}

# --- the company ------------------------------------------------------------------

TEAMS: dict[str, list[tuple[str, str, str]]] = {
    "payments": [
        ("aiko", "Aiko Tanaka", "team-lead"),
        ("bram", "Bram de Vries", "engineer"),
        ("carmen", "Carmen Ruiz", "engineer"),
        ("dmitri", "Dmitri Volkov", "engineer"),
        ("efua", "Efua Asante", "engineer"),
    ],
    "storefront": [
        ("felix", "Felix Brandt", "team-lead"),
        ("gita", "Gita Sharma", "engineer"),
        ("hugo", "Hugo Lambert", "engineer"),
        ("ilse", "Ilse Janssen", "engineer"),
        ("jamal", "Jamal Carter", "engineer"),
    ],
    "search": [
        ("kaori", "Kaori Sato", "team-lead"),
        ("liam", "Liam O'Brien", "engineer"),
        ("maya", "Maya Goldberg", "engineer"),
        ("nils", "Nils Eriksson", "engineer"),
    ],
    "fulfilment": [
        ("olga", "Olga Nowak", "team-lead"),
        ("pablo", "Pablo Herrera", "engineer"),
        ("quinn", "Quinn Murphy", "engineer"),
        ("rosa", "Rosa Bianchi", "engineer"),
        ("stefan", "Stefan Horvat", "engineer"),
    ],
    "identity": [
        ("tariq", "Tariq Aziz", "team-lead"),
        ("uma", "Uma Krishnan", "engineer"),
        ("viktor", "Viktor Lind", "engineer"),
        ("wen", "Wen Zhou", "engineer"),
    ],
    "data": [
        ("xenia", "Xenia Popescu", "team-lead"),
        ("yusuf", "Yusuf Demir", "engineer"),
        ("zara", "Zara Ahmed", "engineer"),
        ("anton", "Anton Weber", "engineer"),
    ],
    "platform": [
        ("beatriz", "Beatriz Lima", "team-lead"),
        ("chidi", "Chidi Nwosu", "sre"),
        ("dagny", "Dagny Solberg", "sre"),
        ("emre", "Emre Kaya", "sre"),
        ("fiona", "Fiona Walsh", "sre"),
        ("gustavo", "Gustavo Pereira", "manager"),
    ],
    "support": [
        ("hana", "Hana Kim", "support"),
        ("ivan", "Ivan Petrov", "support"),
        ("julia", "Julia Schmidt", "manager"),
    ],
}
PEOPLE = {key: (name, team, role) for team, ms in TEAMS.items() for key, name, role in ms}
FIRST_NAMES = {key: name.split()[0] for key, (name, _, _) in PEOPLE.items()}
REVIEWERS = [k for k, (_, _, role) in PEOPLE.items() if role in ("team-lead", "manager")]
SRES = [k for k, (_, _, role) in PEOPLE.items() if role == "sre"]
ENGINEERS = {t: [k for k, _, r in ms if r in ("engineer", "team-lead")] for t, ms in TEAMS.items()}

SERVICES: dict[str, str] = {
    "checkout-api": "storefront",
    "web-frontend": "storefront",
    "mobile-api": "storefront",
    "cart-service": "storefront",
    "payments-api": "payments",
    "billing": "payments",
    "fraud-scoring": "payments",
    "refunds": "payments",
    "search": "search",
    "catalog": "search",
    "recommendations": "search",
    "warehouse-sync": "fulfilment",
    "label-service": "fulfilment",
    "tracking-api": "fulfilment",
    "returns": "fulfilment",
    "auth": "identity",
    "notifications": "identity",
    "admin-console": "identity",
    "ingest-pipeline": "data",
    "reporting": "data",
    "webhooks": "data",
    "gateway": "platform",
    "media-service": "platform",
}
SERVICE_NAMES = list(SERVICES)
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"]
OFFSETS = [(1, 0), (2, 0), (-5, 0), (-8, 0), (9, 0), (5, 30)]  # hours, minutes
SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]
SEVERITY_WEIGHTS = [8, 30, 42, 20]

# --- the scenarios ----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One kind of failure, told the way an SRE team would write it up."""

    tags: tuple[str, ...]
    deps: tuple[str, ...]
    titles: tuple[str, ...]
    trigger: tuple[str, ...]
    steps: tuple[str, ...]
    mitigation: tuple[str, ...]
    resolution: tuple[str, ...]
    whys: tuple[tuple[str, str], ...]
    factors: tuple[tuple[str, str], ...]
    actions: tuple[tuple[str, str], ...]
    summary: str
    narrative: tuple[str, ...]
    root_cause: str
    lessons: tuple[str, ...]
    logs: tuple[str, ...]
    impact: str = (
        "{pct}% of requests to {svc} failed for {dur}; about {n_req} requests "
        "from {n_cust} customers were affected."
    )


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        tags=("deploy", "regression", "rollback"),
        deps=("postgres", "redis", "kafka"),
        titles=(
            "{svc} {ver} returned errors for {pct}% of requests",
            "A regression in {svc} {ver} broke requests that carry {flag}",
            "Rolling out {svc} {ver} caused {dur} of failed requests",
        ),
        trigger=(
            "{svc} {ver} rolls out to all instances in {region}.",
            "Deploy of {svc} {ver} completes; error rate starts to climb.",
        ),
        steps=(
            "Error logs show a null reference in the request handler added in {ver}.",
            "Canary dashboards reviewed; the canary took only {pct2}% of traffic and showed no errors.",
            "Diff between {prev_ver} and {ver} narrowed to the change in request parsing.",
            "Rollback to {prev_ver} started; it takes {minutes} minutes across {nodes} instances.",
        ),
        mitigation=(
            "Rollback to {svc} {prev_ver} complete; error rate back under 0.5%.",
            "Feature flag {flag} switched off; the failing code path is no longer used.",
        ),
        resolution=(
            "Fixed release {svc} {fix_ver} deployed through a staged rollout.",
            "Error rate at baseline for 30 minutes; incident closed.",
        ),
        whys=(
            ("Why did requests fail?", "{svc} {ver} threw an error on requests that carry {flag}."),
            (
                "Why did the new version fail on those requests?",
                "A refactor assumed the field is always present, and it is optional for older clients.",
            ),
            (
                "Why did tests not catch it?",
                "The test fixtures are all generated by the current client, which always sends the field.",
            ),
            (
                "Why did the canary not catch it?",
                "The canary took {pct2}% of traffic for 10 minutes, too little to include many old clients.",
            ),
            (
                "Why is the canary that small and short?",
                "It was sized in a year when deploys were rare, and nobody revisited it as traffic grew.",
            ),
        ),
        factors=(
            ("testing", "Fixtures cover only what the current client sends."),
            (
                "deployment",
                "The canary stage is too short and too small to see rare request shapes.",
            ),
            ("monitoring", "Error rate is not compared between canary and baseline instances."),
            ("process", "No checklist item for backward compatibility with older clients."),
            ("alerting", "The error-rate alert waits {detect} minutes before paging."),
        ),
        actions=(
            (
                "Add contract tests built from a sample of real requests from every client version.",
                "prevent",
            ),
            ("Run the canary at 10% of traffic for 30 minutes before full rollout.", "prevent"),
            (
                "Compare canary and baseline error rates and stop the rollout automatically.",
                "detect",
            ),
            ("Make rollbacks of {svc} take under 5 minutes.", "mitigate"),
            ("Add a backward-compatibility question to the pull-request template.", "process"),
            ("Page on {svc} error rate above 2% for 3 minutes.", "detect"),
            ("Log the client version with every failed request.", "detect"),
        ),
        summary=(
            "Release {ver} of {svc} failed on requests from older clients. It passed tests and "
            "the canary, reached every instance, and failed about {pct}% of requests until it "
            "was rolled back {dur} later."
        ),
        narrative=(
            "The deploy finished at the start of the incident and the error rate rose within "
            "a minute, so the connection to the release was clear early.",
            "The canary had looked clean because old clients are a small share of traffic, and "
            "{pct2}% of traffic for ten minutes contained almost none of them.",
            "Rolling back took longer than it should have because each of the {nodes} instances "
            "drains connections for a minute before it restarts.",
        ),
        root_cause=(
            "A change that was safe for current clients and unsafe for old ones, tested only "
            "against current clients. The canary could not see the difference at its size."
        ),
        lessons=(
            "Test with the requests you actually get, not the ones you expect.",
            "A canary is only as good as the traffic it sees.",
            "Fast rollback is the best mitigation we have; measure it.",
        ),
        logs=(
            "{ts} {svc} ERROR request failed: field {flag} missing (client=v{old_client})",
            "{ts} {svc} ERROR handler panicked: nil pointer in parseOptions",
            "{ts} gateway WARN upstream {svc} returned 500 for POST /v2/orders",
        ),
    ),
    Scenario(
        tags=("dependency", "timeouts", "connection-pool"),
        deps=("the payment provider", "the tax provider", "the carrier API", "the SMS provider"),
        titles=(
            "{svc} timed out while {dep} was slow",
            "A slow response from {dep} exhausted the {svc} worker pool",
            "Requests to {svc} queued behind calls to {dep}",
        ),
        trigger=(
            "{dep} p99 latency rises from {lat_ok} ms to {lat_bad} s.",
            "{dep} starts answering a third of requests after {lat_bad} s.",
        ),
        steps=(
            "All {limit} workers of {svc} are waiting on {dep}; other requests queue behind them.",
            "{dep} confirms degraded performance on their status page.",
            "Thread dumps show every worker blocked in the {dep} client with a {timeout} s timeout.",
            "Calls to {dep} disabled by feature flag; requests that need it get a clear error.",
        ),
        mitigation=(
            "Timeout to {dep} lowered to 2 s by config; the pool recovers.",
            "{dep} calls moved behind a circuit breaker; other requests succeed again.",
        ),
        resolution=(
            "{dep} latency back to normal; the flag is removed and queued work retried.",
            "{dep} reports full recovery; error rate at baseline.",
        ),
        whys=(
            (
                "Why did {svc} fail requests?",
                "Its workers were all waiting on {dep}, so new requests queued until they timed out.",
            ),
            (
                "Why could one dependency take every worker?",
                "The pool is shared by all outbound calls, with no limit per dependency.",
            ),
            (
                "Why did the calls wait so long?",
                "The client timeout was {timeout} s, far above the {lat_ok} ms a healthy call takes.",
            ),
            (
                "Why was the timeout so long?",
                "It was copied from {dep}'s documentation of its worst case, not from what we need.",
            ),
            (
                "Why was there no fallback?",
                "The design assumed {dep} is always fast, and no one had tested it slow.",
            ),
        ),
        factors=(
            ("dependency", "One slow dependency could hold every worker of {svc}."),
            ("configuration", "A {timeout} s timeout on a call whose healthy p99 is {lat_ok} ms."),
            ("testing", "No test of {svc} with {dep} slow rather than down."),
            (
                "alerting",
                "No alert on pool saturation; the first page came after {detect} minutes.",
            ),
            ("capacity", "The pool of {limit} workers had no headroom for slow calls."),
        ),
        actions=(
            (
                "Give each outbound dependency of {svc} its own pool, capped at a quarter of workers.",
                "prevent",
            ),
            ("Set client timeouts from measured p99 latency, at most 3x.", "prevent"),
            (
                "Add a circuit breaker around {dep} that opens at 20% errors for 1 minute.",
                "mitigate",
            ),
            ("Page on worker pool saturation above 80% for 5 minutes.", "detect"),
            ("Inject latency into {dep} calls in the weekly resilience test.", "detect"),
            ("Document how to disable {dep} calls in the {svc} runbook.", "process"),
            ("Ask {dep} for advance notice of maintenance through the partner channel.", "process"),
        ),
        summary=(
            "{dep} slowed down, and {svc} waited on it with a long timeout. Within minutes every "
            "worker was busy waiting, and requests that did not need {dep} failed too."
        ),
        narrative=(
            "The dashboards showed {svc} healthy by CPU and memory, which delayed the diagnosis: "
            "the workers were idle, waiting on sockets.",
            "Once thread dumps pointed at the {dep} client, the fix was a config change, "
            "which went out in {minutes} minutes.",
            "{dep} recovered on their own schedule; our part of the incident ended when we "
            "stopped letting their latency become ours.",
        ),
        root_cause=(
            "A shared, unbounded resource met a slow dependency. Long timeouts turned latency "
            "into saturation, and the shared pool turned one dependency's problem into a full outage."
        ),
        lessons=(
            "Bulkheads are cheaper than outages.",
            "Slow is worse than down; test for slow.",
            "Healthy CPU does not mean a healthy service.",
        ),
        logs=(
            "{ts} {svc} WARN pool exhausted: active={limit} queued={depth} waiting_on={dep_key}",
            "{ts} {svc} ERROR call to {dep_key} timed out after {timeout}000 ms",
            "{ts} gateway WARN upstream {svc} timeout after 10000 ms",
        ),
    ),
    Scenario(
        tags=("capacity", "autoscaling", "peak"),
        deps=("postgres", "the load balancer", "the connection pooler"),
        titles=(
            "{svc} ran out of capacity at {x}x normal traffic",
            "A traffic peak pushed {svc} past its scaling ceiling",
            "{svc} rejected requests during a marketing campaign peak",
        ),
        trigger=(
            "Traffic to {svc} reaches {x}x the weekday peak; instances hit the ceiling of {nodes}.",
            "A campaign email goes to 2 million buyers; {svc} traffic triples in five minutes.",
        ),
        steps=(
            "Scaling ceiling raised from {nodes} to {nodes2}; new instances fail their readiness checks.",
            "{dep} refuses new connections; its limit was sized for {nodes} instances.",
            "Connection limit of {dep} raised; new instances become ready.",
            "Marketing team asked to pause the second campaign wave.",
        ),
        mitigation=(
            "{svc} running on {nodes2} instances; error rate under 1%.",
            "Load shedding of non-critical endpoints turned on; core requests succeed.",
        ),
        resolution=(
            "Traffic back to normal levels; ceiling kept at the new value.",
            "Error rate at baseline for 30 minutes; incident closed.",
        ),
        whys=(
            (
                "Why did {svc} reject requests?",
                "All {nodes} instances were at full CPU and requests queued past the gateway timeout.",
            ),
            (
                "Why could it not scale further?",
                "The autoscaling ceiling of {nodes} was set two years ago for a third of today's peak.",
            ),
            (
                "Why did raising the ceiling not help at once?",
                "Every new instance opens connections to {dep}, whose limit was sized for the old ceiling.",
            ),
            (
                "Why were these limits not known?",
                "No list of hard limits exists across services; each team knows its own.",
            ),
            (
                "Why was the peak not expected?",
                "Campaign sends are not shared with engineering ahead of time.",
            ),
        ),
        factors=(
            ("capacity", "Scaling ceiling and {dep} limits sized for an old peak."),
            ("communication", "Engineering did not know about the campaign send."),
            ("testing", "Load tests stop at 2x normal traffic."),
            ("process", "No periodic review of hard limits across services."),
            ("alerting", "No alert when a service is near its scaling ceiling."),
        ),
        actions=(
            ("Set scaling ceilings of {svc} from a forecast of 3x the last peak.", "prevent"),
            ("Alert at 80% of any scaling ceiling for 10 minutes.", "detect"),
            ("Share the campaign calendar with the on-call rota a week ahead.", "process"),
            ("Load-test {svc} with {dep} at 4x normal traffic every quarter.", "detect"),
            ("Keep a list of hard limits per service, reviewed every quarter.", "process"),
            ("Shed non-critical endpoints automatically above 85% CPU.", "mitigate"),
        ),
        summary=(
            "Traffic to {svc} reached {x} times its usual peak. The service hit its scaling "
            "ceiling, and raising the ceiling exposed a second limit in {dep}. It took {dur} to clear both."
        ),
        narrative=(
            "The alert fired quickly and the cause was plain on the dashboard: every instance at "
            "full CPU and the instance count flat at the ceiling.",
            "Raising the ceiling produced new instances that could not get a connection to {dep}, "
            "which is the part that took longest to understand.",
            "The traffic came from a campaign email that engineering did not know about.",
        ),
        root_cause=(
            "Two hard limits, each reasonable when it was set, were coupled: scaling {svc} "
            "multiplies connections to {dep}. Nobody owned the list of limits across services."
        ),
        lessons=(
            "A limit raised in a hurry shows you the next limit.",
            "Know your ceilings before traffic finds them.",
            "Talk to marketing before they talk to your servers.",
        ),
        logs=(
            "{ts} autoscaler INFO {svc}: desired={nodes2} max={nodes} current={nodes}",
            "{ts} {svc} ERROR could not acquire connection: too many clients already",
            "{ts} gateway WARN upstream {svc} 503 rate={pct}%",
        ),
    ),
    Scenario(
        tags=("configuration", "config-push"),
        deps=("the feature-flag service", "the config store", "the gateway"),
        titles=(
            "A configuration change took {svc} down for {dur}",
            "A mistyped value in {svc} config broke requests in {region}",
            "{svc} failed after a config push with a wrong unit",
        ),
        trigger=(
            "Config change to {svc} applied in all regions at once.",
            "Config push changes {setting} for {svc} from {old_value} to {new_value}.",
        ),
        steps=(
            "Recent changes reviewed; the config push is the only change in the last hour.",
            "Config history in {dep} shows the value {new_value} for {setting}.",
            "Previous config restored in one region to confirm the cause.",
            "{svc} instances restarted to pick up the restored config.",
        ),
        mitigation=(
            "Previous config restored everywhere; errors stop.",
            "{setting} reset to {old_value}; {svc} healthy again.",
        ),
        resolution=(
            "All instances confirmed on the restored config.",
            "Error rate at baseline; config change process discussed in the incident channel.",
        ),
        whys=(
            (
                "Why did {svc} fail?",
                "{setting} was set to {new_value}, which made every request fail validation.",
            ),
            (
                "Why was it set to that value?",
                "The change meant {new_value} in milliseconds, and the key is read in seconds.",
            ),
            (
                "Why was the unit not clear?",
                "The config stores durations as bare numbers, with the unit only in the documentation.",
            ),
            (
                "Why did validation not reject it?",
                "Config is checked for type, not for sensible ranges.",
            ),
            (
                "Why did it reach every region at once?",
                "Config pushes skip the staged rollout that code deploys use.",
            ),
        ),
        factors=(
            ("configuration", "Durations stored as bare numbers without units."),
            ("deployment", "Config changes go to every region at once."),
            ("testing", "No range checks on config values."),
            ("documentation", "The unit of {setting} was documented only in a wiki page."),
        ),
        actions=(
            ("Read durations as strings with units and reject bare numbers.", "prevent"),
            ("Roll out config changes region by region with a 10-minute pause.", "prevent"),
            ("Add range checks for every numeric setting of {svc}.", "prevent"),
            ("Show a diff of the effective config in the pull request.", "detect"),
            ("Alert on error-rate increases within 15 minutes of any config push.", "detect"),
            ("Document a one-command config rollback in the {svc} runbook.", "mitigate"),
        ),
        summary=(
            "A config change set {setting} on {svc} to a value in the wrong unit. It went to "
            "every region at once and broke about {pct}% of requests for {dur}."
        ),
        narrative=(
            "The config push was the only change in the hour before the errors, so it was "
            "suspected early; confirming it took a partial rollback in one region.",
            "The value looked right to its author and to its reviewer, because both read the "
            "number with the unit they expected.",
            "Restoring the old config was quick, but instances only read config at startup, so "
            "a restart of all {nodes} instances was needed.",
        ),
        root_cause=(
            "Units lived outside the value, and config changes skipped the staged rollout that "
            "code gets. Either one on its own would have limited the damage."
        ),
        lessons=(
            "Put units in the value, not in the documentation.",
            "Config is code: stage it, test it, make it easy to undo.",
        ),
        logs=(
            "{ts} {svc} INFO config reloaded: {setting}={new_value}",
            "{ts} {svc} ERROR request rejected: deadline exceeded before start",
            "{ts} {svc} ERROR request rejected: deadline exceeded before start",
        ),
    ),
    Scenario(
        tags=("certificates", "expiry", "tls"),
        deps=("the internal CA", "the certificate store", "the SAML identity provider"),
        titles=(
            "An expired certificate broke {svc} for {dur}",
            "{svc} calls failed when a client certificate expired",
            "A certificate renewal that never happened stopped {svc}",
        ),
        trigger=(
            "The certificate used by {svc} expires at midnight UTC.",
            "The client certificate for calls from {svc} to {svc2} expires.",
        ),
        steps=(
            "TLS handshake errors found in {svc} logs: certificate has expired.",
            "The renewal job is found disabled since a migration of {dep}.",
            "New certificate issued by hand from {dep}.",
            "{svc} instances restarted to load the new certificate.",
        ),
        mitigation=(
            "New certificate deployed; handshakes succeed.",
            "{svc} calls to {svc2} succeed with the new certificate.",
        ),
        resolution=(
            "Renewal job re-enabled and tested with a short-lived certificate.",
            "All instances confirmed on the new certificate; incident closed.",
        ),
        whys=(
            (
                "Why did {svc} fail?",
                "Its TLS handshakes failed because its certificate had expired.",
            ),
            (
                "Why had it expired?",
                "The automatic renewal job had been disabled for {cert_days} days.",
            ),
            (
                "Why was the job disabled?",
                "It was turned off during the migration of {dep} and not turned back on.",
            ),
            (
                "Why did nothing warn us?",
                "Expiry monitoring covers public endpoints only, not internal certificates.",
            ),
            (
                "Why only public endpoints?",
                "The monitor probes URLs, and internal certificates have no public URL to probe.",
            ),
        ),
        factors=(
            ("process", "The migration checklist did not include re-enabling the renewal job."),
            ("monitoring", "No expiry monitoring for internal certificates."),
            ("documentation", "Renewing by hand was not documented, which cost {minutes} minutes."),
            ("security", "Certificates valid for a year, so renewal is rare and easy to forget."),
        ),
        actions=(
            ("Alert 21 days before any certificate in the store expires.", "detect"),
            ("Check that every renewal job ran in the last 7 days.", "detect"),
            ("Shorten internal certificate lifetimes to 30 days so renewal is routine.", "prevent"),
            ("Add the renewal job to the migration checklist of {dep}.", "process"),
            ("Write the manual renewal procedure into the runbook.", "mitigate"),
        ),
        summary=(
            "The certificate {svc} uses for TLS expired. Its renewal job had been off since a "
            "migration {cert_days} days earlier, and nothing monitored internal certificates."
        ),
        narrative=(
            "The handshake errors named the cause directly, so diagnosis was fast.",
            "Issuing a certificate by hand took {minutes} minutes because the procedure was not "
            "written down and the person who last did it had moved teams.",
            "Every consumer of {svc} was affected at once, which made the incident look bigger "
            "than one service at first.",
        ),
        root_cause=(
            "An automated renewal was switched off during a migration and never switched back "
            "on; expiry monitoring could not see internal certificates."
        ),
        lessons=(
            "Anything that expires needs an owner, an inventory entry and an alert.",
            "Automation you switch off is a risk you must track.",
        ),
        logs=(
            "{ts} {svc} ERROR tls: failed to verify certificate: x509: certificate has expired",
            "{ts} {svc2} WARN handshake from {svc} rejected: bad certificate",
        ),
    ),
    Scenario(
        tags=("migrations", "database", "locks"),
        deps=("postgres", "mysql"),
        titles=(
            "A schema migration locked the {table} table for {dur}",
            "{svc} writes stalled behind a migration on {table}",
        ),
        trigger=(
            "Migration on {table} ({rows} rows) starts and takes a lock that blocks writes.",
            "Deploy of {svc} runs a migration that rewrites {table}.",
        ),
        steps=(
            "{depth} sessions found waiting on the migration's lock in {dep}.",
            "The deploy log shows the migration still running.",
            "Decision to cancel the migration rather than wait for it.",
            "Migration cancelled; queued writes complete.",
        ),
        mitigation=(
            "Migration cancelled; writes to {table} succeed.",
            "Lock released; {svc} error rate falls to normal.",
        ),
        resolution=(
            "Migration rewritten to run without a blocking lock and scheduled off-peak.",
            "Error rate at baseline; deploy held until the migration is fixed.",
        ),
        whys=(
            ("Why did {svc} fail?", "Writes to {table} were blocked and requests timed out."),
            (
                "Why were writes blocked?",
                "The migration held a lock on {table} while it rewrote {rows} rows.",
            ),
            (
                "Why did the migration take a blocking lock?",
                "It used the plain form of the statement, because the migration tool runs each step in a transaction.",
            ),
            (
                "Why did review and tests not show it?",
                "The test database has a few thousand rows, so the migration finished in a second.",
            ),
            (
                "Why did it run at peak?",
                "Migrations run with the deploy, and deploys happen whenever a change is merged.",
            ),
        ),
        factors=(
            ("deployment", "Migrations on large tables run at deploy time, at any hour."),
            ("testing", "Migrations are tested on a small database."),
            ("configuration", "No lock timeout for migration sessions."),
            ("documentation", "The safe way to change large tables is not written down."),
        ),
        actions=(
            ("Fail CI on blocking DDL for tables over 1 million rows.", "prevent"),
            ("Set a 3 s lock timeout for migration sessions.", "mitigate"),
            ("Run migrations on large tables outside deploys, off-peak.", "process"),
            ("Estimate migration time from table size in the pull request.", "detect"),
            ("Alert on more than 50 sessions waiting on one lock for a minute.", "detect"),
        ),
        summary=(
            "A migration on {table} took a lock that blocked writes while it rewrote {rows} rows. "
            "{svc} could not write for {dur}, until the migration was cancelled."
        ),
        narrative=(
            'The errors started with the deploy, but the deploy log only said "migrating", so '
            "it took a while to see that the migration was the problem.",
            "The lock queue in {dep} grew to {depth} sessions within a minute.",
            "Cancelling released the lock at once; the migration left no partial changes.",
        ),
        root_cause=(
            "The tooling made the blocking form of the migration easy and the safe form hard, "
            "and nothing measured how long a migration would hold a lock in production."
        ),
        lessons=(
            "Make the safe migration the easy one.",
            "A lock timeout turns an outage into a failed deploy.",
        ),
        logs=(
            "{ts} {dep_key} LOG: process 4411 still waiting for RowExclusiveLock on relation 16923 after 1000.1 ms",
            "{ts} {dep_key} DETAIL: Process holding the lock: 4378. Wait queue: 4411, 4415, 4420.",
            "{ts} {svc} ERROR insert into {table} timed out after 5000 ms",
        ),
    ),
    Scenario(
        tags=("memory-leak", "oom", "caching"),
        deps=("the JVM heap", "the container runtime"),
        titles=(
            "{svc} instances ran out of memory every {minutes} minutes",
            "A memory leak in {svc} {ver} caused repeated restarts",
        ),
        trigger=(
            "First {svc} instance killed for exceeding its memory limit.",
            "{svc} {ver} deployed; memory grows steadily on every instance.",
        ),
        steps=(
            "{restarts} restarts of {svc} instances in one hour noticed on the dashboard.",
            "Rollback blocked because {ver} changed the storage format.",
            "Memory limit raised from 1 GiB to 3 GiB to buy time.",
            "Heap profile shows a map keyed by customer id that is never cleaned up.",
        ),
        mitigation=(
            "Memory limit raised and instances restarted on a schedule; errors stop.",
            "Cache disabled by flag; memory flat.",
        ),
        resolution=(
            "{svc} {fix_ver} deployed with a bounded cache; memory flat for 24 hours.",
            "Fix deployed; scheduled restarts removed.",
        ),
        whys=(
            (
                "Why did requests fail?",
                "Instances were killed for using too much memory, and requests on them failed.",
            ),
            (
                "Why did memory grow?",
                "A new cache kept one entry per customer and never evicted any.",
            ),
            (
                "Why was the cache unbounded?",
                "Development data has a few dozen customers, so growth never showed.",
            ),
            (
                "Why did tests not show it?",
                "Performance tests run for 10 minutes with a handful of customers.",
            ),
            (
                "Why did the alert come late?",
                "Restarts kept the error rate just below the alert threshold.",
            ),
        ),
        factors=(
            ("testing", "Load tests too short and with too few customers to show growth."),
            ("monitoring", "No alert on restarts or on memory growth."),
            ("deployment", "A storage change in the same release blocked rollback."),
        ),
        actions=(
            ("Bound every cache in {svc} and alert on evictions above 1,000 a second.", "prevent"),
            ("Page on more than 5 restarts of a service in 15 minutes.", "detect"),
            ("Add a 2-hour soak test with production-like customer counts.", "detect"),
            ("Ship storage format changes in a release of their own.", "process"),
            ("Document how to raise memory limits quickly in an incident.", "mitigate"),
        ),
        summary=(
            "Release {ver} of {svc} added a cache that never evicted entries. Instances filled "
            "their memory and were killed, so requests failed in bursts for {dur}."
        ),
        narrative=(
            "Memory grew in a straight line from each start, a classic leak shape, but the error "
            "rate stayed under the alert threshold most of the time.",
            "Rollback was ruled out because the release also changed how data was stored.",
            "Raising the limit and restarting on a schedule kept the service up while the leak "
            "was found in a heap profile.",
        ),
        root_cause=(
            "A cache keyed by an unbounded value, tested with a handful of keys, in a release "
            "that could not be rolled back."
        ),
        lessons=(
            "Every cache needs a bound and a production-sized test.",
            "Keep releases reversible; separate format changes from code.",
        ),
        logs=(
            "{ts} kubelet WARN container {svc} OOMKilled (limit 1Gi, restarts={restarts})",
            "{ts} {svc} INFO heap used 1012 MiB of 1024 MiB, cache entries={depth}",
        ),
    ),
    Scenario(
        tags=("queues", "consumer-lag", "backlog"),
        deps=("kafka", "the job queue", "RabbitMQ"),
        titles=(
            "Work on {svc} was delayed by up to {hours} hours while {dep} backed up",
            "A bulk resend filled {dep} and delayed {svc}",
        ),
        trigger=(
            "A partner re-sends {rows} old records through the live feed into {dep}.",
            "{dep} lag for {svc} starts growing by {depth} messages a minute.",
        ),
        steps=(
            "Consumers scaled to the partition count; lag still grows.",
            "{pct}% of input found to come from one source with old timestamps.",
            "Bulk traffic redirected to a separate low-priority queue.",
            "Partner asked to stop the resend.",
        ),
        mitigation=(
            "Live queue lag under one minute again; bulk queue draining on its own.",
            "Backlog on the live queue cleared.",
        ),
        resolution=(
            "Bulk queue drained; all delayed work processed.",
            "Lag at zero for 30 minutes; incident closed.",
        ),
        whys=(
            ("Why was work delayed?", "New messages waited behind a large backlog in {dep}."),
            (
                "Why was there a backlog?",
                "A partner re-sent {rows} old records through the live feed.",
            ),
            (
                "Why could consumers not catch up?",
                "Throughput is capped by the partition count, well below the incoming rate.",
            ),
            (
                "Why did old and new work compete?",
                "All sources share one queue with no priority or per-source limit.",
            ),
            (
                "Why was there no per-source limit?",
                "Sources were assumed to send at the pace of real activity.",
            ),
        ),
        factors=(
            ("capacity", "Consumer throughput capped by partitions."),
            ("dependency", "A partner changed its sending pattern without notice."),
            ("alerting", "Lag alert measured in messages, not minutes."),
            ("process", "No agreement with partners about bulk operations."),
        ),
        actions=(
            (
                "Rate-limit each source to 3x its weekly peak and spill the rest to a bulk queue.",
                "prevent",
            ),
            ("Alert on the age of the oldest message above 5 minutes.", "detect"),
            ("Ask partners to announce bulk operations in the partner channel.", "process"),
            ("Document how to redirect one source to the bulk queue.", "mitigate"),
            ("Record queue lag in minutes on the {svc} dashboard.", "detect"),
        ),
        summary=(
            "A partner re-sent {rows} old records through the live feed. They filled {dep} faster "
            "than {svc} could consume it, and new work waited for up to {hours} hours."
        ),
        narrative=(
            "The lag alert fired, but at a threshold in messages that said nothing about how "
            "late work was.",
            "Adding consumers helped little, because the partition count caps them.",
            "Moving the bulk source to its own queue fixed the live path within the hour.",
        ),
        root_cause=(
            "One queue for all sources, with no priority and no per-source limit, and a "
            "throughput ceiling set by the partition count."
        ),
        lessons=(
            "Separate bulk work from live work before a partner does it for you.",
            "Measure lag in time; that is what customers feel.",
        ),
        logs=(
            "{ts} {svc} INFO group=live lag={depth} rate_in=15000/min rate_out=9000/min",
            "{ts} {svc} WARN source=partner share_of_input=0.{pct2} oldest=2019-03-02",
        ),
        impact=(
            "Work for {n_cust} customers on {svc} was delayed by up to {hours} hours; "
            "about {n_req} items were late, none were lost."
        ),
    ),
    Scenario(
        tags=("disk", "storage", "logs"),
        deps=("the log volume", "the scratch disk", "the database volume"),
        titles=(
            "{svc} stopped writing when {dep} filled up",
            "A full disk on {svc} hosts caused failed writes for {dur}",
        ),
        trigger=(
            "{dep} on {svc} hosts reaches 100%.",
            "Writes on {svc} start failing with no space left on device.",
        ),
        steps=(
            "Disk usage found at 100% on {nodes} hosts.",
            "{gb} GB of rotated logs found that were never deleted.",
            "Old files removed by hand on each host.",
            "Log rotation fixed and run on all hosts.",
        ),
        mitigation=(
            "Space freed on all hosts; writes succeed.",
            "Hosts replaced with fresh disks; errors stop.",
        ),
        resolution=(
            "Retention fixed and disk growth flat for a day.",
            "All hosts below 50% disk use; incident closed.",
        ),
        whys=(
            ("Why did writes fail?", "{dep} was full."),
            (
                "Why was it full?",
                "Rotated files were compressed but never deleted after a change in the rotation config.",
            ),
            (
                "Why was the change not noticed?",
                "It only showed after weeks, as the disk filled slowly.",
            ),
            (
                "Why did the disk alert not help?",
                "It fires at 95%, which the disk passed in the last hour before it filled.",
            ),
            (
                "Why is there no trend alert?",
                "Disk alerts were copied from a template with a single threshold.",
            ),
        ),
        factors=(
            ("infrastructure", "Retention not enforced on {dep}."),
            ("monitoring", "Disk alert on level only, not on growth."),
            ("configuration", "A rotation config change dropped the delete step."),
        ),
        actions=(
            ("Alert when a disk is on course to fill within 3 days.", "detect"),
            ("Enforce retention with a test of the rotation config.", "prevent"),
            ("Keep 10% of each disk reserved and documented for emergencies.", "mitigate"),
            ("Review disk alerts of every service against the new template.", "process"),
        ),
        summary=(
            "{dep} on {svc} hosts filled up over several weeks because rotated files were no "
            "longer deleted. When it was full, writes failed for {dur}."
        ),
        narrative=(
            "The disk alert fired less than an hour before the disk was full.",
            "Freeing space was quick once the files were found; making sure it would not "
            "happen again took the rest of the day.",
        ),
        root_cause=(
            "A slow problem met an alert that only looks at levels. The growth was visible for "
            "weeks on a graph nobody watched."
        ),
        lessons=(
            "Alert on trends for things that fill up slowly.",
            "Retention is part of the config; test it.",
        ),
        logs=(
            "{ts} {svc} ERROR write failed: ENOSPC: no space left on device",
            "{ts} node-exporter INFO filesystem /var size=200G avail=0",
        ),
    ),
    Scenario(
        tags=("dns", "network", "infrastructure"),
        deps=("cluster DNS", "the service mesh", "the NAT gateway"),
        titles=(
            "Calls from {svc} failed intermittently while {dep} was saturated",
            "{dep} trouble caused failures in {svc} and {svc2}",
        ),
        trigger=(
            "{dep} reaches its limit; lookups and connections start timing out.",
            "A node pool change routes most traffic through {dep}, which saturates.",
        ),
        steps=(
            "Alerts from {svc} and {svc2} arrive within minutes of each other.",
            "Errors traced to timeouts in {dep}, shared by both services.",
            "{dep} scaled out from 2 to {nodes} replicas.",
            "Traffic shifted away from the affected node pool.",
        ),
        mitigation=(
            "{dep} scaled out; timeouts stop.",
            "Traffic back on the old node pool; errors stop.",
        ),
        resolution=(
            "Missing component installed on the new node pool.",
            "Error rates at baseline for an hour; incident closed.",
        ),
        whys=(
            ("Why did calls fail?", "Requests through {dep} timed out."),
            ("Why did they time out?", "{dep} received about four times the load it can handle."),
            (
                "Why was the load so high?",
                "A new node pool lacked the local cache that normally absorbs most of it.",
            ),
            (
                "Why did the pool lack it?",
                "The cache is installed by a separate manifest that the new pool's template did not include.",
            ),
            ("Why was that not checked?", "The node pool checklist predates the cache."),
        ),
        factors=(
            ("infrastructure", "The new node pool lacked a local cache."),
            ("capacity", "{dep} had a fixed replica count with no autoscaling."),
            ("documentation", "The node pool checklist was out of date."),
            ("monitoring", "No metrics on {dep} latency per node pool."),
        ),
        actions=(
            ("Install the local cache from the node pool template.", "prevent"),
            ("Autoscale {dep} with at least 4 replicas.", "mitigate"),
            ("Alert on {dep} p99 latency above 100 ms.", "detect"),
            ("Generate the node pool checklist from the template.", "process"),
            ("Add {dep} saturation to the platform dashboard.", "detect"),
        ),
        summary=(
            "A new node pool without a local cache sent all its traffic to {dep}, which "
            "saturated. Calls from {svc} and {svc2} failed intermittently for {dur}."
        ),
        narrative=(
            "Several services alerted at once, which first looked like a problem with one of "
            "their shared dependencies.",
            "The common factor was {dep}; scaling it out fixed the symptom within minutes.",
            "The missing cache on the new node pool was found the next morning.",
        ),
        root_cause=(
            "A load-bearing cache was missing from a new node pool, and {dep} had no headroom "
            "to absorb what the cache normally takes."
        ),
        lessons=(
            "When several services alert at once, look for what they share.",
            "A cache that absorbs load is load-bearing.",
        ),
        logs=(
            "{ts} {svc} ERROR dial tcp: lookup {svc2}.internal: i/o timeout",
            "{ts} {svc2} ERROR upstream connect error or disconnect/reset before headers",
        ),
    ),
    Scenario(
        tags=("data", "backfill", "correctness"),
        deps=("postgres", "the data warehouse", "the orders database"),
        titles=(
            "A backfill wrote wrong values to {rows} rows in {table}",
            "Customers saw wrong data in {svc} after a backfill",
        ),
        trigger=(
            "Backfill job starts rewriting {table} with a new calculation.",
            "Data migration for {svc} begins on {table}.",
        ),
        steps=(
            "Support reports wrong totals in {svc}.",
            "Backfill stopped; {rows} rows found with changed values.",
            "Comparison with the last snapshot identifies the affected rows.",
            "Restore plan agreed: rewrite affected rows from the snapshot.",
        ),
        mitigation=(
            "Backfill stopped; no more rows changed.",
            "Affected rows hidden from customers while the restore runs.",
        ),
        resolution=(
            "Affected rows restored from the snapshot and checked.",
            "Reconciliation shows no remaining differences; incident closed.",
        ),
        whys=(
            (
                "Why did customers see wrong data?",
                "A backfill rewrote {rows} rows in {table} with wrong values.",
            ),
            (
                "Why were the values wrong?",
                "The new calculation rounded each line instead of the total.",
            ),
            (
                "Why was that not caught before the backfill?",
                "The backfill was tested on 100 rows, all with one line each.",
            ),
            (
                "Why was the backfill not checked as it ran?",
                "It had no comparison of old and new values and no stop condition.",
            ),
            (
                "Why is there no standard for backfills?",
                "Each backfill is a one-off script written from scratch.",
            ),
        ),
        factors=(
            ("data", "No check of changed values during the backfill."),
            ("testing", "Test sample not representative of production data."),
            ("process", "Backfills have no review or standard tooling."),
            ("monitoring", "No reconciliation between {table} and its source."),
        ),
        actions=(
            (
                "Build a backfill runner that compares old and new values and stops on drift.",
                "prevent",
            ),
            ("Take a snapshot of every table a backfill will write.", "mitigate"),
            ("Reconcile {table} with its source every night.", "detect"),
            ("Require a second reviewer for any backfill over 10,000 rows.", "process"),
            ("Test backfills on a random sample of 10,000 production rows.", "prevent"),
        ),
        summary=(
            "A backfill meant to fill a new column rewrote {rows} rows of {table} with wrong "
            "values. Customers saw wrong data in {svc} until the rows were restored {dur} later."
        ),
        narrative=(
            "Support noticed first: customers asked why totals had changed overnight.",
            "Stopping the job was easy; finding exactly which rows it had changed took most of "
            "the incident, because it did not log what it wrote.",
            "The snapshot from the night before made the restore possible.",
        ),
        root_cause=(
            "A one-off script changed production data with no comparison, no stop condition "
            "and a test sample that did not look like production."
        ),
        lessons=(
            "Data changes need the same safety as code changes.",
            "Always be able to say which rows a job touched.",
        ),
        logs=(
            "{ts} backfill INFO batch 412/1800 rows=1000 changed=1000",
            "{ts} backfill INFO batch 413/1800 rows=1000 changed=998",
        ),
        impact=(
            "{n_cust} customers saw wrong values in {svc} for {dur}; {rows} rows of {table} "
            "had to be restored."
        ),
    ),
    Scenario(
        tags=("failover", "redis", "high-availability"),
        deps=("the Redis primary", "the database primary", "the message broker"),
        titles=(
            "{svc} did not follow a failover of {dep}",
            "A failover of {dep} left {svc} pointing at the old primary",
        ),
        trigger=(
            "The host of {dep} fails; the replica is promoted within a minute.",
            "Cloud provider retires the VM running {dep}.",
        ),
        steps=(
            "{svc} logs connection timeouts to the old primary's address.",
            "Replica promotion confirmed successful; clients are the problem.",
            "Rolling restart of {svc} started.",
            "Emergency restart of half the instances at once approved.",
        ),
        mitigation=(
            "All {svc} instances restarted and connected to the new primary.",
            "Restart complete; errors stop.",
        ),
        resolution=(
            "Error rates at baseline; new replica added to restore redundancy.",
            "Redundancy restored; incident closed.",
        ),
        whys=(
            ("Why did {svc} fail?", "It kept connecting to the old primary after the failover."),
            (
                "Why did it not follow the failover?",
                "It looked up the primary once at startup and never again.",
            ),
            (
                "Why was the client written that way?",
                "It predates our standard client, which follows failovers.",
            ),
            (
                "Why had failover tests not shown it?",
                "Failover was only tested on idle staging clusters.",
            ),
            (
                "Why did recovery take so long?",
                "The restart followed deploy rules that allow two instances down at a time.",
            ),
        ),
        factors=(
            ("infrastructure", "Single primary on a host that can be retired."),
            ("configuration", "Client looked up the primary only at startup."),
            ("testing", "Failover never tested under real traffic."),
            ("process", "No emergency restart path faster than a deploy."),
        ),
        actions=(
            ("Replace the {svc} client with one that follows failovers.", "prevent"),
            ("Run a failover under production traffic every quarter.", "process"),
            ("Add an emergency restart that replaces half the instances at once.", "mitigate"),
            ("Alert on clients connected to a replica that is no longer primary.", "detect"),
        ),
        summary=(
            "{dep} failed over as designed, but {svc} kept talking to the old primary. It "
            "failed until every instance was restarted, {dur} after the failover."
        ),
        narrative=(
            "The failover itself took under a minute; following it took the rest of the incident.",
            "The cause was clear from the logs early on; the restart was slow because it used "
            "the normal deploy rules.",
        ),
        root_cause=(
            "The failover worked and the client did not follow it. We had tested the failover, "
            "but not the failover together with its clients."
        ),
        lessons=(
            "A failover is only as good as its slowest client.",
            "Test recovery paths with real traffic, on purpose.",
        ),
        logs=(
            "{ts} {svc} ERROR dial 10.20.4.17:6379: connect: connection timed out",
            "{ts} sentinel INFO +switch-master sessions 10.20.4.17 6379 10.20.5.22 6379",
        ),
    ),
    Scenario(
        tags=("security", "rate-limiting", "abuse"),
        deps=("the gateway rate limiter", "the WAF", "the bot filter"),
        titles=(
            "Legitimate users were blocked by a tightened limit on {svc}",
            "A defensive rule on {dep} blocked {pct}% of {svc} traffic",
        ),
        trigger=(
            "A new rule on {dep} starts blocking traffic to {svc}.",
            "Rate limit for {svc} lowered to slow a credential-stuffing campaign.",
        ),
        steps=(
            "Support reports customers getting HTTP 429 from {svc}.",
            "Blocked requests traced to shared office and mobile carrier addresses.",
            "Rule narrowed to the attack's addresses only.",
            "Attack traffic confirmed still blocked by the narrower rule.",
        ),
        mitigation=(
            "Limit restored to the previous value; legitimate traffic passes.",
            "Rule narrowed; blocked legitimate requests fall to zero.",
        ),
        resolution=(
            "Per-account limits deployed; attack traffic contained without per-address limits.",
            "Blocked request rate at baseline; incident closed.",
        ),
        whys=(
            (
                "Why were customers blocked?",
                "The tightened rule on {dep} counted requests per address.",
            ),
            (
                "Why did per-address counting block customers?",
                "Many customers share addresses behind offices and mobile carriers.",
            ),
            (
                "Why was the limit set so low?",
                "It was chosen from attack traffic only, under time pressure.",
            ),
            (
                "Why was normal traffic not considered?",
                "There is no report of how many users share each address.",
            ),
        ),
        factors=(
            ("security", "Per-address limits are the only defence against credential stuffing."),
            ("configuration", "The rule was changed by hand and applied at once."),
            ("monitoring", "Blocked requests were not graphed or alerted on."),
        ),
        actions=(
            (
                "Limit logins per account and address pair, with a challenge after failures.",
                "prevent",
            ),
            ("Graph and alert on blocked requests per endpoint.", "detect"),
            ("Publish a weekly report of distinct users per address.", "process"),
            ("Apply rule changes to 10% of traffic first.", "mitigate"),
        ),
        summary=(
            "To slow an attack, a rule on {dep} was tightened. It also blocked customers who "
            "share addresses, about {pct}% of {svc} traffic, for {dur}."
        ),
        narrative=(
            "The attack was real and the change did slow it; the cost fell on customers behind "
            "shared addresses.",
            "Blocked requests were not on any dashboard, so support noticed first.",
        ),
        root_cause=(
            "A defence tuned against attack traffic without data on normal traffic, using the "
            "only knob available."
        ),
        lessons=(
            "Tune defences against normal traffic as well as attack traffic.",
            "Per-address limits punish shared networks.",
        ),
        logs=(
            "{ts} gateway INFO rate_limited path=/login key=ip:203.0.113.7 limit=5/min",
            "{ts} gateway INFO rate_limited path=/login key=ip:198.51.100.24 limit=5/min",
        ),
    ),
)

# Sentences that fit any incident, used to bring a file to its target size.
PADDING = (
    "The incident channel had {k} people in it at its busiest; one incident commander kept "
    "updates to one every 15 minutes, which kept the channel readable.",
    "Dashboards for {svc} showed the problem clearly once we looked at per-instance metrics "
    "instead of the service average.",
    "We considered a full rollback early and chose not to, because the release also "
    "contained a fix customers were waiting for.",
    "The runbook for {svc} covered the first two steps; the rest we worked out live.",
    "Support kept a shared list of affected customers, which made the follow-up emails "
    "quick to send.",
    "A second engineer joined after {detect} minutes, which let one person investigate while "
    "the other handled communication.",
    "Handover between time zones happened in the middle of the incident and went smoothly, "
    "because the timeline was kept up to date in the channel.",
    "Nothing was lost: every request that failed could be retried by the client, and most were.",
    "The status page was updated {k} times; customers told support the updates were useful.",
    "We checked the previous 90 days for the same error and found {k} short, unnoticed bursts.",
    "Graphs from the incident are attached to the incident ticket for the review meeting.",
    "Staging did not reproduce the problem, which cost time; production-like data would "
    "have shown it.",
    "The change that triggered this had been reviewed and approved; the review checklist "
    "does not ask about this kind of risk.",
    "Customer-facing teams were told within {k} minutes of the incident being declared.",
    "Two other teams paused their deploys during the incident so that changes would not mix.",
    "The same dashboards now have a panel for the signal that would have shown this first.",
    "We reviewed similar services and found {k} with the same weakness; they are tracked in "
    "the platform backlog.",
    "Error budgets for {svc} were exhausted for the month, so feature work paused until the "
    "action items were done.",
)

BLAME = (
    "{person} forgot to check the dashboard before starting the change.",
    "This was human error: the change should have been tested properly before it went out.",
    "The on-call engineer should have noticed the warning sooner.",
    "{person} was careless with the change and did not follow the runbook.",
    "If {person} had double-checked the command, none of this would have happened.",
)

VAGUE = (
    "Improve monitoring",
    "Be more careful with deploys",
    "Look into the cache",
    "Add more tests",
    "Investigate further",
)

COMMON_STEPS = (
    "Incident declared; {team} and platform join the incident channel.",
    "Recent deploys and config changes listed; none in the last {minutes} minutes except one.",
    "Dashboards show {pct}% of requests to {svc} failing.",
    "Incident commander assigned; updates every 15 minutes.",
    "Second responder joins to handle customer communication.",
    "Logs sampled from {nodes} instances; the same error on all of them.",
)
COMMS = (
    "Status page updated: {svc} degraded.",
    "Support told which customers are affected and what to say.",
    "Customer email sent with the list of affected requests.",
    "Status page updated: recovering.",
)
DETECTION = (
    "Error-rate alert pages the {team} on-call engineer.",
    "Support escalates customer reports about {svc}.",
    "Synthetic check for {svc} fails in three regions; on-call paged.",
    "Latency alert for {svc} pages the on-call engineer.",
)
REVIEW_NOTES = (
    "Approved after the timeline was checked against the alert history.",
    "Asked for numbers in the impact section; added.",
    "Good analysis; two action items reworded to be measurable.",
    None,
    None,
)
FOLLOW_UP_NOTES = {
    "effective": ("No recurrence since; the new alert fired once and was acted on.", None),
    "partly": ("Some items are late; the main risk is still open.", None),
    "not-effective": ("A similar incident happened since; the fix did not cover it.",),
}
WONT_DO_NOTES = (
    "Superseded by the platform migration planned for next quarter.",
    "Cost outweighs the risk now that the other items are done.",
    "Owner team disagreed after review; the risk is accepted and recorded.",
)
SETTINGS = ("request_timeout", "deadline", "retry_backoff", "cache_ttl", "drain_period")
TABLES = ("orders", "order_lines", "payments", "shipments", "invoices", "customers", "events")
FLAGS = ("gift_options", "split_shipment", "saved_cards", "express_checkout", "locale_hint")

# --- rendering ----------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z0-9(][^:#\[\]{}&*!|>'\"@`\\]*$")
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def _q(text: str) -> str:
    """A YAML scalar: plain where a person would write it plain, else double-quoted."""
    # A colon or a hash could end the value early; quote those.
    # A leading digit is safe in a sentence: with a space in it, it cannot be a number.
    if (
        _PLAIN.match(text)
        and (" " in text or not text[0].isdigit())
        and text.lower() not in _RESERVED
    ):
        return text.rstrip()
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(text, ensure_ascii=False)


def _fill(template: str, values: dict[str, str]) -> str:
    """Fill a template; a sentence that starts with a dependency ("the job queue") gets a capital."""
    text = template.format_map(values)
    return text[0].upper() + text[1:] if template.startswith("{dep}") else text


def _ts(moment: datetime) -> str:
    text = moment.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days > 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours > 1 else ''}")
    if mins and not days:
        parts.append(f"{mins} minute{'s' if mins > 1 else ''}")
    return " ".join(parts) or "under a minute"


def _slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    stop = {"a", "an", "the", "of", "for", "to", "in", "on", "by", "and", "was", "were", "while"}
    kept = [w for w in words if w not in stop][:6]
    return "-".join(kept) or "incident"


@dataclass
class _Item:
    id: str
    title: str
    owner: str | None
    due: date | None
    status: str
    type: str
    closed_on: date | None
    link: str | None
    notes: str | None


@dataclass
class _Incident:
    title: str
    status: str
    severity: str
    services: list[str]
    tags: list[str]
    authors: list[str]
    facilitator: str
    responders: list[str]
    impact: str
    times: tuple[datetime, datetime, datetime, datetime]
    timeline: list[tuple[datetime, str, str | None]]
    whys: list[tuple[str, str]]
    factors: list[tuple[str, str]]
    items: list[_Item]
    reviews: list[str]
    body: list[tuple[str, list[str]]] = field(default_factory=list)


def _front(inc: _Incident) -> str:
    started, detected, mitigated, resolved = inc.times
    out = [
        "---",
        f"title: {_q(inc.title)}",
        f"status: {inc.status}",
        f"severity: {inc.severity}",
        f"services: [{', '.join(inc.services)}]",
        f"tags: [{', '.join(inc.tags)}]",
        f"authors: [{', '.join(inc.authors)}]",
        f"facilitator: {inc.facilitator}",
        f"responders: [{', '.join(inc.responders)}]",
        f"impact: {_q(inc.impact)}",
        f"started_at: {_ts(started)}",
        f"detected_at: {_ts(detected)}",
        f"mitigated_at: {_ts(mitigated)}",
        f"resolved_at: {_ts(resolved)}",
        "timeline:",
    ]
    for at, event, kind in inc.timeline:
        out += [f"  - at: {_ts(at)}", f"    event: {_q(event)}"]
        if kind:
            out.append(f"    kind: {kind}")
    out.append("whys:")
    for why, because in inc.whys:
        out += [f"  - why: {_q(why)}", f"    because: {_q(because)}"]
    out.append("contributing_factors:")
    for category, description in inc.factors:
        out += [f"  - category: {category}", f"    description: {_q(description)}"]
    out.append("action_items:")
    for it in inc.items:
        out += [
            f"  - id: {it.id}",
            f"    title: {_q(it.title)}",
            f"    owner: {it.owner if it.owner else 'null'}",
            f"    due: {it.due.isoformat() if it.due else 'null'}",
            f"    status: {it.status}",
            f"    type: {it.type}",
            f"    closed_on: {it.closed_on.isoformat() if it.closed_on else 'null'}",
            f"    link: {it.link if it.link else 'null'}",
        ]
        if it.notes:
            out.append(f"    notes: {_q(it.notes)}")
    out.append("reviews: []" if not inc.reviews else "reviews:")
    out += inc.reviews
    out.append("---")
    return "\n".join(out) + "\n"


def _body(inc: _Incident) -> str:
    out = [f"# {inc.title}", "", DISCLAIMER, ""]
    for heading, paragraphs in inc.body:
        out += [f"## {heading}", ""]
        for paragraph in paragraphs:
            out += [paragraph, ""]
    return "\n".join(out)


# --- one incident ------------------------------------------------------------------


class _Maker:
    """Builds incidents from one random stream; the order of draws is part of the format."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.used_ids: set[str] = set()
        self.start = END - timedelta(days=365 * YEARS)

    def _times(self, severity: str) -> tuple[datetime, datetime, datetime, datetime]:
        rng = self.rng
        span = int((END - self.start).total_seconds() // 60) - 3 * 24 * 60
        started = self.start + timedelta(minutes=rng.randrange(span))
        if rng.random() < 0.15:
            hours, minutes = rng.choice(OFFSETS)
            started = started.astimezone(timezone(timedelta(hours=hours, minutes=minutes)))
        scale = {"SEV1": 0.6, "SEV2": 1.0, "SEV3": 1.6, "SEV4": 1.2}[severity]
        # Caps keep every incident under three days from start to resolution.
        detect = min(360.0, rng.lognormvariate(2.0, 1.0) * scale)
        mitigate = min(1440.0, rng.lognormvariate(3.2, 0.9) * scale)
        resolve = rng.lognormvariate(3.0, 1.3) if rng.random() < 0.9 else rng.uniform(600, 2400)
        detected = started + timedelta(minutes=max(1, round(detect)))
        mitigated = detected + timedelta(minutes=max(1, round(mitigate)))
        resolved = mitigated + timedelta(minutes=round(min(resolve, 2400.0)))
        return started, detected, mitigated, resolved

    def _values(self, sc: Scenario, svc: str, svc2: str, people: list[str]) -> dict[str, str]:
        rng = self.rng
        major, minor = rng.randint(1, 14), rng.randint(0, 40)
        dep = rng.choice(sc.deps)
        old, new = rng.choice([(30, 30000), (5, 5000), (60, 60000), (2, 2000)])
        return {
            "svc": svc,
            "svc2": svc2,
            "team": SERVICES[svc],
            "dep": dep,
            "dep_key": re.sub(r"[^a-z0-9]+", "-", dep.lower().removeprefix("the ")).strip("-"),
            "pct": str(rng.randint(3, 65)),
            "pct2": str(rng.choice([1, 2, 5])),
            "n_req": f"{rng.randint(800, 480_000):,}",
            "n_cust": f"{rng.randint(12, 4_200):,}",
            "limit": str(rng.choice([32, 64, 100, 128, 200, 256])),
            "ver": f"{major}.{minor}.{rng.randint(0, 9)}",
            "prev_ver": f"{major}.{minor}.0" if minor == 0 else f"{major}.{minor - 1}.4",
            "fix_ver": f"{major}.{minor}.{rng.randint(10, 12)}",
            "region": rng.choice(REGIONS),
            "lat_ok": str(rng.choice([80, 120, 250, 400])),
            "lat_bad": str(rng.choice([4, 8, 12, 30])),
            "timeout": str(rng.choice([20, 30, 60])),
            "x": str(rng.choice([3, 4, 5, 6])),
            "nodes": str(nodes := rng.randint(6, 40)),
            "nodes2": str(nodes * rng.choice([2, 3])),
            "person": FIRST_NAMES[rng.choice(people)],
            "depth": f"{rng.randint(200, 1_900_000):,}",
            "gb": str(rng.randint(40, 900)),
            "minutes": str(rng.randint(4, 45)),
            "hours": str(rng.randint(2, 9)),
            "table": rng.choice(TABLES),
            "rows": f"{rng.randint(40, 900) * 1000:,}",
            "setting": rng.choice(SETTINGS),
            "old_value": str(old),
            "new_value": str(new),
            "flag": rng.choice(FLAGS),
            "cert_days": str(rng.randint(20, 200)),
            "restarts": str(rng.randint(12, 80)),
            "old_client": f"{rng.randint(2, 5)}.{rng.randint(0, 9)}",
            "k": str(rng.randint(3, 14)),
        }

    def _items(
        self, sc: Scenario, v: dict[str, str], team: str, resolved: date, status: str
    ) -> list[_Item]:
        rng = self.rng
        chosen = rng.sample(sc.actions, min(len(sc.actions), rng.randint(1, 6)))
        items = []
        for n, (title, kind) in enumerate(chosen, start=1):
            due = resolved + timedelta(days=rng.choice([7, 14, 21, 30, 45, 60, 90]))
            owner: str | None = rng.choice(ENGINEERS[team] + [team, team])
            state, closed, notes = "open", None, None
            r = rng.random()
            if status == "draft" and r < 0.7:
                pass  # drafts are written before much of the work starts
            elif due < TODAY:
                if r < 0.62:
                    state = "done"
                    closed = due - timedelta(days=rng.randint(0, max(0, (due - resolved).days)))
                elif r < 0.80:
                    state, closed = "done", min(TODAY, due + timedelta(days=rng.randint(1, 60)))
                elif r < 0.88:
                    state, notes = "wont-do", rng.choice(WONT_DO_NOTES)
                    closed = resolved + timedelta(days=rng.randint(0, (due - resolved).days))
                elif r >= 0.95:
                    state = "in-progress"
            elif r < 0.35:
                pass
            elif r < 0.65:
                state = "in-progress"
            elif r < 0.95:
                state = "done"
                closed = min(TODAY, resolved + timedelta(days=rng.randint(0, 10)))
            else:
                state, notes = "wont-do", rng.choice(WONT_DO_NOTES)
                closed = min(TODAY, resolved + timedelta(days=rng.randint(0, 10)))
            link = None
            if rng.random() < 0.4:
                link = f"https://tracker.example.com/{team[:3].upper()}-{rng.randint(100, 9999)}"
            undated: date | None = due
            if rng.random() < 0.03:  # the vague, unowned or undated item a linter should flag
                title = rng.choice(VAGUE)
                if rng.random() < 0.5:
                    owner = None
                else:
                    undated = None
            items.append(
                _Item(
                    id=f"A{n}",
                    title=_fill(title, v),
                    owner=owner,
                    due=undated,
                    status=state,
                    type=kind,
                    closed_on=closed,
                    link=link,
                    notes=notes,
                )
            )
        return items

    def _reviews(self, status: str, resolved: date, items: list[_Item]) -> list[str]:
        rng = self.rng
        out: list[str] = []
        if status == "draft":
            return out
        first = min(TODAY, resolved + timedelta(days=rng.randint(2, 12)))
        reviewers = rng.sample(REVIEWERS, rng.randint(1, 2))
        kind = "approval" if status == "published" else "request"
        out += [f"  - on: {first.isoformat()}", f"    kind: {kind}"]
        out.append(f"    reviewers: [{', '.join(reviewers)}]")
        note = rng.choice(REVIEW_NOTES)
        if note:
            out.append(f"    notes: {_q(note)}")
        if status != "published":
            return out
        done = [it.id for it in items if it.status == "done"]
        for days in (30, 90):
            when = first + timedelta(days=days)
            if when > TODAY or rng.random() < 0.4:
                continue
            outcome = rng.choices(["effective", "partly", "not-effective"], [55, 35, 10])[0]
            out += [
                f"  - on: {when.isoformat()}",
                "    kind: follow-up",
                f"    reviewers: [{rng.choice(REVIEWERS)}]",
                f"    outcome: {outcome}",
                f"    effective_actions: [{', '.join(done if outcome != 'not-effective' else [])}]",
            ]
            follow_note = rng.choice(FOLLOW_UP_NOTES[outcome])
            if follow_note:
                out.append(f"    notes: {_q(follow_note)}")
        return out

    def _timeline(
        self, sc: Scenario, v: dict[str, str], times: tuple[datetime, ...]
    ) -> list[tuple[datetime, str, str | None]]:
        rng = self.rng
        started, detected, mitigated, resolved = times
        count = rng.randint(2, 12)
        events: list[tuple[datetime, str, str | None]] = [
            (started, _fill(rng.choice(sc.trigger), v), "trigger")
        ]
        if count >= 3:
            events.append((detected, _fill(rng.choice(DETECTION), v), "detection"))
        middle = count - len(events) - 1 - (1 if count >= 4 else 0)
        # The pool is in story order (declare, investigate, communicate); picking sorted
        # indices and pairing them with sorted times keeps the story reading forward.
        pool: list[tuple[str, str | None]] = [(s, None) for s in COMMON_STEPS]
        pool += [(s, "action") for s in sc.steps] + [(s, "communication") for s in COMMS]
        span = max(1, int((mitigated - detected).total_seconds() // 60))
        picks = sorted(rng.sample(range(len(pool)), middle))
        moments = sorted(detected + timedelta(minutes=rng.randint(0, span)) for _ in picks)
        for at, i in zip(moments, picks, strict=True):
            events.append((at, _fill(pool[i][0], v), pool[i][1]))
        if count >= 4:
            events.append((mitigated, _fill(rng.choice(sc.mitigation), v), "mitigation"))
        events.append((resolved, _fill(rng.choice(sc.resolution), v), "resolution"))
        events.sort(key=lambda e: e[0])
        return events

    def incident(self) -> tuple[str, str]:
        """One postmortem: its id and its text."""
        rng = self.rng
        sc = rng.choice(SCENARIOS)
        severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
        svc = rng.choice(SERVICE_NAMES)
        svc2 = rng.choice([s for s in SERVICE_NAMES if s != svc])
        team = SERVICES[svc]
        responders = rng.sample(ENGINEERS[team], rng.randint(1, min(3, len(ENGINEERS[team]))))
        if rng.random() < 0.5:
            responders.append(rng.choice(SRES))
        others = [k for k in PEOPLE if k not in responders and PEOPLE[k][2] != "support"]
        facilitator = rng.choice(others)
        authors = responders[: rng.randint(1, min(2, len(responders)))]
        v = self._values(sc, svc, svc2, responders)
        times = self._times(severity)
        started, _, _, resolved = times
        v["dur"] = _human(times[2] - started)
        v["detect"] = str(int((times[1] - started).total_seconds() // 60))

        age = (TODAY - resolved.date()).days
        if age < 20:
            status = rng.choice(["draft", "draft", "in-review"])
        elif age < 60:
            status = rng.choice(["draft", "in-review", "in-review", "published", "published"])
        else:
            status = rng.choices(["published", "in-review", "draft"], [92, 3, 5])[0]

        items = self._items(sc, v, team, resolved.date(), status)
        services = (
            [svc, svc2] if "{svc2}" in sc.summary + sc.impact or rng.random() < 0.2 else [svc]
        )
        tags = list(sc.tags[: rng.randint(1, len(sc.tags))])
        more = rng.randint(0, min(3, len(sc.factors) - 1))
        factors = [sc.factors[0], *rng.sample(sc.factors[1:], more)]
        inc = _Incident(
            title=_fill(rng.choice(sc.titles), v),
            status=status,
            severity=severity,
            services=services,
            tags=tags,
            authors=authors,
            facilitator=facilitator,
            responders=responders,
            impact=_fill(sc.impact, v),
            times=times,
            timeline=self._timeline(sc, v, times),
            whys=[(_fill(w, v), _fill(b, v)) for w, b in sc.whys[: rng.randint(3, 5)]],
            factors=[(c, _fill(d, v)) for c, d in factors],
            items=items,
            reviews=self._reviews(status, resolved.date(), items),
        )
        inc.body = self._sections(sc, v, inc)
        text = self._fit(inc, v)

        local_date = started.date().isoformat()
        ident = base = f"{local_date}-{_slug(inc.title)}"
        n = 2
        while ident in self.used_ids:
            ident, n = f"{base}-{n}", n + 1
        self.used_ids.add(ident)
        return ident, text

    def _sections(
        self, sc: Scenario, v: dict[str, str], inc: _Incident
    ) -> list[tuple[str, list[str]]]:
        rng = self.rng
        started = inc.times[0]
        narrative = [" ".join(_fill(s, v) for s in sc.narrative)]
        if rng.random() < 0.15:
            lines = []
            for i, line in enumerate(rng.sample(sc.logs, len(sc.logs))):
                at = started + timedelta(seconds=37 + 61 * i)
                lines.append(line.format_map({**v, "ts": _ts(at.astimezone(UTC))}))
            narrative.append(
                "The logs at the start of the incident:\n\n```\n" + "\n".join(lines) + "\n```"
            )
        root = [_fill(sc.root_cause, v)]
        if rng.random() < 0.10:
            blames = rng.sample(BLAME, rng.randint(1, 2))
            narrative.append(" ".join(_fill(b, v) for b in blames))
        zone = "UTC" if started.utcoffset() == timedelta(0) else f"UTC{_ts(started)[-6:]}"
        done = sum(1 for it in inc.items if it.status == "done")
        factors = [f"- **{c}**: {d}" for c, d in inc.factors]
        lessons = [f"- {_fill(s, v)}" for s in sc.lessons]
        return [
            ("Summary", [_fill(sc.summary, v)]),
            ("Impact", [inc.impact]),
            ("What happened", narrative),
            (
                "Timeline",
                [
                    f"The timeline in the front matter is in {zone}. Detection took "
                    f"{v['detect']} minutes; mitigation took {v['dur']} from the start."
                ],
            ),
            ("Root cause analysis", root),
            ("Contributing factors", ["\n".join(factors)]),
            (
                "Action items",
                [f"{len(inc.items)} action items, {done} done so far; see the front matter."],
            ),
            ("Lessons learned", ["\n".join(lessons)]),
        ]

    def _fit(self, inc: _Incident, v: dict[str, str]) -> str:
        """Shrink long lists or add narrative until the file is 3-6 KB."""
        rng = self.rng
        text = _front(inc) + _body(inc)
        while len(text.encode()) > MAX_BYTES:
            if len(inc.timeline) > 4:
                del inc.timeline[len(inc.timeline) // 2]
            elif len(inc.items) > 1:
                inc.items.pop()
            elif len(inc.factors) > 1:
                inc.factors.pop()
            else:
                break
            text = _front(inc) + _body(inc)
        target = rng.randint(MIN_BYTES + 200, MAX_BYTES - 300)
        padding = rng.sample(PADDING, len(PADDING))
        sections = dict(inc.body)
        homes = ("What happened", "Root cause analysis", "What happened", "Lessons learned")
        front = _front(inc)  # padding only touches the body
        while len(text.encode()) < target and padding:
            sentence = _fill(padding.pop(), v)
            home = sections[homes[len(padding) % len(homes)]]
            if home and not home[-1].startswith(("- ", "The logs")):
                home[-1] += " " + sentence
            else:
                home.append(sentence)
            text = front + _body(inc)
        return text


# --- the repository -----------------------------------------------------------------


def _config() -> str:
    out = [
        "# A benchmark corpus generated by bench/corpus.py; every name is invented.",
        "",
        "[paths]",
        'postmortems = "postmortems"',
        "",
    ]
    meaning = {
        "SEV1": "Customer-facing outage of a core flow",
        "SEV2": "Core flow degraded, or a secondary feature down",
        "SEV3": "Limited impact with a workaround",
        "SEV4": "No customer impact; a near miss worth learning from",
    }
    for name in SEVERITIES:
        out += ["[[severities]]", f'name = "{name}"', f'description = "{meaning[name]}"']
    categories = sorted({c for sc in SCENARIOS for c, _ in sc.factors} | {"on-call"})
    out += [
        "",
        "[factors]",
        "categories = [" + ", ".join(f'"{c}"' for c in categories) + "]",
        "",
        "[reviews]",
        "follow_up_days = [30, 90]",
        "approvals = 1",
    ]
    for key, (name, team, role) in PEOPLE.items():
        out += [
            "",
            f"[people.{key}]",
            f"name = {json.dumps(name, ensure_ascii=False)}",
            f'team = "{team}"',
            f'role = "{role}"',
            f'email = "{key}@example.com"',
        ]
    return "\n".join(out) + "\n"


def generate(dest: Path, count: int, seed: int = 1) -> None:
    """Write `count` postmortems and a mortem.toml into `dest`, and commit them.

    `dest` must not exist or be empty. The same seed gives the same bytes.
    """
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    folder = dest / "postmortems"
    folder.mkdir(parents=True)
    (dest / "mortem.toml").write_text(_config(), encoding="utf-8")
    maker = _Maker(seed)
    for _ in range(count):
        ident, text = maker.incident()
        (folder / f"{ident}.md").write_text(text, encoding="utf-8")

    env = {**os.environ, **GIT_ENV}
    git = ["git", "-c", "user.name=mortem corpus", "-c", "user.email=corpus@example.com"]
    git += ["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"]
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [
            "commit",
            "-q",
            "--no-verify",
            "-m",
            f"Benchmark corpus: {count} postmortems, seed {seed}",
        ],
    ):
        subprocess.run([*git, *args], cwd=dest, env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a seeded postmortem corpus.")
    parser.add_argument("dest", type=Path, help="folder to create (must be absent or empty)")
    parser.add_argument("--count", type=int, default=1000, help="number of postmortems")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    generate(args.dest, args.count, args.seed)
    took = time.perf_counter() - began
    print(f"wrote {args.count} postmortems to {args.dest} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
