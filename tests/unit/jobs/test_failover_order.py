"""`auto` fails over in the registry's order: the best-ranked service neither skipped when the job was
made nor tried already comes next."""

from __future__ import annotations

from jobs.logic.routing import candidates_left


def entry(service_id, skipped=None):
    return {"service_id": service_id, "name": service_id, "skipped": skipped}


def attempt(service_id):
    return {"service_id": service_id, "service_name": service_id, "refused": "no"}


RANKING = [entry("a"), entry("b", skipped="no token of yours"), entry("c"), entry("d"), entry("e", skipped="down")]


def test_the_next_service_is_the_best_ranked_one_left():
    assert [e["service_id"] for e in candidates_left(RANKING, [])] == ["a", "c", "d"]
    assert [e["service_id"] for e in candidates_left(RANKING, [attempt("a")])] == ["c", "d"]
    assert [e["service_id"] for e in candidates_left(RANKING, [attempt("a"), attempt("c")])] == ["d"]


def test_an_attempt_out_of_order_is_not_tried_again_and_none_left_is_empty():
    assert [e["service_id"] for e in candidates_left(RANKING, [attempt("c")])] == ["a", "d"]
    assert candidates_left(RANKING, [attempt(s) for s in "acd"]) == []
    assert candidates_left([], []) == []
