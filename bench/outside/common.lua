-- Shared by reads.lua and once.lua (loaded with dofile): a monotonic clock, status counts and the result line.
local ffi = require("ffi")
pcall(ffi.cdef, [[
  typedef struct { long tv_sec; long tv_nsec; } nh_timespec;
  int clock_gettime(int clk_id, nh_timespec *tp);
]])
local ts = ffi.new("nh_timespec")
function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC: comparable across wrk's threads
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  return lines
end

threads = {}
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  threads[#threads + 1] = thread
end

counts = {}
function count_status(status)
  counts[status] = (counts[status] or 0) + 1
end


-- One line for outside.sh: req/s p50_ms p99_ms non2xx responses statuses socket_errors. The status counts
-- are each thread's global table `counts` (thread:get copies it once the threads have stopped).
function write_result(rps, latency, socket_errors)
  local total, non2xx, merged = 0, 0, {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts") or {}) do
      merged[status] = (merged[status] or 0) + n
      total = total + n
      if status < 200 or status > 299 then non2xx = non2xx + n end
    end
  end
  local parts = {}
  for status, n in pairs(merged) do parts[#parts + 1] = status .. ":" .. n end
  table.sort(parts)
  local f = assert(io.open(threads[1]:get("out"), "w"))
  f:write(string.format("%.0f %.1f %.1f %d %d %s %d\n", rps, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    non2xx, total, #parts > 0 and table.concat(parts, ",") or "-", socket_errors))
  f:close()
end

function socket_errors(summary)
  local e = summary.errors
  return e.connect + e.read + e.write + e.timeout
end
