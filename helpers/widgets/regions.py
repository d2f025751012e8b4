"""The region guardrail: tick regions, see the proof matrix, then apply."""

from __future__ import annotations

from dataclasses import replace
from html import escape

import ipywidgets as w

from helpers import guardrails
from helpers.kit import Kit
from helpers.widgets.base import button, changed, html, through
from helpers.widgets.trials import regions


def region_guardrail(kit: Kit) -> w.VBox:
    """Tick the allowed regions and see, before anything is attached, which requests of
    step 06's proof matrix (helpers.scp_proof, through the evaluator) each account would
    allow or deny; "Apply these regions" attaches the guardrails with them
    (helpers.guardrails.apply, refused unless the proof passes). The runbook puts the
    config's allowed_regions back on its next run: the config is the desired state."""
    matrix_pane, out = w.HTML(), w.Output()
    plan = guardrails.prepare(kit)
    if plan is None:
        matrix_pane.value = html("The config has no guardrails section: step 06 leaves SCPs alone.")
        return w.VBox([matrix_pane])
    ticks = {
        region: w.Checkbox(value=region in plan.intent.allowed_regions, description=region)
        for region in regions(kit)
    }
    apply = button("Apply these regions", "shield", "danger")

    def ticked() -> guardrails.Plan:
        regions = tuple(r for r, box in ticks.items() if box.value)
        wanted = replace(plan.intent, allowed_regions=regions, region_allow_list=bool(regions))
        return replace(plan, intent=wanted, scps=guardrails.desired(plan.section, wanted))

    def show() -> None:
        proven = guardrails.proof(kit, ticked())
        refused = [f"<p>Would be refused: {escape(p)}</p>" for p in proven.problems()]
        matrix_pane.value = "".join(refused) + html(proven.table())

    def apply_them() -> None:
        chosen = ticked()
        guardrails.validate(chosen)
        if not kit.apply:
            print("This notebook only plans (apply = False): nothing was attached.")
            return
        guardrails.apply(kit, chosen, guardrails.proof(kit, chosen))
        print(f"Applied: only {', '.join(chosen.intent.allowed_regions)} (and global services).")
        changed(kit)

    for box in ticks.values():
        box.observe(through(out, show), names="value")
    apply.on_click(through(out, apply_them))
    show()
    return w.VBox([w.HBox(list(ticks.values())), apply, out, matrix_pane])
