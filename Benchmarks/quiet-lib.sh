# Waiting for a quiet machine, for the benchmark scripts (sourced).
#
# This VM shares its host: in some hours the hypervisor runs other guests on its CPUs ("stolen" time, the steal
# field of /proc/stat) for 30-60 % of the time, and a transfer between two daemons on two cores then runs at half
# speed or less, with CPU per MiB up by half (docs/BENCHMARKS.md, "The hypervisor takes CPU time (steal)"). `wait_quiet` lets a script
# start each measurement only in a moment when little is stolen; the share stolen *during* the measurement is
# still printed by the script, so a run that the hypervisor interrupted shows as such.
#
# QUIET=PCT turns it on (needs python3): before a measurement, wait until a window of QUIET_WINDOW seconds
# (default 4) of a ping-pong between two processes had at most PCT % of its time stolen, for at most QUIET_WAIT
# seconds (default 900; then the measurement runs anyway and the wait says so). Without QUIET nothing waits. Steal
# comes in bursts of seconds to minutes, so a quiet window makes a quiet measurement likely, not certain.

# Busy, stolen and total jiffies of the whole machine so far ("busy steal total"), from the cpu line of /proc/stat;
# busy leaves out idle, I/O wait and steal (time the hypervisor ran something else on this machine's CPUs).
machine_jiffies() {
    awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6 - $9, $9, t; exit }' /proc/stat
}

# The share (percent, integer) of the machine's busy time that the hypervisor stole over SECONDS seconds while
# two processes passed 64 KiB back and forth through pipes. Steal accrues only while a virtual CPU wants to run,
# so an idle machine shows none whatever the host is doing; and a busy loop keeps its CPU and sees less than a
# transfer does (10-33 % against 56-72 % in the same minutes): a transfer wakes and sleeps thousands
# of times a second, and each wake-up of a virtual CPU waits for the host. The ping-pong does the same.
stolen_percent() {
    local a b
    a=$(machine_jiffies)
    python3 -c '
import os, sys, time
r1, w1 = os.pipe(); r2, w2 = os.pipe()
if os.fork() == 0:
    os.close(w1); os.close(r2)
    while (data := os.read(r1, 65536)):
        os.write(w2, data)
    os._exit(0)
os.close(r1); os.close(w2)
chunk = bytes(65536); end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    os.write(w1, chunk); got = 0
    while got < len(chunk):
        got += len(os.read(r2, 65536))
os.close(w1); os.wait()
' "$1"
    b=$(machine_jiffies)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; stolen = y[2] - x[2];
        printf "%d\n", (busy + stolen > 0 ? 100 * stolen / (busy + stolen) + 0.5 : 0) }'
}

# Waits for a quiet machine as QUIET, QUIET_WINDOW and QUIET_WAIT say; prints what it waited, with INDENT first.
wait_quiet() {
    local indent=${1:-}
    [ -n "${QUIET:-}" ] || return 0
    local window=${QUIET_WINDOW:-4} limit=${QUIET_WAIT:-900} waited=0 stolen
    while :; do
        stolen=$(stolen_percent "$window")
        if [ "$stolen" -le "$QUIET" ]; then
            [ $waited -gt 0 ] && echo "${indent}waited ${waited} s for at most ${QUIET} % stolen (last ${window} s: ${stolen} %)"
            return 0
        fi
        waited=$((waited + window))
        if [ $waited -ge "$limit" ]; then
            echo "${indent}no quiet machine in ${limit} s (last ${window} s: ${stolen} % stolen); measuring anyway"
            return 0
        fi
    done
}
