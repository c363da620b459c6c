#!/usr/bin/env bash
# The peers' way: a shell loop over the functions, one AWS CLI process per call, one after another.
# Like the composite-action peers it never diffs: it describes DEVELOPMENT, updates, describes again
# for a fresh ETag (the CLI cannot read UpdateFunction's ETag: the model names the header "ETtag"),
# and publishes, for every function. It does not look for the distributions that run them.
# Usage: peers.sh ENDPOINT_URL FUNCTIONS_TSV   (name, code file, comment, runtime per line)
set -euo pipefail
endpoint=$1
list=$2
aws=${AWS_CLI:-aws}

etag_of() {
  "$aws" cloudfront describe-function --name "$1" --stage DEVELOPMENT \
    --endpoint-url "$endpoint" --query ETag --output text </dev/null
}

while IFS=$'\t' read -r name code comment runtime; do
  etag=$(etag_of "$name")
  "$aws" cloudfront update-function --name "$name" --if-match "$etag" \
    --function-code "fileb://$code" \
    --function-config "{\"Comment\": \"$comment\", \"Runtime\": \"$runtime\"}" \
    --endpoint-url "$endpoint" </dev/null >/dev/null
  etag=$(etag_of "$name")
  "$aws" cloudfront publish-function --name "$name" --if-match "$etag" \
    --endpoint-url "$endpoint" </dev/null >/dev/null
done <"$list"
