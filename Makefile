# Entry points named after the original procedure (docs/procedure.md). Every target calls the
# cpython-prebuilt CLI; variables map to its flags so the CLI stays the single implementation.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CLI := pnpm exec cpython-prebuilt

# Every variable a user sets reaches a recipe's shell inside double or single quotes. So each one
# is taken literally (make expands nothing in it: VERSION='$$(shell ...)' stays text) and refused,
# before any recipe runs, when it holds a character the shell acts on inside quotes or a line
# break: VERSION='3.13.5"; touch /tmp/x; echo "' must not run anything (issue 31).
user_variables := VERSION BUILD BASE BASE_IMAGE ARCH EMULATE SOURCE SOURCE_URL SHA256 OPTIMIZE JOBS \
  KEEP_TESTS BACKEND STATIC_INTERPRETER SPLIT_DEBUG PIE PGO_TRAINING BOLT_TRAINING STRINGOP_STRATEGY \
  BOLT BOLT_IMAGE COMPILER COMPILER_IMAGE VAGRANT_PROVIDER ALLOW_UNVERIFIED_SOURCE BOX RUNS SLOW_RUNS \
  IMAGES ARTIFACT PLAIN_ARTIFACT PREVIOUS_ARTIFACT REPO DRY_RUN VERSIONS LEVEL PUSH REGISTRY NAMESPACE \
  PROJECTS REQUIREMENTS FIND_LINKS IMAGE MARKDOWN REQUIRE_SIGNATURE RECORD NOTE
$(foreach variable,$(user_variables),$(if $(filter command line environment environment override override,$(origin $(variable))),\
  $(eval override $(variable) := $$(value $(variable)))))
empty :=
define newline


endef
shell_special := " ' ` $$ \$(empty) $(newline)
$(foreach variable,$(user_variables),$(foreach character,$(shell_special),$(if $(findstring $(character),$(value $(variable))),\
  $(error $(variable) holds a quote, backquote, $$, backslash or line break, which the shell would act on: give a plain value (a version, a path, an image reference)))))

# Every default (version, build number, base, optimisation, images...) is the CLI's: a variable
# left unset passes no flag, so the CLI's --help is the one place that states them.
# Bare images for validate-cpython on these machines (debootstrap images, scripts/setup-machine.sh):
# arm64 ones for an aarch64 artifact (ARCH=aarch64, or an ARTIFACT= named ...-aarch64-...).
IMAGES_x86_64 := local/debian:bullseye local/debian:bookworm local/debian:trixie
IMAGES_aarch64 := local/debian:bullseye-arm64 local/debian:bookworm-arm64 local/debian:trixie-arm64
IMAGES ?= $(if $(filter aarch64,$(ARCH))$(findstring -aarch64-,$(notdir $(ARTIFACT))),$(IMAGES_aarch64),$(IMAGES_x86_64))

build_flags = $(if $(VERSION),--version "$(VERSION)") $(if $(BUILD),--build "$(BUILD)") $(if $(BASE),--base "$(BASE)") \
  $(if $(BASE_IMAGE),--base-image "$(BASE_IMAGE)") $(if $(ARCH),--arch "$(ARCH)") $(if $(filter 1,$(EMULATE)),--emulate) $(if $(SOURCE),--source "$(SOURCE)") \
  $(if $(SOURCE_URL),--source-url "$(SOURCE_URL)") $(if $(SHA256),--sha256 "$(SHA256)") \
  $(if $(filter 0,$(OPTIMIZE)),--no-optimize) $(if $(JOBS),--jobs "$(JOBS)") \
  $(if $(filter 1,$(KEEP_TESTS)),--keep-tests) $(if $(BACKEND),--backend "$(BACKEND)") \
  $(if $(filter 0,$(STATIC_INTERPRETER)),--no-static-interpreter) $(if $(filter 0,$(SPLIT_DEBUG)),--no-split-debug) $(if $(filter 0,$(PIE)),--no-pie) \
  $(if $(PGO_TRAINING),--pgo-training "$(PGO_TRAINING)") $(if $(BOLT_TRAINING),--bolt-training "$(BOLT_TRAINING)") $(if $(STRINGOP_STRATEGY),--stringop-strategy "$(STRINGOP_STRATEGY)") \
  $(if $(filter 0,$(BOLT)),--no-bolt) $(if $(filter 1,$(BOLT)),--bolt) $(if $(BOLT_IMAGE),--bolt-image "$(BOLT_IMAGE)") \
  $(if $(COMPILER),--compiler "$(COMPILER)") $(if $(COMPILER_IMAGE),--compiler-image "$(COMPILER_IMAGE)") \
  $(if $(VAGRANT_PROVIDER),--vagrant-provider "$(VAGRANT_PROVIDER)") \
  $(if $(filter 1,$(ALLOW_UNVERIFIED_SOURCE)),--allow-unverified-source)
