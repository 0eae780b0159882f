#!/usr/bin/env bash
# Example external router/agent for dtap-eval: asks an OpenAI-compatible chat
# endpoint about one screenshot and prints the model's answer on stdout.
#
#   dtap-eval --router cmd:'share/dtap/examples/mllm-client.sh {image} {question}' < protected.jsonl
#
# Nothing is sent anywhere unless you configure it:
#   DTAP_MLLM_URL    e.g. https://your-router.example/v1/chat/completions (required)
#   DTAP_MLLM_KEY    bearer token (optional)
#   DTAP_MLLM_MODEL  model name (default: gpt-4o-mini)
# Needs curl, base64 and jq. Exits non-zero on any failure, which dtap-eval
# records as an error (never as "not leaked").
set -euo pipefail
image=${1:?usage: mllm-client.sh IMAGE QUESTION}
question=${2:?usage: mllm-client.sh IMAGE QUESTION}
: "${DTAP_MLLM_URL:?set DTAP_MLLM_URL to an OpenAI-compatible chat completions URL}"
model=${DTAP_MLLM_MODEL:-gpt-4o-mini}
[ -r "$image" ] || { echo "mllm-client: cannot read $image" >&2; exit 3; }

payload=$(jq -n --arg model "$model" --arg q "$question" --arg img "$(base64 -w0 "$image")" '{
  model: $model, temperature: 0,
  messages: [{role: "user", content: [
    {type: "text", text: $q},
    {type: "image_url", image_url: {url: ("data:image/png;base64," + $img)}}]}]}')
auth=()
[ -n "${DTAP_MLLM_KEY:-}" ] && auth=(-H "Authorization: Bearer $DTAP_MLLM_KEY")
response=$(printf '%s' "$payload" | curl -sS --fail --max-time 120 -H 'Content-Type: application/json' "${auth[@]}" \
  --data-binary @- "$DTAP_MLLM_URL")
printf '%s' "$response" | jq -er '.choices[0].message.content'
