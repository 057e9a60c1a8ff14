# Shared by the command-line tests: TAP-style checks counted in $passed and $failed, and a check that a command
# fails with one line a person can act on. The caller sets WORK, passed and failed.
check() { # description, command status (0 = the check holds)
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1"; fi
}
one_line_error() { # command...: fails with exactly one line on stderr starting with "error:"
  "$@" >"$WORK/out" 2>"$WORK/err"; local status=$?
  [ "$status" -ne 0 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q '^error: ' "$WORK/err"
}
