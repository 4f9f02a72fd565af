"""Credit models: a default assumption turned into its curves (:mod:`.curves`, the one place
both engines read F(t) and the hazard from), the copula the Monte Carlo draws from
(:mod:`.copula`) and the closed forms of the one-factor Gaussian copula (:mod:`.vasicek`).

Nothing is imported here: the closed forms need :mod:`scipy.stats`, which takes a second to
import and which the app and the Monte Carlo do not need.
"""
