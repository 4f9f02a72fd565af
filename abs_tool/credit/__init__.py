"""Credit models: closed forms of the one-factor Gaussian copula (:mod:`.vasicek`)."""

from .vasicek import (
    conditional_pd,
    finite_pool_pmf,
    finite_pool_tranche_el,
    lhp_attachment_for_el,
    lhp_cdf,
    lhp_pdf,
    lhp_quantile,
    lhp_tranche_el,
    lhp_tranche_el_quadrature,
)

__all__ = [
    "conditional_pd",
    "finite_pool_pmf",
    "finite_pool_tranche_el",
    "lhp_attachment_for_el",
    "lhp_cdf",
    "lhp_pdf",
    "lhp_quantile",
    "lhp_tranche_el",
    "lhp_tranche_el_quadrature",
]
