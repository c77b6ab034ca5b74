-- wrk script for scripts/loadtest: the same server's trivial route (an unknown path, answered with the catalog's
-- NOT_FOUND_ROUTE), to measure the ceiling of the HTTP stack beside the payment path.

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    io.write(string.format("RESULT requests=%d seconds=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f " ..
        "socket_errors=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
