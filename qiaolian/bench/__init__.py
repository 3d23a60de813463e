"""``qiaolian bench``: generated data at scale on PostgreSQL, and measurements on it.

Plain modules, not a Django app: ``generate`` fills a database fast (PostgreSQL ``COPY``),
``measure`` holds the measurements (each against a baseline taken in the same run), ``runner``
creates the bench database, runs both and writes the results (JSON and docs/performance.md).
"""
