# shellcheck shell=bash
# simdepth — helpers for the CLI tests (bash; sourced, not run).
#
#   T_TMP                      a private temporary directory, removed on exit
#   desc TEXT                  name the next check (default: its command line)
#   expect_ok -- CMD...        CMD exits 0 and writes nothing to stderr
#   expect_fail STATUS SUBSTRING -- CMD...
#                              CMD exits with STATUS ('!0': any non-zero) and
#                              its stderr is exactly one line containing
#                              SUBSTRING (a fixed string)
#   expect_stderr_has SUBSTRING   the last CMD's stderr contains SUBSTRING
#   expect_fail_re STATUS REGEX NAME -- CMD...
#                              as expect_fail, but the one stderr line must
#                              match the extended regular expression REGEX;
#                              NAME names the check
#   check NAME -- CMD...       CMD (a test such as 'jq -e', 'cmp', '[') exits 0
#   skip NAME REASON           report a check that cannot run here
#   t_need_bin                 exit 99 unless $BIN is an executable
#   summary                    print "N passed, M failed"; exit 1 if M > 0
#
# Environment:
#   SIMDEPTH_TEST_WRAPPER      a program that runs a command under a checker
#                              (tools/test-all.sh's valgrind job): sourcing
#                              lib.sh points SIMDEPTH_BIN at a script that
#                              runs "$SIMDEPTH_TEST_WRAPPER REAL_BIN ARGS..."
#   SIMDEPTH_TEST_SUBSET=quick tests that honour it (t_quick) leave out their
#                              slowest cases (used under valgrind)
#
# After expect_ok / expect_fail, the command's output is in $T_OUT and
# $T_ERR (files) and its exit status in $T_STATUS. Every check prints one
# "ok" / "FAIL" line; a failure also shows the command and its stderr, so the
# .log file that 'make check' keeps says what went wrong.

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_DESC=
T_STATUS=0

T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/simdepth-cli.XXXXXX") || {
    echo "cannot create a temporary directory" >&2
    exit 99
}
T_OUT=$T_TMP/.stdout
T_ERR=$T_TMP/.stderr
trap 'rm -rf "$T_TMP"' EXIT
trap 'exit 130' HUP INT TERM

# Run the binary under $SIMDEPTH_TEST_WRAPPER (valgrind) if set.
if [ -n "${SIMDEPTH_TEST_WRAPPER:-}" ] && [ -n "${SIMDEPTH_BIN:-}" ]; then
    printf '#!/bin/sh\nexec %s %s "$@"\n' "'$SIMDEPTH_TEST_WRAPPER'" "'$SIMDEPTH_BIN'" \
        >"$T_TMP/.simdepth-wrapped" && chmod +x "$T_TMP/.simdepth-wrapped" || exit 99
    SIMDEPTH_BIN=$T_TMP/.simdepth-wrapped
fi

# Exit 99 (the test cannot run) unless $BIN, the script's simdepth, is an
# executable.
t_need_bin() {
    if [ ! -x "$BIN" ]; then
        echo "simdepth binary '$BIN' not found; set SIMDEPTH_BIN" >&2
        exit 99
    fi
}

# 0 (true) when SIMDEPTH_TEST_SUBSET=quick asks to leave out slow cases.
t_quick() {
    [ "${SIMDEPTH_TEST_SUBSET:-}" = quick ]
}

desc() {
    T_DESC=$1
}

# The name of the current check: the desc, else the command line.
_t_name() {
    if [ -n "$T_DESC" ]; then
        printf '%s' "$T_DESC"
    else
        printf '%s' "$*"
    fi
}

_t_pass() {
    T_PASSED=$((T_PASSED + 1))
    printf 'ok - %s\n' "$1"
    T_DESC=
}

# _t_fail NAME REASON [show-stderr]
_t_fail() {
    T_FAILED=$((T_FAILED + 1))
    printf 'FAIL - %s: %s\n' "$1" "$2"
    if [ "${3:-}" = show ] && [ -s "$T_ERR" ]; then
        sed -n '1,20s/^/    stderr: /p' "$T_ERR"
    fi
    T_DESC=
}

