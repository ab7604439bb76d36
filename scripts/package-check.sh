#!/usr/bin/env bash
# Packs Carnet and Carnet.Cli into artifacts/, checks each package's metadata and symbols, checks that a rebuild
# gives the same library bytes, installs the carnet tool from that folder into a temporary tool path and runs
# `carnet forecast` with it from an empty folder, then builds and runs both samples against the local feed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v unzip >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q unzip >/dev/null; else sudo apt-get install -y -q unzip >/dev/null; fi
fi

version=$(sed -nE 's|.*<CarnetVersion>(.*)</CarnetVersion>.*|\1|p' Directory.Build.props)
rm -f artifacts/*.nupkg artifacts/*.snupkg
dotnet pack Carnet.slnx -c Release -o artifacts

fail() { echo "package check: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# metadata: every package names its version, licence, readme, repository (with the commit) and release notes
for id in Carnet Carnet.Cli; do
  package="artifacts/$id.$version.nupkg"
  [ -f "$package" ] || fail "$package was not produced"
  [ -f "artifacts/$id.$version.snupkg" ] || fail "the symbols package of $id was not produced"
  nuspec=$(unzip -p "$package" "$id.nuspec")
  for field in "<version>$version</version>" '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' \
               '<repository type="git" url="https://github.com/' 'commit="' '<releaseNotes>' '<projectUrl>'; do
    grep -qF "$field" <<<"$nuspec" || fail "$id.nuspec lacks $field"
  done
  listing=$(unzip -l "$package")
  for file in PACKAGE.md LICENSE CHANGELOG.md; do
    grep -qE " $file\$" <<<"$listing" || fail "$id lacks $file"
  done
  echo "package $id $version: version, licence, readme, repository, release notes present"
done
grep -q "tools/net10.0/any/data/airpassengers.csv" <<<"$(unzip -l "artifacts/Carnet.Cli.$version.nupkg")" || fail "the tool lacks the shipped series"

# Source Link: the library's symbols map its sources to the repository at the packed commit
commit=$(git rev-parse HEAD)
unzip -p "artifacts/Carnet.$version.snupkg" lib/net10.0/Carnet.pdb > "$work/Carnet.pdb"
grep -aqF "raw.githubusercontent.com/carnet-dotnet/carnet/$commit/" "$work/Carnet.pdb" || fail "Carnet.pdb has no Source Link map to commit $commit"
echo "Source Link: Carnet.pdb maps the sources to commit $commit"

# deterministic: a clean rebuild of the library gives the bytes that are in the package
unzip -p "artifacts/Carnet.$version.nupkg" lib/net10.0/Carnet.dll > "$work/packed.dll"
dotnet build src/Carnet -c Release --no-incremental -o "$work/rebuild" >/dev/null
cmp -s "$work/packed.dll" "$work/rebuild/Carnet.dll" || fail "a rebuild of Carnet.dll differs from the packed one"
echo "deterministic: the rebuilt Carnet.dll is byte-identical to the packed one ($(sha256sum "$work/packed.dll" | cut -c1-16))"

# the tool, installed from the local folder, run from an empty folder; packages go to a fresh cache so that an
# earlier package of the same version cannot stand in for this one
export NUGET_PACKAGES="$work/packages"
dotnet tool install --tool-path "$work/tool" --add-source artifacts Carnet.Cli --version "$version"
"$work/tool/carnet" --help >/dev/null
mkdir "$work/anywhere"
(cd "$work/anywhere" && "$work/tool/carnet" forecast --quiet)
grep -q '"mase"' "$work/anywhere/runs/forecast-airpassengers/metrics.json" || fail "the installed tool wrote no metrics"
echo "tool: carnet $("$work/tool/carnet" --version) installed and ran forecast from an empty folder"

# the samples, built against the package in artifacts/ (samples/NuGet.config)
dotnet run --project samples/TrainClassifier -c Release -- "$work/sample"
dotnet run --project samples/Predict -c Release -- "$work/sample/waves.safetensors" "$work/sample/test.csv" | tee "$work/predict.txt"
grep -q '^accuracy: ' "$work/predict.txt" || fail "the Predict sample printed no accuracy"
echo "samples: TrainClassifier and Predict ran against the Carnet $version package"
