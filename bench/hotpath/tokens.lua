-- Rotates resident bearer tokens (one per line in $TOKENS) across requests.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  local t = tokens[(i % #tokens) + 1]
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. t })
end
