#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Drives the bash completion of faultline-cli as bash would (COMP_WORDS split
# at "=") and checks it offers commands, options, variant ids and toggles.
# usage: comp_test.sh COMPLETION_FILE CLI_DIR
set -u
source /usr/share/bash-completion/bash_completion
source "$1"
export PATH="$2:$PATH"
fail=0
complete_line() {  # LINE -> prints COMPREPLY
    local line=$1
    COMP_LINE=$line; COMP_POINT=${#line}
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    # bash splits at = for COMP_WORDS (COMP_WORDBREAKS)
    local w=() x
    for x in "${COMP_WORDS[@]}"; do
        if [[ $x == *=* && $x != -* ]]; then w+=("${x%%=*}" "=" "${x#*=}"); else w+=("$x"); fi
    done
    COMP_WORDS=("${w[@]}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _faultline_cli
    printf '%s\n' "${COMPREPLY[@]}"
}
expect() {  # LINE WORD: WORD must be among the completions
    if ! complete_line "$1" | grep -qxF -- "$2"; then echo "FAIL: '$1' does not offer '$2' (got: $(complete_line "$1" | tr '\n' ' '))"; fail=1; fi
}
refuse() {  # LINE WORD: WORD must not be among the completions
    if complete_line "$1" | grep -qxF -- "$2"; then echo "FAIL: '$1' offers '$2'"; fail=1; fi
}
expect "faultline-cli " run
expect "faultline-cli ch" check
expect "faultline-cli --v" --version
expect "faultline-cli run x.json --" --max-steps
expect "faultline-cli run x.json --kernel " baseline-2020
expect "faultline-cli run x.json --kernel up" upstream-5.19
expect "faultline-cli run x.json --set " PTE_MARKERS=
expect "faultline-cli run x.json --set PTE_MARKERS=" on
expect "faultline-cli run x.json --set FAULT_AROUND_POLICY=sk" skip-armed
expect "faultline-cli run x.json --set FAULT_AROUND_BYTES=" 65536
expect "faultline-cli check --" --json
expect "faultline-cli ex" explore
expect "faultline-cli explore x.json --" --all-variants
expect "faultline-cli explore x.json --kernel " no-preunmap
expect "faultline-cli explore " merge
expect "faultline-cli explore merge --" --help
refuse "faultline-cli run x.json --" --all-variants
refuse "faultline-cli " --json
exit $fail
