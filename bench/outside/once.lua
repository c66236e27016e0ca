-- Each item exactly once, as fast as the server takes them: the sign-up burst (one bearer token per line,
-- POST to URL's path) and the WeChat Pay callbacks (one signed callback per line: timestamp, nonce,
-- signature, serial, body, tab-separated; POST to URL's path).
--   wrk ... -s once.lua URL -- <out file> <items file> <tokens|callbacks> <threads> <marker dir>
-- Thread k of n takes items k, k+n, k+2n… When a thread has all its answers it writes <marker dir>/done.k;
-- outside.sh stops wrk (SIGINT) once every thread has, so the rate is items / (last answer − first send),
-- timed here on the monotonic clock, not wrk's fixed duration.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

local mine, next_item, answered, kind, marker = {}, 0, 0, nil, nil
first_sent, last_answer, items_done = 0, 0, 0

function init(args)
  out = args[1]
  kind = args[3]
  local n, id = tonumber(args[4]), wrk.thread:get("id")
  marker = args[5] .. "/done." .. id
  local all = read_lines(args[2])
  for i = id, #all, n do mine[#mine + 1] = all[i] end
  if #mine == 0 then io.open(marker, "w"):close() end
end

-- Once a thread's items are all sent its connections wait (wrk asks delay() before every request, the first too).
local started = false
function delay()
  started = true
  return next_item >= #mine and 3600000 or 0
end

function request()
  -- wrk calls request() once on the first thread before any connection exists, to count pipelined requests
  -- (script_verify_request), and throws the answer away: that call must not take an item, or one is never sent.
  -- Every real call follows a delay(), so a request() before any delay() is that one.
  if not started or next_item >= #mine then
    -- Only when there are more connections than items: a request that is not counted (see response).
    return wrk.format("GET", "/health/live")
  end
  next_item = next_item + 1
  if first_sent == 0 then first_sent = now_us() end
  local item = mine[next_item]
  if kind == "tokens" then
    return wrk.format("POST", wrk.path, { ["Authorization"] = "Bearer " .. item, ["Content-Type"] = "application/json" }, "{}")
  end
  local ts, nonce, signature, serial, body = item:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/json",
    ["Wechatpay-Timestamp"] = ts,
    ["Wechatpay-Nonce"] = nonce,
    ["Wechatpay-Signature"] = signature,
    ["Wechatpay-Serial"] = serial,
  }, body)
end

function response(status, headers, body)
  if body == "Healthy" then return end
  count_status(status)
  answered = answered + 1
  items_done = answered
  last_answer = now_us()
  if answered == #mine then io.open(marker, "w"):close() end
end

function done(summary, latency, requests)
  local first, last, n = math.huge, 0, 0
  for _, t in ipairs(threads) do
    local f, l = t:get("first_sent"), t:get("last_answer")
    if f > 0 and f < first then first = f end
    if l > last then last = l end
    n = n + t:get("items_done")
  end
  local rps = (n > 0 and last > first) and n / ((last - first) / 1000000) or 0
  write_result(rps, latency, socket_errors(summary))
end
