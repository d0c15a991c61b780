-- wrk script for the PPP benchmark: production-like headers (behind one TLS proxy), a
-- different client address per request (so per-address rate limits such as /verify/'s
-- 30 a minute count real visitors, not the benchmark), an optional session cookie, and a
-- JSON summary with p50/p95/p99 for bench/harness.py.
local cookie = os.getenv("WRK_COOKIE") or ""
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local headers = { ["X-Forwarded-For"] = ip, ["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1" }
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", nil, headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "bad_status": %d, "errors": %d, "bytes": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.bytes))
end
