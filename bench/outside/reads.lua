-- Steady load on one path for wrk's duration.
--   wrk ... -s reads.lua URL -- <out file> [tokens file|-] [ids file]
-- Tokens rotate (each request the next resident's bearer token); with an ids file the path is URL's path
-- followed by the next id (the reference's /ref/{id}). Every status is counted: a fast 401 is not a win.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

local tokens, ids, next_token, next_id = {}, {}, 0, 0

function init(args)
  out = args[1] -- global: done() reads it from the thread
  if args[2] and args[2] ~= "-" then tokens = read_lines(args[2]) end
  if args[3] then ids = read_lines(args[3]) end
  -- Threads start at different places in the lists.
  next_token = wrk.thread:get("id") * 37
  next_id = wrk.thread:get("id") * 53
end

function request()
  local headers = {}
  if #tokens > 0 then
    next_token = next_token % #tokens + 1
    headers["Authorization"] = "Bearer " .. tokens[next_token]
  end
  local path = wrk.path
  if #ids > 0 then
    next_id = next_id % #ids + 1
    path = path .. ids[next_id]
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  count_status(status)
end

function done(summary, latency, requests)
  write_result(summary.requests / (summary.duration / 1000000), latency, socket_errors(summary))
end
