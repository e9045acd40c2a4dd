"""The archive job as spark-submit runs it: a file, not a module of the package, whose relative imports fail when
run as a file (`ImportError: attempted relative import with no known parent package`). The package comes in
analytics.zip (docs/analytics.md):

  (cd analytics && python -m zipfile -c ../analytics.zip kobot_analytics)
  spark-submit --master … --packages org.apache.spark:spark-sql-kafka-0-10_2.13:4.2.0 --py-files analytics.zip \\
    analytics/archive_main.py --brokers host:9092 --archive hdfs://…
"""
from kobot_analytics.archive import main

if __name__ == "__main__":
    raise SystemExit(main())
