-- wrk script for the PPP benchmark: production-like headers (behind one TLS proxy, and
-- the Accept-Encoding every browser and calendar app sends), a different client address per request (so per-address rate limits such as /verify/'s
-- 30 a minute count real visitors, not the benchmark), an optional session cookie, and a
-- JSON summary with p50/p95/p99 for bench/harness.py. With WRK_PATHS (a file of paths,
-- one a line) each request takes the next path of the file, each thread from its own
-- random place: traffic that does not repeat (20,000 different certificates, random
-- register pages and searches) instead of one URL again and again.
local cookie = os.getenv("WRK_COOKIE") or ""
local paths_file = os.getenv("WRK_PATHS") or ""
local counter = 0
local paths, at = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  if paths_file ~= "" then
    for line in io.lines(paths_file) do
      if line ~= "" then paths[#paths + 1] = line end
    end
    at = math.random(0, #paths - 1)
  end
end

function request()
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local headers = {
    ["X-Forwarded-For"] = ip, ["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1",
    ["Accept-Encoding"] = "gzip, deflate, br",
  }
  if cookie ~= "" then headers["Cookie"] = cookie end
  local path = nil
  if #paths > 0 then
    at = at % #paths + 1
    path = paths[at]
  end
  return wrk.format("GET", path, headers)
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
