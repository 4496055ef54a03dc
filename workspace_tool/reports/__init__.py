"""Reports: pure functions from an index (and, where available, a plan) to report data.

`time` (hours and money per group), `billing` (rates, billability, invoiced
entries), `projects` (portfolio health), `people` (utilisation), `estimates`
(estimate accuracy), `goals` (key results and their projects).
"""
