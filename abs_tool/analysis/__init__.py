"""What a structurer asks of a deal: :mod:`.deal_analysis` (``analyse() -> DealAnalysis``,
everything a run reports, which the CLI, the app and the term sheet lay out),
:mod:`.break_even` (break-even default rates), :mod:`.economics` (issuer flows and cost of
funds), :mod:`.rating` (indicative criteria and target default rates), :mod:`.structuring`
(sizing to target ratings, pricing, sensitivity grids), :mod:`.pool_stats` (pool summary and
stratification). Imports the engine and below.
"""