vagrant_flags = $(if $(BASE),--base "$(BASE)") $(if $(BASE_IMAGE),--base-image "$(BASE_IMAGE)") \
  $(if $(VAGRANT_PROVIDER),--provider "$(VAGRANT_PROVIDER)") $(if $(BOX),--box "$(BOX)")
runs_flags = $(if $(RUNS),--runs "$(RUNS)")
image_flags = $(foreach image,$(IMAGES),--image "$(image)")
artifact_example = cpython-<version>-<base>-<arch>-build<N>.tgz (a file in infrastructure/cpython/artifacts or a path)

.PHONY: help setup deps test-aarch64 release-feature release-commit lint-workflows build_cpython build-budget verify-artifact vagrant-cpython-up vagrant-cpython-halt vagrant-cpython-destroy validate-cpython artifact release-cpython publish measure measure-projects bench bench-wheelhouse phase3 test test-unit check lint typecheck shellcheck generate generate-check versions-check versions-update libraries-update debian-keyring

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-18s %s\n", $$1, $$2}'

setup: ## (root) install and start what builds and tests need: Docker engine, base images, sources, pnpm deps
	bash scripts/setup-machine.sh

deps:
	pnpm install --frozen-lockfile

build_cpython: ## build an artifact: VERSION= BUILD= BASE= [BASE_IMAGE=] [ARCH=x86_64|aarch64] [EMULATE=1] [SOURCE=] [OPTIMIZE=0] [KEEP_TESTS=1] [STATIC_INTERPRETER=0] [SPLIT_DEBUG=0] [PGO_TRAINING=cpython] [BOLT_TRAINING=extended] [STRINGOP_STRATEGY=compiler] [PIE=0] [BOLT=0|1] [BOLT_IMAGE=] [COMPILER=gcc-14|base] [COMPILER_IMAGE=] [JOBS=] [BACKEND=docker|vagrant] [VAGRANT_PROVIDER=] [ALLOW_UNVERIFIED_SOURCE=1]
	$(CLI) build $(build_flags)

vagrant-cpython-up: ## create/start the builder VM iact-cpython-builder: [VAGRANT_PROVIDER=virtualbox|libvirt|docker] [BASE=] [BASE_IMAGE=] [BOX=]
	$(CLI) vagrant up $(vagrant_flags)

vagrant-cpython-halt: ## stop the builder VM
	$(CLI) vagrant halt $(vagrant_flags)

vagrant-cpython-destroy: ## delete the builder VM
	$(CLI) vagrant destroy $(vagrant_flags)

validate-cpython: ## validate an artifact: ARTIFACT=<file or name in infrastructure/cpython/artifacts> [IMAGES="..."]
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required, ARTIFACT=$(artifact_example)' >&2; exit 2; fi
	$(CLI) validate "$(ARTIFACT)" $(image_flags)

verify-artifact: ## check ARTIFACT='s sha256 (.sha256, metadata) and its .asc against the committed keys, as a user would: [REQUIRE_SIGNATURE=1]
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required, ARTIFACT=$(artifact_example)' >&2; exit 2; fi
	$(CLI) verify-artifact "$(ARTIFACT)" $(if $(filter 1,$(REQUIRE_SIGNATURE)),--require-signature)

build-budget: ## check ARTIFACT='s build time and peak disk (its metadata) against the default build's budget: [MARKDOWN=1] [RECORD=1 (its figures -> docs/default-build.md, which the README quotes) [NOTE="the machine was shared..."]]
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required, ARTIFACT=$(artifact_example)' >&2; exit 2; fi
	CPYTHON_PREBUILT_REPRODUCE='make build-budget $(MAKEOVERRIDES)' \
	  $(CLI) build-budget "$(ARTIFACT)" $(if $(filter 1,$(MARKDOWN)),--markdown) $(if $(filter 1,$(RECORD)),--write-docs $(if $(NOTE),--note "$(NOTE)"))

artifact: setup ## (root) setup, PGO+LTO build, validation on every image in IMAGES
	artifact="$$($(CLI) build $(build_flags))" && $(CLI) validate "$$artifact" $(image_flags)

