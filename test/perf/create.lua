-- wrk script of test/perf/run.sh: every request creates a support request
-- as the demo owner (the URL names the tenant). done() prints one line,
--   wrk: requests=N seconds=S rps=R p50_ms=A p99_ms=B non2xx=C socket_errors=D
-- which run.sh reads; non2xx is counted here, from every response's status.
wrk.method = "POST"
wrk.body = '{"severity":"high","summary":"Load test request","reproduction_notes":"sent by test/perf"}'
wrk.headers["Authorization"] = "Bearer demo-owner-token-please-change"
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

non2xx = 0

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("wrk: requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, bad, e.connect + e.read + e.write + e.timeout))
end
