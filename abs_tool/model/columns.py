"""The canonical loan-tape columns, their Chinese aliases and their defaults.

One row is one loan or receivable. Every module that reads or writes a tape uses these
names; the tape reader maps aliases onto them and fills optional columns with the defaults
below (each fill is reported as a warning).
"""

from __future__ import annotations

from enum import StrEnum


class Amortization(StrEnum):
    """Repayment types (DOMAIN.md). See :mod:`abs_tool.model.amortization` for the cash flows."""

    LEVEL = "level"  # 等额本息: annuity
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    BULLET = "bullet"  # 到期一次还本付息: principal and simple interest at maturity
    INTEREST_ONLY = "interest_only"  # 先息后本: interest monthly, principal at maturity
    INSTALLMENT_FEE = "installment_fee"  # 分期手续费: equal principal + flat fee on original


AMORTIZATION_CODES: tuple[str, ...] = tuple(a.value for a in Amortization)

HEADER_ROW = 1
"""The spreadsheet row of a tape's header; loan rows start at ``HEADER_ROW + 1``."""

REQUIRED_COLUMNS: tuple[str, ...] = ("loan_id", "balance", "rate", "remaining_term")

# Optional columns in the order they appear in a canonical tape.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "amortization",
    "original_balance",
    "original_term",
    "seasoning",
    "annual_pd",
    "lgd",
    "grade",
    "obligor_id",
    "region",
    "industry",
    "score",
)

ALL_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

NUMERIC_COLUMNS: frozenset[str] = frozenset(
    {"balance", "rate", "remaining_term", "original_balance", "original_term", "seasoning",
     "annual_pd", "lgd", "score"}
)
INTEGER_COLUMNS: frozenset[str] = frozenset({"remaining_term", "original_term", "seasoning"})
TEXT_COLUMNS: frozenset[str] = frozenset(
    {"loan_id", "amortization", "grade", "obligor_id", "region", "industry"}
)

# Header aliases, compared after stripping spaces and lower-casing.
COLUMN_ALIASES: dict[str, str] = {
    "贷款编号": "loan_id",
    "资产编号": "loan_id",
    "剩余本金": "balance",
    "未偿本金": "balance",
    "年利率": "rate",
    "利率": "rate",
    "剩余期限": "remaining_term",
    "还款方式": "amortization",
    "合同金额": "original_balance",
    "原始本金": "original_balance",
    "原始期限": "original_term",
    "合同期限": "original_term",
    "账龄": "seasoning",
    "违约概率": "annual_pd",
    "违约损失率": "lgd",
    "等级": "grade",
    "评级": "grade",
    "借款人": "obligor_id",
    "债务人": "obligor_id",
    "地区": "region",
    "行业": "industry",
    "评分": "score",
}

# Repayment types as originators write them, compared after stripping spaces and lower-casing.
# A type that pays interest quarterly (按季付息) is none of the codes and is not aliased.
AMORTIZATION_ALIASES: dict[str, str] = {
    "等额本息": Amortization.LEVEL,
    "等额本息还款": Amortization.LEVEL,
    "按月等额本息": Amortization.LEVEL,
    "annuity": Amortization.LEVEL,
    "等额本金": Amortization.EQUAL_PRINCIPAL,
    "等额本金还款": Amortization.EQUAL_PRINCIPAL,
    "按月等额本金": Amortization.EQUAL_PRINCIPAL,
    "到期一次还本": Amortization.BULLET,
    "到期一次还本付息": Amortization.BULLET,
    "到期一次性还本付息": Amortization.BULLET,
    "一次性还本付息": Amortization.BULLET,
    "一次还本付息": Amortization.BULLET,
    "利随本清": Amortization.BULLET,
    "先息后本": Amortization.INTEREST_ONLY,
    "按月付息到期还本": Amortization.INTEREST_ONLY,
    "按月付息": Amortization.INTEREST_ONLY,
    "按月付息到期一次还本": Amortization.INTEREST_ONLY,
    "分期手续费": Amortization.INSTALLMENT_FEE,
    "等本等费": Amortization.INSTALLMENT_FEE,
}

# Display labels for the UI and the term sheet (English, Chinese).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "loan_id": ("Loan ID", "贷款编号"),
    "balance": ("Balance", "剩余本金"),
    "rate": ("Rate (annual)", "年利率"),
    "remaining_term": ("Remaining term (months)", "剩余期限(月)"),
    "amortization": ("Amortization", "还款方式"),
    "original_balance": ("Original balance", "合同金额"),
    "original_term": ("Original term (months)", "原始期限(月)"),
    "seasoning": ("Seasoning (months)", "账龄(月)"),
    "annual_pd": ("Annual PD", "违约概率"),
    "lgd": ("LGD", "违约损失率"),
    "grade": ("Grade", "等级"),
    "obligor_id": ("Obligor", "借款人"),
    "region": ("Region", "地区"),
    "industry": ("Industry", "行业"),
    "score": ("Score", "评分"),
}