release-cpython: ## publish ARTIFACT= as a GitHub release: [REPO=owner/name] [DRY_RUN=1]; needs GITHUB_TOKEN
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required, ARTIFACT=$(artifact_example)' >&2; exit 2; fi
	$(CLI) release "$(ARTIFACT)" $(if $(REPO),--repo "$(REPO)") $(if $(filter 1,$(DRY_RUN)),--dry-run)

release-feature: ## record the releases of VERSIONS="3.13.5 ..." [BUILD=] in the manifest, bump the feature [LEVEL=minor], regenerate it: [REPO=]; needs GITHUB_TOKEN
	@if [ -z "$(VERSIONS)" ]; then echo 'VERSIONS= is required, e.g. make release-feature VERSIONS="3.13.5 3.12.11" BUILD=1' >&2; exit 2; fi
	$(CLI) release-feature $(foreach version,$(VERSIONS),--version "$(version)") $(if $(BUILD),--build "$(BUILD)") \
	  $(if $(LEVEL),--level "$(LEVEL)") $(if $(REPO),--repo "$(REPO)")

release-commit: ## commit what release-feature changed (manifest, ARTIFACTS.md, feature, the README's table of published versions); PUSH=1 pushes it
	git add -- infrastructure/artifacts features README.md
	git diff --cached --quiet || git commit -m "Record released CPython artifacts; feature $$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' features/feature-version.json)"
	$(if $(filter 1,$(PUSH)),git push)

publish: ## publish the feature collection: REGISTRY=ghcr.io NAMESPACE=<owner>/<repo>/cpython
	@if [ -z "$(REGISTRY)" ] || [ -z "$(NAMESPACE)" ]; then echo 'REGISTRY= and NAMESPACE= are required, e.g. make publish REGISTRY=ghcr.io NAMESPACE=octo/cpython-prebuilt/cpython' >&2; exit 2; fi
	$(CLI) publish-feature --registry "$(REGISTRY)" --namespace "$(NAMESPACE)"

measure: ## time the pilot's build, from source vs the feature: ARTIFACT= [RUNS=]
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required, ARTIFACT=$(artifact_example)' >&2; exit 2; fi
	CPYTHON_PREBUILT_REPRODUCE='make measure $(MAKEOVERRIDES)' \
	  $(CLI) measure --write-docs --artifact "$(ARTIFACT)" $(if $(SOURCE),--source "$(SOURCE)") $(runs_flags)

measure-projects: ## Fase 4: time every example project's build (and the pilot's), from source vs the feature -> docs/phase4-results.md: ARTIFACT="<3.13 artifact> <3.11 artifact>" [PROJECTS="examples/pilot ..."] [RUNS=] [VERSION=] (about 20 minutes a run on an idle 2-core machine: four from-source builds and one with PGO)
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required: one artifact per version the projects ask for (3.11 and 3.13), ARTIFACT="$(artifact_example) ..."' >&2; exit 2; fi
	CPYTHON_PREBUILT_REPRODUCE='make measure-projects $(MAKEOVERRIDES)' \
	  $(CLI) measure-projects --write-docs $(foreach artifact,$(ARTIFACT),--artifact "$(artifact)") $(foreach source,$(SOURCE),--source "$(source)") \
	  $(foreach project,$(PROJECTS),--project "$(project)") $(runs_flags) $(if $(VERSION),--version "$(VERSION)")

bench: setup ## (root) every benchmark in one run -> docs/benchmarks.md: [BASE= BASE_IMAGE= BOLT_IMAGE= COMPILER_IMAGE= RUNS= SLOW_RUNS=] [ARTIFACT= PLAIN_ARTIFACT= (measure these instead of building)] [PREVIOUS_ARTIFACT= (the default before: startup against it)] (about an hour on 2 cores)
	CPYTHON_PREBUILT_REPRODUCE='make bench $(MAKEOVERRIDES)' \
	  $(CLI) bench --write-docs $(if $(VERSION),--version "$(VERSION)") $(if $(BASE),--base "$(BASE)") $(if $(BASE_IMAGE),--base-image "$(BASE_IMAGE)") \
	  $(if $(BOLT_IMAGE),--bolt-image "$(BOLT_IMAGE)") $(if $(COMPILER_IMAGE),--compiler-image "$(COMPILER_IMAGE)") $(if $(SOURCE),--source "$(SOURCE)") $(runs_flags) $(if $(SLOW_RUNS),--slow-runs "$(SLOW_RUNS)") \
	  $(if $(ARTIFACT),--artifact "$(ARTIFACT)") $(if $(PLAIN_ARTIFACT),--plain-artifact "$(PLAIN_ARTIFACT)") \
	  $(if $(PREVIOUS_ARTIFACT),--previous-artifact "$(PREVIOUS_ARTIFACT)")

