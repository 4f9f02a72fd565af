"""The sidebar of every page: the language (and in Chinese the money unit, 万元 or 亿元), and
which deal is loaded (a built-in sample or an
uploaded deal file). Drawn before the page, so a deal loaded here fills the page's inputs."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from abs_tool import AbsToolError, glossary as g
from abs_tool.errors import render
from abs_tool.io.dealfile import MAX_DEAL_FILE_BYTES, SAMPLE_DEALS

from . import inputs, run, state
from .labels import LANG_KEY, LANG_NAMES, MONEY_UNIT_KEY, deal_name, lang, namer, t

DEALS: tuple[str, ...] = tuple(SAMPLE_DEALS)


def draw() -> None:
    bar = st.sidebar
    bar.radio(t("app.language"), tuple(LANG_NAMES), format_func=LANG_NAMES.__getitem__,
              horizontal=True, **state.widget(LANG_KEY))
    if lang() == "zh":  # English shows RMB with thousands separators
        bar.radio(t("app.money_unit"), g.MONEY_UNITS, horizontal=True,
                  index=state.index(MONEY_UNIT_KEY, g.MONEY_UNITS),
                  format_func=namer("money_unit", g.MONEY_UNITS),
                  **state.widget(MONEY_UNIT_KEY, labelled=True))
    inputs.ensure_loaded()
    cluster(bar)
    bar.subheader(t("deal.title"))
    bar.caption(t("deal.loaded").format(name=deal_name(st.session_state[state.DEAL_BASE].name)))
    bar.selectbox(t("deal.sample"), DEALS, index=state.index("deal_sample", DEALS),
                  format_func=namer("deal", DEALS), **state.widget("deal_sample", labelled=True))
    if bar.button(t("deal.load_sample"), key="deal_load_sample", help=t("deal.load_help")):
        inputs.load_sample(st.session_state["deal_sample"])
        bar.success(t("deal.sample_loaded"))
    upload = bar.file_uploader(t("deal.upload"), type=["json"], key="deal_upload",
                               max_upload_size=MAX_DEAL_FILE_BYTES // 2**20,
                               help=t("deal.upload_help") + " " + t("upload.help"))
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state[state.DEAL_UPLOAD] == digest:
        return
    try:
        inputs.load_upload(data, upload.name)
    except AbsToolError as exc:  # a deal-file error, or a limit such as its size
        bar.error(render(exc, lang()))
        return
    st.session_state[state.DEAL_UPLOAD] = digest
    bar.success(t("deal.upload_loaded").format(file=upload.name))


def cluster(bar: Any) -> None:
    """Where the Monte Carlo and sizing runs execute: off (this process's threads), or a
    Dask scheduler address (``tcp://HOST:8786``) or ``local:N`` (N worker processes here).
    Opened once per session (:func:`ui.run.connect`); a failure is a message, never a
    traceback, and runs then stay on this process's threads."""
    on = bar.checkbox(t("dask.on"), help=t("dask.help"), **state.widget("dask_on"))
    if not on:
        run.connect(None)
        return
    address = bar.text_input(t("dask.address"), help=t("dask.address_help"),
                             **state.widget("dask_address"))
    held = run.connect(address.strip())
    assert held is not None  # a spec was given
    if held.executor is not None:
        bar.success(held.where)
        return
    bar.error(held.error)
    if bar.button(t("dask.retry"), key="dask_retry"):
        run.connect(None)
        run.connect(address.strip())
        st.rerun()
