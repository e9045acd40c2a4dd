#!/bin/sh
# Loads the data view and dashboard into Kibana once it answers (docker compose service kibana-setup).
set -eu
KIBANA_URL="${KIBANA_URL:-http://kibana:5601}"
until curl -fs "$KIBANA_URL/api/status" | grep -q '"level":"available"'; do sleep 5; done
curl -fsS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
  -H "kbn-xsrf: true" --form file=@/saved-objects.ndjson
echo "kibana saved objects loaded"
