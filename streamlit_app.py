"""ABS Structuring: the app's entry point. Pages live in ``ui/pages``; run with
``streamlit run streamlit_app.py``."""

import streamlit as st

from ui import state
from ui.labels import LANG_KEY, LANG_NAMES, t

st.set_page_config(page_title="ABS Structuring", layout="wide")
state.init()
st.sidebar.radio(t("app.language"), tuple(LANG_NAMES), format_func=LANG_NAMES.__getitem__,
                 horizontal=True, **state.widget(LANG_KEY))
# Pages in the order of the work: the pool, then the deal's cash flows.
navigation = st.navigation([
    st.Page("ui/pages/pool.py", title=t("nav.pool"), url_path="pool", default=True),
    st.Page("ui/pages/cashflows.py", title=t("nav.cashflows"), url_path="cashflows"),
])
navigation.run()
