"""Files at the edge: loan tapes (:mod:`.tape`, :mod:`.workbook`), deal files
(:mod:`.dealfile`) and their JSON Schema (:mod:`.deal_schema`), built-in samples
(:mod:`.samples`), rating-criteria tables (:mod:`.rating_tables`), CSV text safety
(:mod:`.csvsafe`) and atomic writes (:mod:`.atomic`). Imports the model layer only.
"""