_t_need_dashes() {
    if [ "${1:-}" != -- ]; then
        echo "lib.sh: ${FUNCNAME[1]}: expected '--' before the command" >&2
        exit 99
    fi
}

# Run a command, keeping stdout, stderr and the exit status.
_t_run() {
    "$@" >"$T_OUT" 2>"$T_ERR"
    T_STATUS=$?
}

expect_ok() {
    local name
    _t_need_dashes "$@"
    shift
    name=$(_t_name "$@")
    _t_run "$@"
    if [ "$T_STATUS" -ne 0 ]; then
        _t_fail "$name" "exit status $T_STATUS, expected 0" show
    elif [ -s "$T_ERR" ]; then
        _t_fail "$name" "unexpected output on stderr" show
    else
        _t_pass "$name"
    fi
}

expect_fail() {
    local status=$1 substring=$2 name lines
    shift 2
    _t_need_dashes "$@"
    shift
    name=$(_t_name "$@")
    _t_run "$@"
    lines=$(wc -l <"$T_ERR")
    # A last line without '\n' is still a line.
    if [ -s "$T_ERR" ] && [ "$(tail -c 1 "$T_ERR" | od -An -c | tr -d ' ')" != '\n' ]; then
        lines=$((lines + 1))
    fi
    if [ "$status" = '!0' ] && [ "$T_STATUS" -eq 0 ]; then
        _t_fail "$name" "exit status 0, expected a failure" show
    elif [ "$status" != '!0' ] && [ "$T_STATUS" -ne "$status" ]; then
        _t_fail "$name" "exit status $T_STATUS, expected $status" show
    elif [ "$lines" -ne 1 ]; then
        _t_fail "$name" "stderr has $lines lines, expected exactly one" show
    elif ! grep -qF -- "$substring" "$T_ERR"; then
        _t_fail "$name" "stderr lacks '$substring'" show
    else
        _t_pass "$name"
    fi
}

expect_fail_re() {
    local status=$1 regex=$2 name=$3 lines
    shift 3
    _t_need_dashes "$@"
    shift
    _t_run "$@"
    lines=$(wc -l <"$T_ERR")
    if [ -s "$T_ERR" ] && [ "$(tail -c 1 "$T_ERR" | od -An -c | tr -d ' ')" != '\n' ]; then
        lines=$((lines + 1))
    fi
    if [ "$T_STATUS" -ne "$status" ]; then
        _t_fail "$name" "exit status $T_STATUS, expected $status" show
    elif [ "$lines" -ne 1 ]; then
        _t_fail "$name" "stderr has $lines lines, expected exactly one" show
    elif ! grep -qE -- "$regex" "$T_ERR"; then
        _t_fail "$name" "stderr does not match /$regex/" show
    else
        _t_pass "$name"
    fi
    T_DESC=
}

expect_stderr_has() {
    local name
    name="stderr of the last command has '$1'"
    [ -n "$T_DESC" ] && name=$T_DESC
    if grep -qF -- "$1" "$T_ERR"; then
        _t_pass "$name"
    else
        _t_fail "$name" "stderr lacks '$1'" show
    fi
}

check() {
    local name=$1
    shift
    _t_need_dashes "$@"
    shift
    if "$@" >/dev/null 2>"$T_TMP/.check_err"; then
        _t_pass "$name"
    else
        _t_fail "$name" "'$*' failed"
        sed -n '1,5s/^/    /p' "$T_TMP/.check_err"
    fi
}

skip() {
    T_SKIPPED=$((T_SKIPPED + 1))
    printf 'SKIP - %s: %s\n' "$1" "$2"
}

summary() {
    if [ "$T_SKIPPED" -gt 0 ]; then
        printf '(%d skipped)\n' "$T_SKIPPED"
    fi
    printf '%d passed, %d failed\n' "$T_PASSED" "$T_FAILED"
    [ "$T_FAILED" -eq 0 ] && exit 0
    exit 1
}
