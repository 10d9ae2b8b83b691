#!/bin/bash
# The sync function's AWS_LAMBDA_EXEC_WRAPPER (cdk/lambda-runtime.ts). Lambda's Node.js bootstrap starts
# `node <flags> /var/runtime/index.mjs`, with heap flags sized from the function's memory: a young
# generation of a tenth of it (--max-semi-space-size=51 at 1,024 MB), which V8 grows to while a sync
# allocates, and the process's memory with it. NODE_OPTIONS cannot change that (the command line wins over
# it), but of two flags on the command line the later one wins: this adds ADSYNC_SEMI_SPACE_MB's limit just
# before the last argument (the runtime's script) and starts the runtime otherwise unchanged.
set -euo pipefail
set -- "${@:1:$#-1}" "--max-semi-space-size=${ADSYNC_SEMI_SPACE_MB:?}" "${@: -1}"
exec "$@"
