-- wrk script: POST pre-generated JSON bodies (one per line of a file), in order.
--
--   wrk -t1 -c16 -d10s -s bench/post.lua http://127.0.0.1:PORT -- BODIES PATH KEY MODE
--
-- BODIES  file with one request body per line (the seeded workload: unique eventIds, 3 %
--         re-sent ids, 2 % late timestamps; written by `leadpulse bench run`)
-- PATH    e.g. /api/ingest/event, /api/ingest/batch or /bench/noop
-- KEY     the project's publishable key (X-API-Key)
-- MODE    "loop": cycle through the bodies until -d expires (throughput runs);
--         "once": send every body exactly once, then stop (batch and end-to-end runs)
--
-- Prints one line "LEADPULSE {...}" with the response count per status for the harness, and
-- in "once" mode the markers LEADPULSE_START / LEADPULSE_DONE (first request, last response).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  path = args[2]
  once = args[4] == "once"
  headers = { ["Content-Type"] = "application/json", ["X-API-Key"] = args[3] }
  scheduled, sent, done, ok, bad = 0, 0, 0, 0, 0
end

-- wrk calls delay() exactly once before each request() of a connection, so counting here
-- (not in request(), which runs later) never lets more than #bodies requests through.
function delay()
  scheduled = scheduled + 1
  if once and scheduled > #bodies then
    return 3600000 -- nothing left to send: park the connection until the thread stops
  end
  return 0
end

function request()
  if sent == 0 and once then
    io.write("LEADPULSE_START\n")
    io.flush()
  end
  sent = sent + 1
  local body = bodies[((sent - 1) % #bodies) + 1]
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  done = done + 1
  if status == 202 then ok = ok + 1 else bad = bad + 1 end
  if once and done == #bodies then
    -- wrk's main thread sleeps for -d whatever the threads do: tell the harness, which
    -- times the run from these two lines and stops wrk with SIGINT (wrk then reports)
    io.write("LEADPULSE_DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local ok_total, bad_total = 0, 0
  for _, t in ipairs(threads) do
    ok_total = ok_total + t:get("ok")
    bad_total = bad_total + t:get("bad")
  end
  io.write(string.format('LEADPULSE {"ok": %d, "bad": %d}\n', ok_total, bad_total))
end
