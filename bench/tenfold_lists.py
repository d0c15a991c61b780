"""Repeat a dataset copy's organisations, pledges, applications and awards ten times (names
suffixed " 1" … " 9"), for plans of the public lists at about national size without a copy
of the 100 % dataset (bench/FINDINGS.md, "The public lists' deep pages and filters").

    createdb -h 127.0.0.1 -U postgres -T ppp_<name>_10 ppp_<name>_x_10
    python bench/tenfold_lists.py postgres://postgres@127.0.0.1:5432/ppp_<name>_x_10
    BENCH_DATABASE_PREFIX=ppp_<name>_x python bench/national.py measure --scales 0.1 --only ...

Only those four tables grow: every other row (certificates, reviews, the organisations'
members) stays as it was, so it is a copy for the lists' queries, not a dataset.
"""

import sys

import psycopg

OFFSET = "(k * 1000000)"
CHANGED = {
    "accounts_organisation": {
        "id": f"id + {OFFSET}",
        "name": "name || ' ' || k",
        "slug": "slug || '-x' || k",
        "urn": "NULL",
        "claimed_urn": "''",
    },
    "charter_pledge": {
        "id": f"id + {OFFSET}",
        "organisation_id": f"organisation_id + {OFFSET}",
        "public_id": "gen_random_uuid()",
        "sort_name": "sort_name || ' ' || k",
    },
    "accreditation_application": {
        "id": f"id + {OFFSET}",
        "organisation_id": f"organisation_id + {OFFSET}",
        "public_id": "gen_random_uuid()",
    },
    "accreditation_award": {
        "id": f"id + {OFFSET}",
        "application_id": f"application_id + {OFFSET}",
        "holder_name": "holder_name || ' ' || k",
    },
}


def main(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for table, changed in CHANGED.items():
            columns = [
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_name = %s ORDER BY ordinal_position",
                    [table],
                )
            ]
            values = ", ".join(changed.get(column, column) for column in columns)
            inserted = conn.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} "  # noqa: S608 - names from the schema
                f"FROM {table}, generate_series(1, 9) k WHERE id < 1000000"
            ).rowcount
            print(f"{table}: {inserted} rows added")
        for table in CHANGED:
            conn.execute(f"VACUUM ANALYZE {table}")


if __name__ == "__main__":
    main(sys.argv[1])
