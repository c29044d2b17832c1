#!/usr/bin/env bash
# Deploy ridesweep to the AWS account of your current AWS CLI session, in one command.
#
#   infra/deploy_local.sh [--force-rebuild] [terraform apply arguments, e.g. -var aws_region=eu-west-1]
#
# 1. checks that python3 (3.11+), pip, aws and terraform are installed;
# 2. checks the AWS session (aws sts get-caller-identity); a missing or expired one stops here with
#    the command to run: aws sso login;
# 3. builds the Lambda zip with infra/build_lambda.sh, or reuses the last one when the hash of its
#    inputs (sources, pyproject, pinned versions, build scripts, architecture) is unchanged
#    (--force-rebuild ignores that cache);
# 4. terraform init and apply in infra/terraform with -var runtime_lambda_zip=<zip>; apply asks for
#    confirmation unless you pass -auto-approve.
# The architecture follows -var lambda_architecture=... when given (default arm64). Credentials
# come from your AWS CLI configuration only: nothing secret is read from or written to the repo.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_DIR="$ROOT/infra/terraform"
BUILD_DIR="$ROOT/infra/.build"
FORCE_REBUILD=0
ARCH="arm64"
TF_ARGS=()

fail() { echo "deploy_local: $*" >&2; exit 1; }

for arg in "$@"; do
  case "$arg" in
    --force-rebuild) FORCE_REBUILD=1; continue ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
  TF_ARGS+=("$arg")
  if [[ "$arg" == *lambda_architecture=* ]]; then
    [[ "$arg" =~ lambda_architecture=\"?(arm64|x86_64)\"?$ ]] \
      || fail "lambda_architecture must be arm64 or x86_64 (got: $arg)"
    ARCH="${BASH_REMATCH[1]}"
  fi
done

echo "== preflight"
for tool in python3 aws terraform; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed or not on PATH"
done
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "python3 is $(python3 -V 2>&1); the build needs 3.11 or newer"
python3 -m pip --version >/dev/null 2>&1 || fail "pip is not available for python3 (python3 -m pip)"

echo "== AWS session"
if ! identity="$(aws sts get-caller-identity --output text --query Arn 2>&1)"; then
  echo "$identity" | sed 's/^/  aws: /' >&2
  cat >&2 <<EOF
deploy_local: no valid AWS session (missing or expired credentials).
Log in and run this script again:

    aws sso login${AWS_PROFILE:+ --profile $AWS_PROFILE}

EOF
  exit 1
fi
echo "deploying as $identity"

echo "== Lambda package ($ARCH)"
input_hash="$(python3 "$ROOT/infra/lambda_package.py" input-hash "$ROOT" "$ARCH")"
zip_path="$BUILD_DIR/ridesweep-lambda-$ARCH-${input_hash:0:16}.zip"
if [[ "$FORCE_REBUILD" == 0 && -f "$zip_path" && -f "$zip_path.inputs" \
      && "$(cat "$zip_path.inputs")" == "$input_hash" ]]; then
  echo "inputs unchanged: reusing $zip_path"
else
  "$ROOT/infra/build_lambda.sh" --arch "$ARCH" --output "$zip_path"
fi

echo "== terraform"
terraform -chdir="$TF_DIR" init -input=false
terraform -chdir="$TF_DIR" apply -input=false \
  -var "runtime_lambda_zip=$zip_path" -var "lambda_architecture=$ARCH" "${TF_ARGS[@]}"

mkdir -p "$BUILD_DIR"
printf '%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ARCH" "$zip_path" "$identity" \
  >> "$BUILD_DIR/deployments.log"
echo "== outputs"
terraform -chdir="$TF_DIR" output
