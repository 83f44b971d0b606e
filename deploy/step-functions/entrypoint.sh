#!/bin/sh
# The lamina container's entry point on ECS (see template.yaml and statemachine.asl.json).
#   scan-shard I/N RUN_ID: scan one shard, upload its output to s3://$LAMINA_BUCKET/RUN_ID/shards/I/
#   merge RUN_ID:          download every shard's output, merge, upload to s3://$LAMINA_BUCKET/RUN_ID/merged/
# Environment: LAMINA_BUCKET, LAMINA_REGIONS (space-separated), LAMINA_ROLE_NAME (a role of that
# name is assumed in every account of the organisation; empty: only the task's own account).
set -eu
cmd=$1
shift
roles() {
  [ -n "${LAMINA_ROLE_NAME:-}" ] || return 0
  # Sorted, so every shard numbers the same account x region pairs the same way.
  aws organizations list-accounts --query 'Accounts[?Status==`ACTIVE`].Id' --output text |
    tr '\t' '\n' | sort | while read -r id; do
      printf -- '--role-arn arn:aws:iam::%s:role/%s ' "$id" "$LAMINA_ROLE_NAME"
    done
}
case "$cmd" in
  scan-shard)
    shard=$1 run=$2
    region_flags=$(for r in $LAMINA_REGIONS; do printf -- '--region %s ' "$r"; done)
    # Exit 3 means some items could not be read: they are recorded in scan.json; upload anyway.
    # shellcheck disable=SC2046
    lamina scan $region_flags $(roles) --shard "$shard" --out /tmp/out --quiet --stats || [ $? -eq 3 ]
    aws s3 cp --recursive --only-show-errors /tmp/out "s3://$LAMINA_BUCKET/$run/shards/${shard%/*}/"
    ;;
  merge)
    run=$1
    aws s3 cp --recursive --only-show-errors "s3://$LAMINA_BUCKET/$run/shards/" /tmp/shards
    lamina merge --out /tmp/merged /tmp/shards/* >/dev/null || [ $? -eq 3 ]
    aws s3 cp --recursive --only-show-errors /tmp/merged "s3://$LAMINA_BUCKET/$run/merged/"
    ;;
  *)
    echo "usage: entrypoint.sh scan-shard I/N RUN_ID | merge RUN_ID" >&2
    exit 2
    ;;
esac
