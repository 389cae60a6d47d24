"""Jobs: written with the transaction, submitted after commit, retried, never silently dropped."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.job_runs import run_job, run_jobs
from hotline.jobs import Job, JobStatus, enqueue, enqueue_many, task
from hotline.queues import RqQueue, WORKER_SERVICES
from hotline.scheduler import relay

CALLS: list[dict] = []


@task("tests.record")
def record_call(ctx, **args):
    CALLS.append({"job": ctx.job_id, "attempt": ctx.attempt, **args})


@task("tests.flaky")
def flaky(ctx, fail_times: int):
    if ctx.attempt <= fail_times:
        raise RuntimeError(f"attempt {ctx.attempt} failed")
    CALLS.append({"job": ctx.job_id, "attempt": ctx.attempt})


def record_batch(ctx, jobs):
    if any(job.get("bad") for job in jobs):
        raise RuntimeError("one bad job in the batch")
    CALLS.append({"batch": [job["value"] for job in jobs]})


@task("tests.batched", batch=record_batch)
def record_one(ctx, value: int, bad: bool = False):
    if bad:
        raise RuntimeError("bad job")
    CALLS.append({"job": ctx.job_id, "value": value})


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def _jobs(services):
    with services.db.reading() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_job_is_submitted_only_after_commit(services):
    with services.db.transaction() as session:
        enqueue(session, "tests.record", now=services.clock(), value=1)
        assert services.queue.drain() == 0  # nothing visible to the queue before commit
    assert services.queue.drain() == 1
    assert CALLS == [{"job": 1, "attempt": 1, "value": 1}]
    assert [j.status for j in _jobs(services)] == [JobStatus.DONE]


def test_rolled_back_transaction_leaves_no_job(services):
    with pytest.raises(RuntimeError):
        with services.db.transaction() as session:
            enqueue(session, "tests.record", now=services.clock(), value=2)
            raise RuntimeError("the action failed")
    assert services.queue.drain() == 0 and _jobs(services) == []


def test_failing_job_is_retried_with_backoff_then_marked_failed(services, clock):
    with services.db.transaction() as session:
        enqueue(session, "tests.flaky", now=clock(), fail_times=99)
    services.queue.drain()
    job = _jobs(services)[0]
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1) and "attempt 1 failed" in job.last_error
    assert run_job(services, job.id, clock()) is None  # its back-off has not passed
    for attempt in range(2, job.max_attempts + 1):
        clock.advance(hours=2)
        assert relay(services.db, services.queue.submit, clock()) == 1
        services.queue.drain()
    job = _jobs(services)[0]
    assert (job.status, job.attempts) == (JobStatus.FAILED, job.max_attempts)
    clock.advance(days=1)
    assert relay(services.db, services.queue.submit, clock()) == 0  # a failed job stays visible, not retried


def test_job_of_a_dead_worker_is_run_again(services, clock):
    with services.db.transaction() as session:
        job_id = enqueue(session, "tests.record", now=clock(), value=3).id
    with services.db.transaction() as session:  # a worker claimed it and died
        session.get(Job, job_id).status = JobStatus.RUNNING
        session.get(Job, job_id).started_at = clock()
    services.queue.drain()
    assert CALLS == []
    clock.advance(minutes=20)
    assert relay(services.db, services.queue.submit, clock()) == 1
    services.queue.drain()
    assert CALLS[0]["value"] == 3 and _jobs(services)[0].status == JobStatus.DONE


def test_rq_worker_runs_jobs_and_redis_outage_loses_nothing(services, clock, redis_url):
    from redis import Redis
    from rq import SimpleWorker

    down = RqQueue(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    services.db.job_submitter = down.submit
    with services.db.transaction() as session:
        enqueue(session, "tests.record", now=clock(), value=4)  # Redis is down: committed anyway
    assert _jobs(services)[0].status == JobStatus.PENDING

    up = RqQueue(Redis.from_url(redis_url))
    services.db.job_submitter = up.submit
    clock.advance(minutes=1)
    assert relay(services.db, up.submit, clock()) == 1
    WORKER_SERVICES.update(services=services, clock=clock)
    SimpleWorker([up.queue], connection=up.redis).work(burst=True)
    assert CALLS == [{"job": 1, "attempt": 1, "value": 4}]
    assert _jobs(services)[0].status == JobStatus.DONE
    assert up.health()["ok"] and not down.health()["ok"]


def test_follow_up_jobs_start_with_the_ticket_and_not_on_redelivery(services):
    from tracking import actions as act
    from tracking.states import Channel

    new = act.NewTicket(channel=Channel.SMS, content="噪音扰民", contact_phone="13700137000", external_id="SM9")
    sms = act.Actor.system("短信通道")
    first = act.register_ticket(services.ledger, new, actor=sms, now=services.clock(),
                                follow_ups=[("tests.record", {"value": 5})])
    again = act.register_ticket(services.ledger, new, actor=sms, now=services.clock(),
                                follow_ups=[("tests.record", {"value": 5})])
    assert services.queue.drain() == 1
    assert CALLS == [{"job": 1, "attempt": 1, "ticket_id": first.ticket.id, "value": 5}]
    assert again.created is False


def test_jobs_submitted_together_run_through_the_batch_form(services, clock):
    with services.db.transaction() as session:
        ids = enqueue_many(session, [("tests.batched", None, {"value": n}) for n in range(3)]
                           + [("tests.record", None, {"value": 9})], now=clock())
    assert services.queue.drain() == 4  # one submission of four ids
    assert CALLS[0] == {"batch": [0, 1, 2]} and CALLS[1]["value"] == 9
    assert [j.status for j in _jobs(services)] == [JobStatus.DONE] * 4
    assert run_jobs(services, ids, clock()) == {}  # done already: nothing is run twice


def test_a_failing_batch_runs_its_jobs_one_by_one_so_only_the_bad_one_fails(services, clock):
    with services.db.transaction() as session:
        enqueue_many(session, [("tests.batched", None, {"value": 1}), ("tests.batched", None, {"value": 2, "bad": True}),
                               ("tests.batched", None, {"value": 3})], now=clock())
    services.queue.drain()
    assert [c["value"] for c in CALLS] == [1, 3]
    jobs = _jobs(services)
    assert [j.status for j in jobs] == [JobStatus.DONE, JobStatus.PENDING, JobStatus.DONE]
    assert "bad job" in jobs[1].last_error and jobs[1].attempts == 1  # retried later with back-off


def test_relay_leaves_a_backlog_alone_and_takes_back_what_no_queue_holds(services, clock):
    """After a burst the queue holds the jobs: handing them over again would only add duplicates."""
    with services.db.transaction() as session:
        waiting = enqueue_many(session, [("tests.record", None, {"value": n}) for n in range(3)], now=clock())
    clock.advance(minutes=1)
    assert relay(services.db, services.queue.submit, clock(), backlog=1) == 0  # still queued, surely
    handed: list[list[int]] = []
    assert relay(services.db, services.queue.submit, clock(), backlog=0, submit_many=handed.append) == 3
    assert handed == [waiting]  # the queue emptied and they are still pending: lost, so sent again at once


def test_a_batch_run_takes_the_jobs_of_its_task_waiting_behind_it(services, clock):
    with services.db.transaction() as session:
        first = enqueue_many(session, [("tests.batched", None, {"value": 1})], now=clock())
    with services.db.transaction() as session:
        enqueue_many(session, [("tests.batched", None, {"value": n}) for n in (2, 3)]
                     + [("tests.record", None, {"value": 9})], now=clock())
    assert set(run_jobs(services, first, clock()).values()) == {JobStatus.DONE}
    assert CALLS == [{"batch": [1, 2, 3]}]  # the later group's jobs joined; the other task's did not
    assert services.queue.drain() == 4  # their own submissions (4 ids) then find only tests.record to run
    assert CALLS[1]["value"] == 9 and len(CALLS) == 2
