"""Explain an infeasible scenario in the planner's words.

Two steps:

1. `model.optimise.precheck.precheck(park)`, before solving: can each hard permit, park
   cap, reduction target and energy limit be met at all, ignoring the budget?
2. `explain_infeasibility(park, options)`: when the pre-check passes but the solver
   proves the model infeasible, `model.optimise.relaxation.conflict` finds the limits in conflict
   and, for each, the least relaxation of that limit alone that makes the scenario
   feasible with every other limit kept (for the budget: the least net capex of a
   portfolio meeting every other limit), or that relaxing it alone is not enough, and the
   other limits that force it. `conflict_messages` words the answer: one sentence per
   limit, amounts formatted by `model.formatting`.
"""

from __future__ import annotations

from model.compile.park import ParkData
from model.formatting import percent
from model.input.run_options import SolverOptions
from model.optimise.conflict import Conflict, LeastRelaxation, conflict
from model.optimise.limits import Limit

MAX_FORCING_NAMED = 5
"""Most limits named as forcing a relaxation; the rest are counted ("and 3 more")."""


def explain_infeasibility(park: ParkData, options: SolverOptions) -> list[str]:
    """Sentences explaining why a scenario that passed the pre-check is infeasible: the
    limits in conflict, how far each must move alone and what forces it (module
    docstring)."""
    return conflict_messages(park, conflict(park, options))


_WHAT_DROPPING_GIVES = {
    "budget": "what dropping each one alone would save",
    "budget_year": "what dropping each one alone would save",
    "public_budget": "what dropping each one alone would save",
    "permit": "how much less would be left without each one alone",
    "park_cap": "how much less would be left without each one alone",
    "energy_cap": "how much less would be left without each one alone",
    "reduction": "how much more could be removed without each one alone",
    "energy_reduction": "how much more could be saved without each one alone",
}
"""What the figure after a forcing limit means (by how much dropping that one limit
lowers the least relaxation), by the kind of limit that must move."""


def conflict_messages(park: ParkData, found: Conflict) -> list[str]:
    """One sentence per limit in conflict (see `explain_infeasibility`)."""
    limits = found.limits
    if found.structural:
        if found.complete:
            return [
                "no relaxation of the budgets, permits, caps and targets makes the scenario "
                "feasible: check exclusive groups, prerequisites, shared-facility capacities, "
                "options done at once and the screening"
            ]
        return [
            "the scenario is infeasible; the search for the limits in conflict found no "
            "answer in the time allowed"
        ]
    fixers = [item for item in found.candidates if item.fixes]
    if not found.candidates or any(item.amount <= 0 for item in fixers):
        return [
            "the solver reported the scenario infeasible, but on re-solving a portfolio "
            "meeting every limit exists (numerical trouble: try a tighter solver tolerance)"
        ]
    messages = []
    if len(fixers) > 1:
        messages.append("any one of the following changes alone makes the scenario feasible:")
    messages += [_fixer_sentence(park, limits, item) for item in fixers]
    for item in found.candidates:
        if item.fixes:
            continue
        label = limits[item.index].label
        if item.status == "infeasible":
            messages.append(
                f"relaxing the {label} alone, however far, does not make the scenario feasible"
            )
        else:
            messages.append(
                f"whether relaxing the {label} alone can make the scenario feasible was not "
                "settled in the time allowed"
            )
    if any(i not in {item.index for item in fixers} for i in found.joint):
        moves = [
            f"{limits[i].label} {'up' if limits[i].upper else 'down'} by "
            f"{limits[i].show(relaxation)}"
            for i, relaxation in found.joint.items()
        ]
        messages.append(f"relaxing these limits together is enough: {_and(moves)}")
    if found.complete and not fixers:
        messages.append("no single limit can make the scenario feasible by moving alone")
    if found.unsettled:
        messages.append(
            f"{found.unsettled} more limits in conflict were not examined (the search's "
            "effort limit was reached)"
        )
    return messages


