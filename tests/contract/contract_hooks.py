"""Schemathesis hooks for every module's contract run (loaded via SCHEMATHESIS_HOOKS).

Null link values. In the stateful phase schemathesis fills parameters from
links it infers from the answers, e.g. `team_id` of every agent in a list
(`$response.body#/data/*/team_id`) into `DELETE /teams/{team_id}`. Such a
field is nullable (an agent without a team), and when the pick among the
list's values falls on a null, schemathesis 4.32 puts it into the path as the
text "None": a request that is not schema-valid, sent as a positive case, so
the server's rightful 400/404 is reported as a positive_data_acceptance
failure. A single null value is already skipped by schemathesis (the
parameter is then generated); this hook does the same for a null picked from
several: such a path parameter is generated from its schema instead.

Set CONTRACT_HOOK_LOG to a file to record each replacement (one line each).
"""

import os

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.generation.meta import TestPhase

LOG = os.environ.get("CONTRACT_HOOK_LOG")


def _log(*parts):
    if LOG:
        with open(LOG, "a") as f:
            print(*parts, file=f)


@schemathesis.hook
def flatmap_case(ctx, case):
    params = case.path_parameters or {}
    missing = [name for name, value in params.items() if value is None]
    if not missing:
        return st.just(case)
    kept = {name: value for name, value in params.items() if value is not None}

    def fill(fresh):
        case.path_parameters = {**kept, **{name: fresh.path_parameters[name] for name in missing}}
        _log("null link value replaced:", case.operation.label, ",".join(missing))
        return case

    # A link's value is a real id, so the replacement is a schema-valid one
    # whatever the case's mode (a negative case is negative elsewhere).
    return case.operation.as_strategy(
        generation_mode=GenerationMode.POSITIVE, phase=TestPhase.STATEFUL, path_parameters=kept
    ).map(fill)