bench-wheelhouse: ## a project's packages into an image, wheelhouse vs pip from sdists -> docs/benchmarks-wheelhouse.md: ARTIFACT= [REQUIREMENTS= FIND_LINKS="dir ..." IMAGE= RUNS=]
	@if [ -z "$(ARTIFACT)" ]; then echo 'ARTIFACT= is required, ARTIFACT=$(artifact_example)' >&2; exit 2; fi
	CPYTHON_PREBUILT_REPRODUCE='make bench-wheelhouse $(MAKEOVERRIDES)' \
	  $(CLI) bench-wheelhouse --write-docs --artifact "$(ARTIFACT)" $(if $(REQUIREMENTS),--requirements "$(REQUIREMENTS)") \
	  $(foreach dir,$(FIND_LINKS),--find-links "$(dir)") $(if $(IMAGE),--image "$(IMAGE)") $(runs_flags)

phase3: setup ## (root) the main job: build, validate, release, publish, integrate, measure, record (local targets by default)
	CPYTHON_PREBUILT_REPRODUCE='make phase3 $(MAKEOVERRIDES)' \
	  $(CLI) phase3 --write-docs $(build_flags) $(image_flags) $(runs_flags) \
	  $(if $(REPO),--repo "$(REPO)") $(if $(REGISTRY),--registry "$(REGISTRY)") $(if $(NAMESPACE),--namespace "$(NAMESPACE)")

test: setup ## (root) every check CI runs: generated files, types, lint, shellcheck, unit and end-to-end tests
	$(MAKE) check

check: generate-check typecheck lint lint-workflows shellcheck
	pnpm test

versions-check: ## exit non-zero when python.org has a patch release or an end of life the versions manifest lacks, or when the feature's default is behind its line's newest pin
	$(CLI) versions check

versions-update: ## pin new CPython patch releases (downloaded, sha256-verified) and regenerate versions.json: [DRY_RUN=1]
	$(CLI) versions update $(if $(filter 1,$(DRY_RUN)),--dry-run)

libraries-update: ## pin the newest patch of each bundled library's line from Debian's signed index and upstream's signature, naming the rebuilds due: [DRY_RUN=1] [SUMMARY=<file for a pull request's description>]
	$(CLI) libraries update $(if $(filter 1,$(DRY_RUN)),--dry-run) $(if $(SUMMARY),--summary "$(SUMMARY)")
	$(if $(filter 1,$(DRY_RUN)),,$(CLI) generate)

debian-keyring: ## (root) install Debian's archive keyring where it is missing (an Ubuntu machine): versions check --source debian and libraries update verify Debian's InRelease with it
	@test -f /usr/share/keyrings/debian-archive-keyring.gpg || { apt-get update && apt-get install --yes debian-archive-keyring; }

generate: ## regenerate the feature, versions.json and JSON schemas from the TypeScript sources
	pnpm generate

generate-check:
	pnpm generate:check

test-aarch64: setup ## (root) the slow aarch64 suite: the test fixtures' cross-compiled aarch64 3.13.5 validated on arm64 bookworm and trixie, released with x86_64 and published (make test has the fast checks)
	pnpm test:aarch64

test-unit: ## unit tests only (no Docker needed)
	pnpm test:unit

typecheck:
	pnpm typecheck

lint-workflows: ## lint .github/workflows with actionlint (fails on any finding)
	$(CLI) lint-workflows

lint:
	pnpm lint

shellcheck:
	shellcheck -s bash -x -P SCRIPTDIR scripts/*.sh infrastructure/cpython/scripts/build_cpython.sh \
	  infrastructure/cpython/scripts/bolt_python.sh infrastructure/cpython/scripts/phases.sh \
	  infrastructure/cpython/scripts/bundle_libs.sh infrastructure/cpython/scripts/relocate_scripts.sh \
	  infrastructure/cpython/scripts/split_debug.sh \
	  infrastructure/wheelhouse/scripts/build_wheels.sh
	shellcheck -s sh infrastructure/cpython/scripts/validate_cpython.sh features/src/installer/install.sh
	shellcheck -s bash features/test/installer/*.sh
