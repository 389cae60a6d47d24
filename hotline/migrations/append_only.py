"""Database triggers that make ``ticket_events`` append-only.

The audit trail is evidence: who did what to a citizen's request and when. The
application never updates or deletes an event, and these triggers make the
database refuse it too, whoever connects.
"""

def install(bind) -> None:
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("""
            CREATE FUNCTION ticket_events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'ticket_events is append-only'; END $$ LANGUAGE plpgsql""")
        bind.exec_driver_sql("""
            CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
            FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only()""")
    else:
        for verb in ("UPDATE", "DELETE"):
            bind.exec_driver_sql(f"""
                CREATE TRIGGER ticket_events_no_{verb.lower()} BEFORE {verb} ON ticket_events
                BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END""")


def remove(bind) -> None:
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS ticket_events_no_change ON ticket_events")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS ticket_events_append_only()")
    else:
        for verb in ("update", "delete"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS ticket_events_no_{verb}")
