# Sourced by the benchmark scripts: start and stop one `lantern serve` on a free loopback port.
#   lantern_start DATA LOG   sets LPID and LBASE (the service root); returns 1 when it does not start
#   lantern_stop             SIGTERM, then SIGKILL after 20 s
# Needs LANTERN_BIN.
LPID=""
lantern_start() {
    "$LANTERN_BIN" serve --host 127.0.0.1 --port 0 --data "$1" --log-level warning >"$2" 2>&1 &
    LPID=$!
    for _ in $(seq 1 150); do
        LBASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*/dicomweb' "$2" | head -1)
        [ -n "$LBASE" ] && return 0
        kill -0 "$LPID" 2>/dev/null || { cat "$2" >&2; return 1; }
        sleep 0.2
    done
    echo "lantern did not start" >&2
    return 1
}
lantern_stop() {
    [ -n "$LPID" ] || return 0
    kill -TERM "$LPID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$LPID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$LPID" 2>/dev/null
    LPID=""
}
