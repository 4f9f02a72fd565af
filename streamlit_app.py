"""ABS Structuring: the app's entry point. Pages live in ``ui/pages``; run with
``streamlit run streamlit_app.py``."""

import streamlit as st

from ui import sidebar, state
from ui.labels import t

st.set_page_config(page_title="ABS Structuring", layout="wide")
state.init()
# The sidebar and the page each run guarded: a failure shows a message with a reference, never
# a traceback, and a failing sidebar still leaves the page usable.
with state.guard(st.sidebar):
    sidebar.draw()
# Pages in the order of the work. The app opens on Results: the built-in consumer deal,
# already run.
navigation = st.navigation([
    st.Page("ui/pages/deal.py", title=t("nav.deal"), url_path="deal"),
    st.Page("ui/pages/pool.py", title=t("nav.pool"), url_path="pool"),
    st.Page("ui/pages/assumptions.py", title=t("nav.assumptions"), url_path="assumptions"),
    st.Page("ui/pages/structure.py", title=t("nav.structure"), url_path="structure"),
    st.Page("ui/pages/results.py", title=t("nav.results"), url_path="results", default=True),
    st.Page("ui/pages/structuring.py", title=t("nav.structuring"), url_path="structuring"),
    st.Page("ui/pages/static_pool.py", title=t("nav.static_pool"), url_path="static_pool"),
    st.Page("ui/pages/stress.py", title=t("nav.stress"), url_path="stress"),
    st.Page("ui/pages/cashflows.py", title=t("nav.cashflows"), url_path="cashflows"),
    st.Page("ui/pages/export.py", title=t("nav.export"), url_path="export"),
])
with state.guard():
    navigation.run()