def _and(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _others(limits: list[Limit], index: int) -> str:
    """The other limits in words: 'every permit, cap and target' when they are only of
    those kinds, else 'every other limit'."""
    kinds = {limit.kind for i, limit in enumerate(limits) if i != index}
    if kinds & {"budget", "budget_year", "public_budget"}:
        return "every other limit"
    families = [
        name
        for name, members in (
            ("permit", {"permit"}),
            ("cap", {"park_cap", "energy_cap"}),
            ("target", {"reduction", "energy_reduction"}),
        )
        if kinds & members
    ]
    return f"every {_and(families)}" if families else "every other limit"


def _fixer_sentence(park: ParkData, limits: list[Limit], item: LeastRelaxation) -> str:
    """'<limit> is too small / cannot be met ...: <least relaxation>. Limits that force
    this ...'."""
    limit = limits[item.index]
    plan = "plan" if park.multi_year else "portfolio"
    moved, by = limit.moved(item.amount), limit.show(item.amount)
    kind = limit.kind
    if kind == "budget":
        text = (
            f"{limit.label} is too small: the cheapest {plan} that meets "
            f"{_others(limits, item.index)} costs {limit.show(moved)} ({by} more)"
        )
    elif kind in ("budget_year", "public_budget"):
        text = (
            f"{limit.label} is too small: to meet every other limit it must be at least "
            f"{limit.show(moved)} ({by} more)"
        )
    elif kind in ("permit", "park_cap", "energy_cap"):
        what = {
            "permit": f"{park.enterprise_ids[limit.row or 0]} {_pollutant(park, limit)}",
            "park_cap": f"park {_pollutant(park, limit)}",
            "energy_cap": "park energy use",
        }[kind]
        text = (
            f"{limit.label} cannot be met together with the other limits: the least "
            f"{what} that any {plan} meeting them leaves is {limit.show(moved)} ({by} over)"
        )
    else:
        verb = "removes" if kind == "reduction" else "saves"
        baseline = (
            float(park.baseline_emissions[:, limit.item].sum())
            if kind == "reduction"
            else park.baseline_tce()
        )
        share = f" = {percent(moved / baseline)}" if baseline > 0 else ""
        text = (
            f"{limit.label} ({limit.show(limit.value)}) cannot be met together with the "
            f"other limits: the most any {plan} meeting them {verb} is "
            f"{limit.show(moved)}{share} ({by} short)"
        )
    if item.status != "optimal":
        text += " (the best found in the time allowed; the least may be smaller)"
    return text + _forcing_text(limits, item)


def _pollutant(park: ParkData, limit: Limit) -> str:
    return park.pollutant_ids[limit.item] if limit.item is not None else ""


def _forcing_text(limits: list[Limit], item: LeastRelaxation) -> str:
    """'. Limits that force this, with what dropping each one alone would save: A (x),
    B (y) and 3 more' (at most MAX_FORCING_NAMED named, most forcing first)."""
    limit = limits[item.index]
    forcing = item.forcing
    if forcing is None:
        return (
            ". The limits that force this were not checked (the search's effort limit was reached)"
        )
    if forcing.found:
        named = [
            f"{limits[k].label} ({'at least ' if k in forcing.unproven else ''}"
            f"{limit.show(item.amount - without)})"
            for k, without in forcing.found[:MAX_FORCING_NAMED]
        ]
        more = len(forcing.found) - len(named)
        listed = ", ".join(named) + (f" and {more} more" if more else "")
        text = f". Limits that force this, with {_WHAT_DROPPING_GIVES[limit.kind]}: {listed}"
    else:
        text = ". No other limit, dropped alone, lowers this"
    if forcing.checked < forcing.candidates:
        text += (
            f" (checked {forcing.checked} of {forcing.candidates} other limits before the "
            "search's effort limit)"
        )
    return text
