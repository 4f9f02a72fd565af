"""Streamlit user interface: a shell around :mod:`abs_tool`.

``ui.pages`` holds one script per page (read session state, call the library, render);
``ui.state`` the session-state keys and the one place library errors are shown;
``ui.cache`` the cached wrappers around slow library calls; ``ui.labels`` every visible
label in English and Chinese; ``ui.format`` display formatting of numbers.
Only this package and ``streamlit_app.py`` import Streamlit.
"""
