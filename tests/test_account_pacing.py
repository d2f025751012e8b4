"""How step 02 paces account creation (helpers.accounts.create), on a fake clock: five in
flight, a freed slot refilled at once, looks at a creation never more than a second (or a
quarter of the typical creation time) apart. The real creations against the sandbox are
in tests/test_accounts.py; seconds are measured by bench/scale.py, not here."""

from __future__ import annotations

import math
from types import SimpleNamespace

from helpers import accounts


class Clock:
    """Fake time: sleeping moves it on, calls take none."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


class Organizations:
    """CreateAccount and DescribeCreateAccountStatus as AWS answers them: each creation
    succeeds `seconds` after it was asked for; at most five may be in progress."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock, self.seconds = clock, seconds
        self.started: dict[str, float] = {}
        self.looks: dict[str, list[float]] = {}
        self.ended: list[float] = []  # when a look first saw a creation done

    def in_progress(self) -> int:
        now = self.clock()
        return sum(now < t + self.seconds for t in self.started.values())

    def create_account(self, AccountName: str, Email: str) -> dict:
        assert self.in_progress() < accounts.MAX_IN_FLIGHT, "a sixth creation while five run"
        request_id = f"car-{len(self.started)}"
        self.started[request_id] = self.clock()
        return {"CreateAccountStatus": {"Id": request_id, "State": "IN_PROGRESS"}}

    def describe_create_account_status(self, CreateAccountRequestId: str) -> dict:
        now, started = self.clock(), self.started[CreateAccountRequestId]
        self.looks.setdefault(CreateAccountRequestId, []).append(now)
        if now < started + self.seconds:
            return {"CreateAccountStatus": {"Id": CreateAccountRequestId, "State": "IN_PROGRESS"}}
        self.ended.append(now)
        number = CreateAccountRequestId.removeprefix("car-")
        status = {"Id": CreateAccountRequestId, "State": "SUCCEEDED", "AccountId": number}
        return {"CreateAccountStatus": status}


def create(count: int, seconds: float, running: dict[str, str] | None = None):
    clock = Clock()
    orgs = Organizations(clock, seconds)
    waiting = [SimpleNamespace(name=f"a{n}", email=f"a{n}@example.com") for n in range(count)]
    done = list(accounts.create(orgs, waiting, running or {}, accounts.Pacer(), clock, clock.sleep))
    return clock, orgs, done


def test_twenty_accounts_of_two_seconds_take_little_more_than_four_rounds():
    clock, orgs, done = create(20, 2.0)
    assert sorted(name for name, _ in done) == sorted(f"a{n}" for n in range(20))
    assert all(status["State"] == "SUCCEEDED" for _, status in done)
    ideal = math.ceil(20 / accounts.MAX_IN_FLIGHT) * 2.0
    assert clock.now <= 1.25 * ideal


def test_a_freed_slot_is_refilled_at_once():
    _, orgs, _ = create(12, 2.0)
    later = sorted(orgs.started.values())[accounts.MAX_IN_FLIGHT :]
    assert all(started in orgs.ended for started in later)  # asked the moment one ended


def test_long_creations_are_looked_at_at_least_every_second():
    _, orgs, done = create(7, 600.0)  # ten minutes each
    assert len(done) == 7
    for request_id, looks in orgs.looks.items():
        gaps = [b - a for a, b in zip(looks, looks[1:], strict=False)]
        assert all(gap <= 1.0 + 1e-9 for gap in gaps)
        assert looks[-1] - orgs.started[request_id] <= 600.0 + 1.0  # seen done within 1 s


def test_once_one_ended_the_next_is_first_looked_at_when_it_should_be_done():
    _, orgs, _ = create(10, 8.0)
    second_round = sorted(orgs.started, key=orgs.started.get)[accounts.MAX_IN_FLIGHT :]
    for request_id in second_round:
        looks = orgs.looks[request_id]
        assert looks[0] - orgs.started[request_id] >= 8.0  # no look before the typical time
        assert len(looks) <= 2


def test_an_earlier_runs_creation_is_waited_for_and_counts_against_the_five():
    clock = Clock()
    orgs = Organizations(clock, 3.0)
    earlier = orgs.create_account(AccountName="dev", Email="dev@example.com")
    running = {earlier["CreateAccountStatus"]["Id"]: "dev"}
    waiting = [SimpleNamespace(name=f"a{n}", email=f"a{n}@example.com") for n in range(6)]
    pacer = accounts.Pacer()
    done = dict(accounts.create(orgs, waiting, running, pacer, clock, clock.sleep))
    assert set(done) == {"dev", *(f"a{n}" for n in range(6))}
    assert len(orgs.started) == 7  # dev was not asked for again
